"""register/families.html: a page for families, in plain English, on how their information is
used: what Chorus collects and why, who sees it, what is published, how small numbers are
protected, how quotes are chosen and consent respected, and who to ask.

Everything on it is read from declarations, never written here about one indicator or
source: the published register (every indicator by its title and definition), the source
specs (what each keeps of a person, which consent each asks), the information inventory as
the map reads it (who holds each source, whose voice it carries, what it builds), the
frameworks (who reads which pack), the disclosure settings (seeds/disclosure_control.csv)
and the LA's contact details (seeds/families_page.csv: field,value; a bad row is named in
one line and left out, never stopping the page).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from indicators.disclosure.control import DisclosureConfig
from indicators.sources.spec import SourceSpec

CONTACT_FILE = "families_page.csv"
CONTACT_FIELDS = {
    "authority_name": "the council's name, as families know it",
    "team": "the team families can ask",
    "email": "an e-mail address",
    "phone": "a telephone number",
    "address": "a postal address",
    "privacy_notice": "the web address of the council's privacy notice",
}
REQUIRED_CONTACTS = ("authority_name", "team", "email")
VOICE_WORDS = {
    "child": "children",
    "parent": "parents and carers",
    "practitioner": "the people who work with families",
}
GLOSSARY = {
    "EYFSP": "the Early Years Foundation Stage Profile: the teacher's record, at the end of the "
    "reception year, of whether each child reached the expected level in 17 early learning goals",
    "GLD": "a good level of development: the expected level in the 12 main early learning goals",
    "ASQ-3": "the questionnaire parents fill in with the health visitor at the two-year review",
    "WellComm": "a check of young children's speech and language used in nurseries and clinics",
    "UPN": "unique pupil number: the number schools give each pupil",
    "SEN": "special educational needs",
    "EAL": "English as an additional language",
    "FSM": "free school meals",
    "LSOA": "a small area of about 1,500 people that national statistics use",
    "IDACI": "a national measure of how many children in a small area live in low-income families",
    "Voice Note": "a record of what a parent or carer said about their family's needs, made when "
    "Early Help first calls them",
    "Pathway Plan": "the plan a young person leaving care makes with their personal adviser",
}
CONSENT_WORDS = {
    "aggregate": "whether their answers may be used at all, counted with everyone else's",
    "quote": (
        "whether their own written words may be quoted, with names and other details taken out"
    ),
    "link": "whether their answers may be linked to their child's school record",
}
CONSENT_ORDER = ("aggregate", "quote", "link")
LEVEL_WORDS = {
    "English devolved area": "the combined authority",
    "Local authority": "the whole council area",
    "Local authority district": "each district",
    "Neighbourhood": "each neighbourhood",
    "Team": "each team",
}


@dataclass
class FamiliesPage:
    """What the page says, gathered from the declarations (`families_page`)."""

    authority: str
    contacts: dict[str, str]
    sources: list[dict[str, object]]
    not_used: list[str]
    audiences: list[dict[str, object]]
    domains: list[tuple[str, list[dict[str, str]]]]
    threshold: int
    min_respondents: int
    round_to: int
    consent: list[dict[str, object]]
    problems: list[str] = field(default_factory=list)


def load_contacts(path: Path, shown: str | None = None) -> tuple[dict[str, str], list[str]]:
    """The LA's contact details (field,value) and one line for each row that cannot be used
    (file, row as a spreadsheet numbers it, column, rule); a missing file or column is one
    line too, and the page then says who to ask without them."""
    shown = shown or f"seeds/{CONTACT_FILE}"
    if not path.is_file():
        return {}, [f"{shown}: the file is missing: the page for families has no contact details"]
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.columns = [str(column).strip() for column in frame.columns]
    missing = [column for column in ("field", "value") if column not in frame.columns]
    if missing:
        return {}, [f"{shown}: column {', '.join(missing)} is missing: the header is field,value"]
    contacts: dict[str, str] = {}
    problems = []
    for number, row in enumerate(frame.to_dict("records"), start=2):
        name, value = str(row["field"]).strip(), str(row["value"]).strip()
        if name not in CONTACT_FIELDS:
            problems.append(
                f"{shown}, row {number}, column field: '{name}' is not one of "
                f"{', '.join(CONTACT_FIELDS)} [contact_field]"
            )
        elif name in contacts:
            problems.append(f"{shown}, row {number}, column field: '{name}' is given twice")
        elif not value:
            problems.append(f"{shown}, row {number}, column value: {name} is blank")
        else:
            contacts[name] = value
    for name in REQUIRED_CONTACTS:
        if name not in contacts and not any(f"column value: {name} " in p for p in problems):
            problems.append(f"{shown}: no row gives {name} ({CONTACT_FIELDS[name]})")
    return contacts, problems


def _voices(text: str) -> str:
    words = [VOICE_WORDS[v.strip()] for v in str(text).split(";") if v.strip() in VOICE_WORDS]
    return " and ".join(words) if words else "nobody's own words"


def _kept(spec: SourceSpec) -> list[str]:
    """What the source keeps of a person, in plain words, from its columns' identifier rules."""
    handled = {column.identifier.handling for column in spec.columns}
    reduced = {column.identifier.to for column in spec.columns if column.identifier.to}
    said = []
    if "pseudonymise" in handled:
        said.append(
            "ID numbers (such as a child's pupil number or NHS number) are swapped for a code "
            "made with the council's secret key. The numbers themselves are not kept."
        )
    if "year_month" in reduced:
        said.append("Dates, such as a date of birth, are kept only as a month and year.")
    linked = any(column.identifier.linked_as for column in spec.columns)
    if "postcode_sector" in reduced and linked:
        said.append(
            "A postcode is kept in two ways, never as itself: as its first part and one more "
            "number (such as OL11 3), which thousands of homes share; and as a code made with "
            "the council's secret key, used only to find the small area (about 700 homes) it "
            "lies in. Homes with the same postcode get the same code."
        )
    elif "postcode_sector" in reduced:
        said.append(
            "A home postcode is kept only as its first part and one more number "
            "(such as OL11 3), which thousands of homes share."
        )
    dropped = [
        column.name.replace("_", " ")
        for column in spec.columns
        if column.identifier.handling == "drop"
    ]
    if dropped:
        said.append(f"These are read but never kept: {', '.join(dropped)}.")
    if spec.consent.get("aggregate"):
        said.append("Nothing is kept from anyone who did not agree to their answers being used.")
    if spec.free_text:
        said.append("Written words are kept only if the person agreed to be quoted.")
    return said or ["No names or ID numbers are in it."]


def families_page(
    register: pd.DataFrame,
    sources: pd.DataFrame,
    listing: pd.DataFrame,
    specs: Mapping[str, SourceSpec],
    config: DisclosureConfig,
    contacts: dict[str, str],
    problems: list[str] | None = None,
) -> FamiliesPage:
    """The page's facts. `register` is the published register (register/indicators.csv),
    `sources` the inventory as the information map reads it (InformationMap.sources),
    `listing` register/frameworks.csv."""
    domain_of = dict(zip(register["indicator_id"], register["domain"], strict=True))
    used, not_used = [], []
    for row in sources.to_dict("records"):
        kind = str(row.get("ingested_by_chorus") or "").strip()
        if kind not in specs:
            not_used.append(str(row["name"]))
            continue
        used.append(
            {
                "name": row["name"],
                "owner": row["owner_or_service"],
                "voice": _voices(row["voice"]),
                "kept": _kept(specs[kind]),
                "figures": sum(1 for i in row["indicators"] if i in domain_of),
                "about": sorted({domain_of[i] for i in row["indicators"] if i in domain_of}),
            }
        )
    audiences = []
    for framework_id, rows in listing.groupby("framework_id", sort=False):
        first = rows.iloc[0]
        levels = [first["authority_level"], first["area_level"]]
        audiences.append(
            {
                "framework": framework_id,
                "title": first["framework_title"],
                "audience": first["audience"],
                "places": [LEVEL_WORDS.get(lv, str(lv).lower()) for lv in levels if lv],
                "figures": len(rows),
            }
        )
    domains = [
        (
            str(domain),
            [
                {"title": row["title"], "definition": row["definition"]}
                for row in rows.sort_values("title").to_dict("records")
            ],
        )
        for domain, rows in register.groupby("domain", sort=True)
    ]
    consent = []
    for spec in specs.values():
        roles = [role for role in CONSENT_WORDS if spec.consent.get(role)]
        if spec.free_text.get("consent") and "quote" not in roles:
            roles.append("quote")
        if roles:
            consent.append(
                {
                    "source": spec.title,
                    "asks": [CONSENT_WORDS[role] for role in CONSENT_ORDER if role in roles],
                }
            )
    return FamiliesPage(
        authority=contacts.get("authority_name", "your council"),
        contacts=contacts,
        sources=used,
        not_used=not_used,
        audiences=audiences,
        domains=domains,
        threshold=config.threshold,
        min_respondents=config.voice_min_respondents,
        round_to=config.round_to or 0,
        consent=consent,
        problems=list(problems or []),
    )


def glossary(text: str) -> list[tuple[str, str]]:
    """The short words of GLOSSARY that the page's text uses, each with its meaning."""
    return [
        (word, meaning)
        for word, meaning in GLOSSARY.items()
        if re.search(rf"(?<![A-Za-z0-9]){re.escape(word)}(?![A-Za-z0-9])", text)
    ]


def render_families_html(page: FamiliesPage, generated: str) -> str:
    """The page: one self-contained, accessible HTML file (lang, landmarks, headings in
    order, tables with captions and headers)."""
    from jinja2 import Environment, select_autoescape

    from indicators.publish.families_template import PAGE

    environment = Environment(autoescape=select_autoescape(default=True))
    first = environment.from_string(PAGE).render(
        page=page, generated=generated, contact_labels=CONTACT_FIELDS, words=[]
    )
    return environment.from_string(PAGE).render(
        page=page, generated=generated, contact_labels=CONTACT_FIELDS, words=glossary(first)
    )
