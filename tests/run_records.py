"""What a run recorded in Dagster, read back from this CHORUS_HOME's instance as the UI does."""


def materialized(run_id: str, asset: str) -> dict:
    """The metadata of `asset`'s materialization in run `run_id` (raises when it has none)."""
    from dagster import DagsterEventType, DagsterInstance

    records = (
        DagsterInstance.get()
        .get_records_for_run(run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION, limit=10_000)
        .records
    )
    for record in records:
        materialization = record.event_log_entry.asset_materialization
        if materialization.asset_key.to_user_string() == asset:
            return {name: value.value for name, value in materialization.metadata.items()}
    raise AssertionError(f"run {run_id} recorded no materialization of {asset}")
