"""Resources the assets share. Configured per run (the CLI passes --landing/--out); anything
not configured comes from the environment (indicators.config.ChorusSettings)."""


from dataclasses import replace
from pathlib import Path

from dagster import ConfigurableResource

from indicators.config import ChorusSettings


class ChorusResource(ConfigurableResource):
    """Where this run keeps its warehouse, reads landed files and writes publications.

    Unset fields fall back to CHORUS_HOME, CHORUS_LANDING, CHORUS_OUTPUT, CHORUS_SEEDS and
    CHORUS_EXPECTATIONS. Secrets (CHORUS_PSEUDONYM_KEY) come from the environment only.
    """

    home: str | None = None
    landing: str | None = None
    output: str | None = None
    seeds: str | None = None
    expectations: str | None = None
    xlsx_sheet: str | None = None
    packs: str | None = None

    def settings(self) -> ChorusSettings:
        settings = ChorusSettings.from_env()
        overrides: dict[str, object] = {name: Path(value).resolve() for name, value in (
            ("home", self.home), ("landing", self.landing), ("output", self.output),
            ("seeds", self.seeds), ("expectations", self.expectations)) if value}
        if self.xlsx_sheet:
            overrides["xlsx_sheet"] = self.xlsx_sheet
        if self.packs:
            overrides["packs"] = self.packs
        return replace(settings, **overrides)
