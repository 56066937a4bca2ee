"""`chorus`: generate a synthetic borough, run the pipeline, open the Dagster UI.

Every failure ends with one line saying what went wrong (`chorus: ...`), the log that holds
the details (`log: ...`) and a non-zero exit: never a stack trace or Dagster's log lines.
"""

import contextlib
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
import traceback
import warnings
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from indicators.config import ChorusSettings, SettingsError, absolute
from orchestration import run_screen
from orchestration.instance import dagster_environment, prepare_dagster_home, shown_warehouse
from orchestration.runner import PipelineCrashed

app = typer.Typer(
    add_completion=False,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    help="Chorus: neighbourhood indicators joining statutory returns with families' voices.",
)
console = Console(stderr=True)
out = Console()


def fail(message: str, log_path: str | Path | None = None) -> None:
    """The one line a failure prints (and where its details are), then exit 1."""
    console.print(
        f"chorus: {message}", style="bold red", soft_wrap=True, markup=False, highlight=False
    )
    if log_path:
        console.print(f"log: {log_path}", soft_wrap=True, markup=False, highlight=False)
    raise typer.Exit(1)


@app.command()
def synth(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write the landing area to.")],
    seed: Annotated[int, typer.Option(help="Same seed, same files.")] = 42,
    children_per_year: Annotated[
        int | None,
        typer.Option(
            help="Children a year (default 3,000 for a borough, 35,000 for the combined "
            "authority, 620,000 national)."
        ),
    ] = None,
    years: Annotated[
        str, typer.Option(help="Academic years, comma-separated.")
    ] = "2021/22,2022/23,2023/24,2024/25",
    scale: Annotated[
        str,
        typer.Option(
            help="borough (five neighbourhoods), combined (Greater Manchester's ten "
            "authorities) or national (about 150 authorities)."
        ),
    ] = "borough",
    authorities: Annotated[
        int,
        typer.Option(help="With --scale national: how many authorities."),
    ] = 150,
) -> None:
    """Write a synthetic landing area: EYFSP returns, census extracts and lookups."""
    from indicators.synthetic.generate import generate, parse_years

    try:
        year_list = parse_years(years)
    except ValueError as error:
        fail(str(error))
    per_year = children_per_year or {"national": 620_000, "combined": 35_000}.get(scale, 3000)
    started = time.perf_counter()
    with console.status("generating") as status:
        try:
            files = generate(
                out_dir,
                seed=seed,
                children_per_year=per_year,
                years=year_list,
                scale=scale,
                progress=lambda text: status.update(text),
                authorities_count=authorities,
            )
        except ValueError as error:
            fail(str(error))
    console.print(
        f"wrote {len(files)} files ({per_year:,} children a year, "
        f"{', '.join(year_list)}) to {out_dir} in {time.perf_counter() - started:.1f} s"
    )


def _run(settings: ChorusSettings) -> None:
    outcome = run_screen.execute(settings)
    if not outcome.success:
        fail(outcome.reason, outcome.log_path)
    run_screen.summary(settings, outcome)


@app.command()
def run(
    landing: Annotated[Path, typer.Option(help="The landing folder (eyfsp/, census/, ...).")],
    out_dir: Annotated[Path, typer.Option("--out", help="Where to publish.")] = Path("output"),
    allow_demo_key: Annotated[
        bool,
        typer.Option(
            "--allow-demo-key",
            help="Use the public demo pseudonym key even for returns chorus "
            "synth did not write (test data you made yourself; never "
            "real returns). Same as CHORUS_ALLOW_DEMO_KEY=1.",
        ),
    ] = False,
) -> None:
    """Run the whole pipeline on the landed files and publish to --out."""
    settings = replace(
        ChorusSettings.from_env(), landing=landing.resolve(), output=absolute(out_dir)
    )
    if allow_demo_key:
        settings = replace(settings, allow_demo_key=True)
    _run(settings)


@app.command()
def demo() -> None:
    """Generate the synthetic borough into data/landing, run everything, publish to output/."""
    from indicators.synthetic.generate import generate

    settings = ChorusSettings.from_env()
    if settings.landing.exists():
        shutil.rmtree(settings.landing)
    with console.status("generating the synthetic borough of Harrowdale"):
        files = generate(settings.landing)
    console.print(f"synthetic borough: {len(files)} files in {settings.landing}")
    _run(settings)


@app.command()
def daemon() -> None:
    """Run Dagster's daemon (the landing sensor, the return-window schedule, the run queue)
    without the UI, e.g. as a service; the same environment as `chorus run` (Ctrl-C to stop)."""
    settings = ChorusSettings.from_env()
    env = dagster_environment(settings)
    console.print(f"Dagster daemon over warehouse {shown_warehouse(settings)}")
    daemon_program = Path(sys.executable).with_name("dagster-daemon")
    command = [str(daemon_program), "run", "-m", "orchestration.definitions"]
    raise typer.Exit(subprocess.call(command, env=env))


@app.command()
def ui(
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1.")] = 3000,
) -> None:
    """Open the Dagster UI on 127.0.0.1 over the same warehouse (Ctrl-C to stop)."""
    settings = ChorusSettings.from_env()
    env = dagster_environment(settings)
    dagster = Path(sys.executable).with_name("dagster")
    console.print(f"Dagster UI on http://127.0.0.1:{port} (warehouse {shown_warehouse(settings)})")
    command = [
        str(dagster),
        "dev",
        "-m",
        "orchestration.definitions",
        "-h",
        "127.0.0.1",
        "-p",
        str(port),
    ]
    raise typer.Exit(subprocess.call(command, env=env))


@app.command()
def validate(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Files or folders laid out as in the landing area, e.g. eyfsp/2023-24/return.csv"
        ),
    ],
    show_identifiers: Annotated[
        bool,
        typer.Option(
            help="Show UPNs, names, dates of birth and postcodes in messages (your own screen "
            "only)."
        ),
    ] = False,
) -> None:
    """Check returns before landing them: every defect is printed, nothing is loaded."""
    from indicators.ingest.validate import validate_paths
    from indicators.sources.load import source_spec_line

    spec_problem = source_spec_line()
    if spec_problem:
        console.print(f"chorus: {spec_problem}", soft_wrap=True, markup=False, highlight=False)
        raise typer.Exit(1)
    settings = ChorusSettings.from_env()
    report = validate_paths(
        [path.resolve() for path in paths], settings.seeds, sheet=settings.xlsx_sheet
    )
    for line in report.format(show_identifiers=show_identifiers):
        out.print(line, soft_wrap=True, highlight=False, markup=False)
    if not report.ok:
        raise typer.Exit(1)


@app.command(name="new-indicator")
def new_indicator(
    name: Annotated[
        str, typer.Argument(help="<domain>__<name>, e.g. school_readiness__reading_at_home")
    ],
) -> None:
    """Scaffold a new indicator: one dbt model and its YAML, every field marked TODO."""
    from orchestration.dbt_setup import INDICATOR_MODELS_DIR, refresh_union
    from orchestration.scaffold import scaffold_indicator

    try:
        sql_path, yml_path = scaffold_indicator(name, INDICATOR_MODELS_DIR)
    except ValueError as error:
        fail(str(error))
    union = refresh_union()
    out.print(
        f"wrote {sql_path}\nwrote {yml_path}\n"
        + (f"wrote {union} (it collects every indicator model)\n" if union else "")
        + "Fill in every TODO (the SQL condition and each metadata field), then run "
        "`chorus run --landing ... --out ...`: the indicator joins the register and the "
        "published tables by itself."
    )


@app.command(name="new-source")
def new_source(
    name: Annotated[
        str, typer.Argument(help="the source's name and landing folder, e.g. home_visits")
    ],
) -> None:
    """Scaffold a new source: its spec (every field, with examples), a staging model and a
    fixture to land; then writes dbt's raw sources and docs/inputs.md again."""
    from indicators.sources.load import SpecInvalid, forget_loaded_sources, sources_dir
    from orchestration.dbt_setup import DBT_PROJECT_DIR, refresh_from_specs
    from orchestration.new_source import EXAMPLE_YEAR, scaffold_source

    settings = ChorusSettings.from_env()
    try:
        spec, staging, fixture = scaffold_source(
            name, sources_dir(), DBT_PROJECT_DIR, settings.seeds
        )
        forget_loaded_sources()
        refresh_from_specs()
    except (ValueError, SpecInvalid) as error:
        console.print(f"chorus: {error}", soft_wrap=True, markup=False, highlight=False)
        raise typer.Exit(1) from None
    for line in (
        f"wrote {spec}: say what the return holds (every field has an example)",
        f"wrote {staging} (and its YAML): rename and type the columns for the models",
        f"wrote {fixture}: land it as <landing>/{name}/{EXAMPLE_YEAR}/ to try it",
        "then `chorus validate <landing>/" + name + "` and `chorus run`",
    ):
        out.print(line, soft_wrap=True, markup=False, highlight=False)


@app.command(name="dbt-refresh")
def dbt_refresh() -> None:
    """Write the union of the indicator models again (after adding or removing one by hand),
    and what the source specs generate (dbt's raw-zone sources, docs/inputs.md)."""
    from indicators.sources.load import SpecInvalid
    from orchestration.dbt_setup import (
        INDICATOR_MODELS_DIR,
        UNION_MODEL,
        refresh_from_specs,
        refresh_union,
    )

    try:
        generated = refresh_from_specs()
    except SpecInvalid as invalid:
        console.print(f"chorus: {invalid}", soft_wrap=True, markup=False, highlight=False)
        raise typer.Exit(1) from None
    for path in generated:
        out.print(
            f"wrote {path} from the source specs", soft_wrap=True, markup=False, highlight=False
        )
    union = refresh_union()
    if union:
        out.print(
            f"wrote {union}: it collects every model in {INDICATOR_MODELS_DIR}",
            soft_wrap=True,
            markup=False,
            highlight=False,
        )
    else:
        out.print(
            f"{UNION_MODEL} already collects every model in {INDICATOR_MODELS_DIR}",
            soft_wrap=True,
            markup=False,
            highlight=False,
        )


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def dbt(context: typer.Context) -> None:
    """Run a dbt command with Chorus's environment, e.g. `chorus dbt -- docs generate`."""
    from orchestration.dbt_state import run_dbt_by_hand

    result = run_dbt_by_hand(list(context.args))
    raise typer.Exit(result.returncode)


key_app = typer.Typer(no_args_is_help=True, help="Pseudonym keys.")
app.add_typer(key_app, name="key")


@key_app.command("new")
def key_new(
    file: Annotated[
        Path | None,
        typer.Option(
            help="Write the key to this new file (readable by you only) instead of printing it; "
            "never a file inside a git repository."
        ),
    ] = None,
) -> None:
    """Make a fresh pseudonym key and say how to keep it."""
    from indicators.ingest.keys import new_key, write_key_file

    key = new_key()
    if file is not None:
        target = file.expanduser().resolve()
        repository = next(
            (
                folder
                for folder in (target.parent, *target.parent.parents)
                if (folder / ".git").exists()
            ),
            None,
        )
        if repository is not None:
            fail(
                f"{target} is inside the git repository {repository}: keep the key outside "
                "any repository (e.g. ~/.config/chorus/pseudonym.key)"
            )
        if target.exists():
            fail(
                f"{target} exists already: Chorus never overwrites a key (changing the key "
                "reloads every year); choose another path"
            )
        write_key_file(target, key)
        console.print(
            f"wrote a new pseudonym key to {target} (readable by you only).\n"
            f"Use it with: export CHORUS_PSEUDONYM_KEY_FILE={target}",
            soft_wrap=True,
            markup=False,
            highlight=False,
        )
    else:
        out.print(key, markup=False, highlight=False)
    console.print(
        "Keep the key secret, and keep it: anyone who has it can turn the pseudonyms in the "
        "warehouse back into UPNs.\n"
        "  - In a file only you can read, outside any repository: "
        "chorus key new --file ~/.config/chorus/pseudonym.key, then "
        "export CHORUS_PSEUDONYM_KEY_FILE=~/.config/chorus/pseudonym.key\n"
        "  - Or in the environment of the service that runs Chorus: "
        "CHORUS_PSEUDONYM_KEY=<key> (from your secrets store, not a script in the repository)."
        "\n  - Never commit it, e-mail it or paste it into a ticket. Back it up where your "
        "other secrets are backed up.\n"
        "Changing the key later reloads every landed year under the new key.",
        soft_wrap=True,
        markup=False,
        highlight=False,
    )


@app.command()
def purge(
    before: Annotated[
        str, typer.Option(help="Remove every academic year before this one, e.g. 2021/22.")
    ],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Remove archived files and raw rows of academic years before --before (logged)."""
    from indicators.ingest.retention import purge as purge_years
    from indicators.reference import AcademicYear
    from indicators.warehouse import LockHolder, WarehouseBusy, warehouse_lock
    from orchestration.instance import settle_abandoned

    settings = ChorusSettings.from_env()
    try:
        limit = AcademicYear.parse(before)
    except ValueError as error:
        fail(str(error))
    if not yes and not typer.confirm(
        f"Remove every archived file and raw row of academic years before {limit.label} "
        f"from {settings.home}? This cannot be undone",
        err=True,
    ):
        fail("nothing was purged")
    log_path = settings.home / "logs" / f"purge-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%SZ}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with warehouse_lock(
            settings.warehouse, LockHolder(started_by="chorus purge"), settings.lock_wait_seconds
        ) as held:
            if held.previous and held.previous.run_id and settings.dagster_home.exists():
                from dagster import DagsterInstance

                prepare_dagster_home(settings)
                settle_abandoned(DagsterInstance.get(), held.previous)
            report = purge_years(settings.warehouse, settings.archive, limit, reason="chorus purge")
            shutil.rmtree(settings.kept, ignore_errors=True)  # packs, decisions: purged years
    except WarehouseBusy as busy:
        fail(str(busy))
    lines = [*report.lines(), "Packs and disclosure decisions kept for reuse: removed."]
    with log_path.open("w", encoding="utf-8") as log:
        log.write(
            f"{dt.datetime.now(dt.UTC).isoformat(timespec='seconds')} "
            f"{json.dumps(report.as_json())}\n"
        )
        log.write("\n".join(lines) + "\n")
    for line in lines:
        out.print(line, soft_wrap=True, markup=False, highlight=False)
    out.print(
        f"Years before {limit.label} will not load again, even if still landed. The "
        "current publication shows them until the next run republishes without them: "
        "chorus run, or Materialize all in the UI (the sensor starts runs only for "
        "changed files).",
        soft_wrap=True,
        markup=False,
        highlight=False,
    )
    out.print(f"log: {log_path}", soft_wrap=True, markup=False, highlight=False)


def _error_log(error: BaseException, line: str) -> Path | None:
    """Write an unexpected error's traceback (and the line the console shows) to a log
    under CHORUS_HOME; its path."""
    try:
        settings = ChorusSettings.from_env()
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        path = settings.home / "logs" / f"chorus-error-{stamp}-{os.getpid()}.log"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            " ".join(sys.argv) + "\n" + "".join(traceback.format_exception(error)) + line + "\n",
            encoding="utf-8",
        )
        return path
    except Exception:
        return None


def main() -> None:
    warnings.filterwarnings("ignore", module="dagster")
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "False")
    try:
        app(standalone_mode=True)
    except SettingsError as error:
        console.print(
            f"chorus: {error}", style="bold red", soft_wrap=True, markup=False, highlight=False
        )
        sys.exit(1)
    except Exception as error:  # the one-line reason and the log; CHORUS_DEBUG=1 re-raises
        if os.environ.get("CHORUS_DEBUG"):
            raise
        first = str(error).strip().splitlines()
        message = (
            str(error)
            if isinstance(error, PipelineCrashed)
            else (f"{type(error).__name__}: {first[0] if first else ''}")
        )
        line = f"chorus: unexpected error: {message}"
        if isinstance(error, PipelineCrashed):
            log_path = error.log_path
            with contextlib.suppress(OSError), log_path.open("a", encoding="utf-8") as log:
                log.write(line + "\n")
        else:
            log_path = _error_log(error, line)
        console.print(line, style="bold red", soft_wrap=True, markup=False, highlight=False)
        if log_path:
            console.print(
                f"log: {log_path} (please include it when you report this)",
                soft_wrap=True,
                markup=False,
                highlight=False,
            )
        sys.exit(1)


if __name__ == "__main__":
    main()
