"""Resources the assets share. Configured per run (the CLI passes --landing/--out); anything
not configured comes from the environment (indicators.config.ChorusSettings)."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from dagster import ConfigurableResource, InitResourceContext

from indicators.config import ChorusSettings, absolute
from indicators.warehouse import LockHolder, warehouse_lock


class ChorusResource(ConfigurableResource):
    """Where this run keeps its warehouse, reads landed files and writes publications.

    Unset fields fall back to CHORUS_HOME, CHORUS_LANDING, CHORUS_OUTPUT, CHORUS_SEEDS and
    CHORUS_EXPECTATIONS. Secrets (CHORUS_PSEUDONYM_KEY) come from the environment only.

    Every step of the pipeline uses this resource, so every run, however it was started
    (`chorus run`, the UI, the sensor, the schedule), holds the warehouse lock from its
    first step to its last: a second run waits for it (CHORUS_LOCK_WAIT seconds), then
    fails naming the run that holds it.
    """

    home: str | None = None
    landing: str | None = None
    output: str | None = None
    seeds: str | None = None
    expectations: str | None = None
    xlsx_sheet: str | None = None
    packs: str | None = None
    allow_demo_key: bool | None = None

    def settings(self) -> ChorusSettings:
        settings = ChorusSettings.from_env()
        overrides: dict[str, object] = {
            name: absolute(Path(value))
            for name, value in (
                ("home", self.home),
                ("landing", self.landing),
                ("output", self.output),
                ("seeds", self.seeds),
                ("expectations", self.expectations),
            )
            if value
        }
        if self.xlsx_sheet:
            overrides["xlsx_sheet"] = self.xlsx_sheet
        if self.packs:
            overrides["packs"] = self.packs
        if self.allow_demo_key is not None:
            overrides["allow_demo_key"] = self.allow_demo_key
        return replace(settings, **overrides)

    @contextmanager
    def yield_for_execution(self, context: InitResourceContext) -> Iterator["ChorusResource"]:
        from orchestration.instance import settle_abandoned, started_by

        settings = self.settings()
        run = context.run
        holder = LockHolder(
            started_by=started_by(run.tags if run else {}), run_id=run.run_id if run else ""
        )

        def waiting(current: LockHolder | None, seconds: float) -> None:
            if context.log:
                who = current.describe() if current else "another Chorus process"
                context.log.warning(
                    f"waiting up to {seconds:.0f} s for {who} to finish with the warehouse"
                )

        with warehouse_lock(
            settings.warehouse, holder, settings.lock_wait_seconds, on_wait=waiting
        ) as held:
            settled = settle_abandoned(context.instance, held.previous)
            if settled and context.log:
                context.log.warning(settled)
            yield self
