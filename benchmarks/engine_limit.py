"""B: the engine's limit. One DuckDB process computes the published school-readiness values
straight from the landed CSV files with plain SQL: no validation, no pseudonymisation, no
orchestration, no statistics. What Chorus (A) costs beyond this is the price of trust.
Where the landing holds them, one headline of each other framework too, for each authority
and financial year: care leavers in touch, two-year reviews by 30 months, Early Help
referrals with a hub meeting date.

usage: python benchmarks/engine_limit.py LANDING OUT.csv
"""

import sys
import time
from pathlib import Path

import duckdb

BREAKDOWNS = {
    "Sex": "case sex when 'F' then 'Female' when 'M' then 'Male' end",
    "FSM eligibility": "case fsm_eligible when 'Y' then 'Eligible' else 'Not eligible' end",
    "First language": "case first_language when 'ENG' then 'English' "
    "when 'OTH' then 'Other than English' else 'Unknown' end",
    "SEN provision": "case sen_provision when 'N' then 'No SEN' when 'K' then 'SEN support' "
    "when 'E' then 'EHC plan' end",
    "Season of birth": "case when birth_month >= 9 then 'Autumn-born' "
    "when birth_month <= 4 then 'Spring-born' else 'Summer-born' end",
}
GLD = " and ".join(f"elg{n:02d} = '2'" for n in range(1, 13))
ALL17 = " and ".join(f"elg{n:02d} = '2'" for n in range(1, 18))
ELGS = " + ".join(f"cast(elg{n:02d} = '2' as integer)" for n in range(1, 18))


def main(landing: Path, out: Path) -> None:
    started = time.perf_counter()
    con = duckdb.connect()
    con.execute(f"""
        create table children as
        with eyfsp as (
            select *, cast(regexp_extract(filename, '(\\d{{4}})-(\\d{{2}})', 1) as integer) * 100
                      + cast(regexp_extract(filename, '(\\d{{4}})-(\\d{{2}})', 2) as integer)
                      as time_period
            from read_csv('{landing}/eyfsp/*/*.csv', all_varchar = true, filename = true)
        ),
        census as (
            select * from read_csv('{landing}/census/*/*.csv', all_varchar = true,
                                   filename = true)
        ),
        lookup as (select * from read_csv('{landing}/seeds/neighbourhood_lookup.csv',
                                          all_varchar = true)),
        authorities as (select * from read_csv('{landing}/seeds/local_authorities.csv',
                                               all_varchar = true))
        select
            eyfsp.time_period, eyfsp.sex, census.fsm_eligible, census.first_language,
            census.sen_provision, cast(substr(eyfsp.dob, 6, 2) as integer) as birth_month,
            lookup.neighbourhood_code, lookup.neighbourhood_name,
            authorities.new_la_code, authorities.la_name,
            {GLD} as is_gld, {ALL17} as is_all17, {ELGS} as elgs
        from eyfsp
        join census on eyfsp.upn = census.upn
            and regexp_extract(census.filename, '(\\d{{4}}-\\d{{2}})')
                = regexp_extract(eyfsp.filename, '(\\d{{4}}-\\d{{2}})')
        join lookup on left(census.postcode, length(census.postcode) - 2)
            = lookup.postcode_sector
        join authorities on eyfsp.la_code = authorities.la_code
    """)
    parts = []
    for indicator, numerator in (
        ("gld", "count_if(is_gld)"),
        ("all_elgs_expected", "count_if(is_all17)"),
        ("average_elgs_expected", "sum(elgs)"),
    ):
        scale = "1.0" if indicator == "average_elgs_expected" else "100.0"
        parts.append(f"""
            select '{indicator}' as indicator_id, time_period, 'Neighbourhood' as level,
                   neighbourhood_code as area_code, 'All' as breakdown, 'All children' as grp,
                   {numerator} as numerator, count(*) as denominator,
                   {scale} * {numerator} / count(*) as value
            from children group by all""")
        parts.append(f"""
            select '{indicator}', time_period, 'Local authority', new_la_code, 'All',
                   'All children', {numerator}, count(*), {scale} * {numerator} / count(*)
            from children group by all""")
        for label, expression in BREAKDOWNS.items():
            parts.append(f"""
                select '{indicator}', time_period, 'Local authority', new_la_code, '{label}',
                       {expression}, {numerator}, count(*),
                       {scale} * {numerator} / count(*)
                from children group by all""")
    parts += frameworks(con, landing)
    con.execute(f"copy ({' union all '.join(parts)} order by all) to '{out}' (header)")
    rows = con.execute(f"select count(*) from read_csv('{out}')").fetchone()[0]
    print(f"engine limit: {rows} indicator rows in {time.perf_counter() - started:.1f} s")


FINANCIAL_YEAR = (
    "cast(regexp_extract({0}.filename, '/(\\d{{4}})-(\\d{{2}})/', 1) as integer) * 100"
    " + cast(regexp_extract({0}.filename, '/(\\d{{4}})-(\\d{{2}})/', 2) as integer)"
)


def counted(condition: str) -> str:
    """Rows where `condition` holds, 0 when none does (a blank cell is NULL)."""
    return f"count(*) filter (where {condition})"


def code(column: str) -> str:
    """A code as ingest reads it: trimmed, upper case."""
    return f"upper(trim({column}))"


def sector(column: str) -> str:
    """A postcode sector as the lookups read it: upper case, one space, a full postcode
    cut to its sector."""
    spaced = f"regexp_replace(upper(trim({column})), '\\s+', ' ', 'g')"
    return f"regexp_replace({spaced}, '^([A-Z]{{1,2}}[0-9][0-9A-Z]? [0-9])[A-Z]{{2}}$', '\\1')"


def frameworks(con: duckdb.DuckDBPyConnection, landing: Path) -> list[str]:
    """One headline a framework the landing holds, by authority and financial year. Rules
    worked from the models' definitions; what they leave out: a month beside an empty or
    missing Voice Notes file (A counts it as not followed up) and a referral id landed in
    two months (A puts it aside); the benchmark's synthetic landings have neither."""
    parts = []

    def files(kind: str) -> str | None:
        return f"{landing}/{kind}/*/*.csv" if list(landing.glob(f"{kind}/*/*.csv")) else None

    teams = f"read_csv('{landing}/seeds/teams.csv', all_varchar = true)"
    touch = f"{code('c.IN_TOUCH')} = 'YES'"
    met = "trim(r.hub_meeting_date) <> ''"
    if found := files("care_leavers"):
        parts.append(f"""
            select 'cl_in_touch', {FINANCIAL_YEAR.format("c")}, 'Local authority', t.new_la_code,
                   'All', 'All care leavers', {counted(touch)}, count(*),
                   100.0 * {counted(touch)} / count(*)
            from read_csv('{found}', all_varchar = true, filename = true) c
            join {teams} t on {code("c.team_code")} = {code("t.team_code")}
            group by all""")
    if found := files("health_visitor_reviews"):
        # A neighbourhood's authority: the one most of its children are returned under.
        con.execute("""
            create table hood_authority as
            select neighbourhood_code, mode(new_la_code) as new_la_code
            from children group by all""")
        reviewed = (
            "(trim(r.review_date) <> '' and try_cast(trim(r.age_in_months) as integer) <= 30)"
        )
        parts.append(f"""
            select 'ec_review_by_30_months', {FINANCIAL_YEAR.format("r")}, 'Local authority',
                   h.new_la_code, 'All', 'All children', {counted(reviewed)}, count(*),
                   100.0 * {counted(reviewed)} / count(*)
            from read_csv('{found}', all_varchar = true, filename = true) r
            join read_csv('{landing}/seeds/neighbourhood_lookup.csv', all_varchar = true) l
                on {sector("r.postcode_sector")} = {sector("l.postcode_sector")}
            join hood_authority h on l.neighbourhood_code = h.neighbourhood_code
            group by all""")
    if found := files("early_help_referrals"):
        # A month's referrals count once the next month's file is landed (its hub meetings
        # and notes may be there).
        con.execute(f"""
            create table referrals as
            select *, date_trunc('month', cast(referral_date as date)) as month,
                   cast(regexp_extract(filename, '/(\\d{{4}}-\\d{{2}})/', 1) || '-01' as date)
                       as landed_month
            from read_csv('{found}', all_varchar = true, filename = true)""")
        year = "year(r.month - interval 3 month)"
        parts.append(f"""
            select 'eh_hub_meeting_recorded', {year} * 100 + ({year} + 1) % 100,
                   'Local authority', t.new_la_code, 'All', 'All referrals',
                   {counted(met)}, count(*), 100.0 * {counted(met)} / count(*)
            from referrals r
            join {teams} t on {code("r.team_code")} = {code("t.team_code")}
            where r.month + interval 1 month in (select landed_month from referrals)
            group by all""")
    return parts


if __name__ == "__main__":
    main(Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve())
