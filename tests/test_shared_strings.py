"""Text read from the warehouse held once per distinct value (warehouse_tables.shared_strings):
the publication's largest frame, kept through disclosure control, costs a third as much."""

import duckdb
import numpy as np
import pandas as pd

from indicators.warehouse_tables import shared_frame, shared_strings

ROWS = 3000


def _read() -> pd.DataFrame:
    """A frame as the engine hands it over: text, a missing value, numbers."""
    return _result().df()


def _result(where: str = "true"):
    connection = duckdb.connect()
    return connection.execute(
        f"""select
            case i % 3 when 0 then 'gld' when 1 then 'clr_stable' else 'eh_step_up' end
                as indicator_id,
            case when i % 7 = 0 then null else 'Improving' end as recent_trend,
            'N' || lpad((i % 40)::varchar, 4, '0') as area_code,
            i as numerator,
            i / 4.0 as value
        from range({ROWS}) as t(i) where {where}"""
    )


def test_equal_text_is_one_object_and_nothing_else_changes():
    read = _read()
    as_read = read.copy(deep=True)
    assert len({id(v) for v in read["indicator_id"]}) > 3  # one string a cell, as read
    shared = shared_strings(read)
    pd.testing.assert_frame_equal(shared, as_read, check_exact=True)
    for column, distinct in (("indicator_id", 3), ("area_code", 40)):
        assert len({id(v) for v in shared[column]}) == distinct
    trend = shared["recent_trend"]
    assert trend.isna().sum() == len(range(0, ROWS, 7))  # missing stays missing
    assert len({id(v) for v in trend.dropna()}) == 1
    assert np.array_equal(shared["numerator"].to_numpy(), np.arange(ROWS))


def test_a_table_read_from_the_warehouse_holds_each_distinct_text_once(tmp_path, monkeypatch):
    """What the statistics step and the GX suites read (read_table) is shared as it is read."""
    from indicators.config import ChorusSettings
    from indicators.warehouse_tables import read_table

    monkeypatch.setenv("CHORUS_HOME", str(tmp_path))
    settings = ChorusSettings.from_env()
    settings.warehouse.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(settings.warehouse)) as connection:
        connection.execute("create schema marts")
        connection.register("incoming", _read())
        connection.execute("create table marts.values as select * from incoming")
    table = read_table(settings, "marts.values")
    pd.testing.assert_frame_equal(table, _read(), check_exact=True)
    assert len({id(v) for v in table["area_code"]}) == 40


def test_read_a_chunk_at_a_time_the_frame_is_the_whole_result():
    """shared_frame reads DuckDB's result a chunk at a time (here 2,048 rows: two chunks),
    so that a string per cell is held for one chunk only; the frame is what .df() gives."""
    whole = _read()
    chunked = shared_frame(_result(), vectors=1)
    pd.testing.assert_frame_equal(chunked, whole, check_exact=True)
    assert chunked.index.equals(pd.RangeIndex(ROWS))
    assert len({id(v) for v in chunked["indicator_id"]}) <= 3 * 2  # once a chunk at most
    none = shared_frame(_result("false"), vectors=1)  # no row: every column, as .df() has it
    pd.testing.assert_frame_equal(none, _result("false").df())
    exactly = shared_frame(_result("i < 2048"), vectors=1)  # one full chunk, then none
    pd.testing.assert_frame_equal(exactly, whole.iloc[:2048], check_exact=True)


def test_a_chunk_of_nothing_but_missing_text_keeps_the_columns_type():
    """DuckDB hands a chunk whose text column holds only nulls over as objects; the frame
    keeps the type the whole result has, whichever chunk the nulls are in."""
    for nulls in ("i < 2048", "i >= 2048"):
        sql = f"""select case when {nulls} then null else 'N' || (i % 5) end as area_code,
                         case when {nulls} then null else i end as numerator
                  from range(3000) as t(i)"""
        whole = duckdb.connect().execute(sql).df()
        chunked = shared_frame(duckdb.connect().execute(sql), vectors=1)
        pd.testing.assert_frame_equal(chunked, whole, check_exact=True)
        assert isinstance(chunked["area_code"].dtype, pd.StringDtype)


def test_the_engine_hands_over_a_chunk_at_a_time():
    """What keeps the read small at national: the result is never asked for whole."""

    class Counted:
        def __init__(self, result):
            self.result, self.chunks = result, []

        def fetch_df_chunk(self, vectors):
            chunk = self.result.fetch_df_chunk(vectors)
            self.chunks.append(len(chunk))
            return chunk

        def df(self):
            raise AssertionError("read whole")

    counted = Counted(_result())
    pd.testing.assert_frame_equal(shared_frame(counted, vectors=1), _read(), check_exact=True)
    assert counted.chunks == [2048, ROWS - 2048, 0]
