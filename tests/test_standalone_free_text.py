"""Free text on a standalone source (issue 13: "consent flags and free-text columns (scrubbed,
consent-gated)"; issue 16's Voice Notes carry a short quote with consent), through the real
ingest: `chorus new-source`'s scaffold given a free-text column and its consent column, one
file landed, loaded by the standalone stream as `chorus run` loads it. Every expected value
is written out by hand: the raw table holds only scrubbed text given with consent; a request
for help (leaving a phone number or an e-mail address is one, as for the voice survey) is
never kept: its row is named only in the run's log and on the restricted follow-up list, the
published load_log line (quality/load_summary.csv) counts it and names no row."""

from pathlib import Path

import duckdb
import pytest

from indicators.ingest.streams import STANDALONE, load_stream
from indicators.sources.load import SpecInvalid, load_spec
from tests.project_copy import scaffolded_sources, settings_for

HEADER = "record_id,upn,surname,record_date,postcode,outcome,score,note,consent_quote\n"
CONSENT_LIST = """\
  consent:
    rule: consent_code
    message: "consent must be {codes} (blank: no consent)"
    codes:
      - {code: Y, name: "yes"}
      - {code: N, name: "no"}
"""
FREE_COLUMNS = """\
  - name: note
    type: text
    identifier: keep
    required: false
    doc: what the family said, in their words
  - name: consent_quote
    type: code
    required: false
    identifier: keep
    show_rejected: true
    codes: consent
"""
FREE_TEXT = "free_text: {columns: note, consent: consent_quote, scrub: true, longest: 300}\n"
LONG = (
    "The story sessions at the library were the best part of our week, the staff knew "
    "every child and always had a new book ready for us to take home and share"
)
TOO_LONG = "We liked the group a lot " * 13  # 325 characters: more than longest: 300
ROWS = [
    ("R001", "The visit from Mrs Patel helped us read more at home", "Y"),
    ("R002", "My son Tyler enjoys the story sessions every week", " y "),
    ("R003", "The nursery number 0161 496 0123 was on the leaflet they gave us", "Y"),
    ("R004", "I emailed jo.bloggs@example.com about the group and they answered", "Y"),
    ("R005", "We moved to OL11 3AB last spring and the group was lovely", "Y"),
    ("R006", "Please can someone call me, we are struggling to pay for food", "Y"),
    ("R007", "The sessions were really good for my daughter", "N"),
    ("R008", "The sessions were really good for my son", ""),
    ("R009", "Jaxon LOVES IT", "Y"),
    ("R010", "", "Y"),
    ("R011", f"{LONG[:60]}\n{LONG[60:]}", "Y"),  # a line break reads as a space
    ("R012", TOO_LONG, "Y"),
]
UPNS = [
    "W35400020001A",
    "J35400020002A",
    "X35400020003A",
    "K35400020004A",
    "Y35400020005A",
    "L35400020006A",
    "Z35400020007A",
    "M35400020008A",
    "A35400020009A",
    "V35400020010A",
    "H35400020011A",
    "W35400020012A",
]


class Lines:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def info(self, msg: str) -> None:
        self.lines.append(msg)

    warning = error = info


def _with_free_text(text: str) -> str:
    codes_end = '      - {code: N, name: "no"}\n'
    score_end = "    doc: a whole number from 0 to 100\n"
    assert text.count(codes_end) == 1 and text.count(score_end) == 1
    text = text.replace(codes_end, codes_end + CONSENT_LIST)
    return text.replace(score_end, score_end + FREE_COLUMNS) + FREE_TEXT


@pytest.fixture
def landed(tmp_path, monkeypatch):
    spec = scaffolded_sources(tmp_path, _with_free_text)
    key = "a free-text test key, long enough and varied"
    settings = settings_for(monkeypatch, tmp_path, spec.parent.parent, key)
    path = settings.landing / "home_visits" / "2023-24" / "visits.csv"
    path.parent.mkdir(parents=True)
    body = "".join(
        f'{record},{upn},Example,2023-10-05,XH1 1AB,Y,50,"{note}",{consent}\n'
        for (record, note, consent), upn in zip(ROWS, UPNS, strict=True)
    )
    path.write_text(HEADER + body, encoding="utf-8")
    return settings


def test_only_scrubbed_consented_free_text_reaches_the_raw_table(landed):
    log = Lines()
    results = load_stream(landed, STANDALONE, ["2023-24"], None, log)
    assert [result.status for result in results] == ["loaded"]
    with duckdb.connect(str(landed.warehouse), read_only=True) as connection:
        rows = connection.execute(
            "select record_id, note, consent_quote from raw.home_visits_records order by record_id"
        ).fetchall()
        quarantined = connection.execute(
            "select row, column_name, value, rule from raw.quarantine where kind = 'home_visits'"
        ).fetchall()
        loaded = connection.execute(
            "select rows_read, rows_loaded, rows_quarantined, message from raw.load_log "
            "where kind = 'home_visits'"
        ).fetchall()
    assert rows == [
        ("R001", "The visit from Mrs [name] helped us read more at home", "Y"),
        ("R002", "My son [name] enjoys the story sessions every week", "Y"),
        ("R003", None, "Y"),  # a phone number left: a request for contact, never kept
        ("R004", None, "Y"),  # an e-mail address left: the same
        ("R005", "We moved to [postcode] last spring and the group was lovely", "Y"),
        ("R006", None, "Y"),  # asks for help
        ("R007", None, "N"),  # no consent
        ("R008", None, ""),  # blank: no consent, never assumed
        ("R009", None, "Y"),  # cannot be scrubbed with confidence: withheld
        ("R010", None, "Y"),  # nothing written
        (
            "R011",
            "The story sessions at the library were the best part of our week, the staff "
            "knew every child and always had a new book ready for us to take home and share",
            "Y",
        ),
    ]
    # Longer than free_text.longest: the row is quarantined, its text described, never quoted.
    assert quarantined == [(13, "note", "(withheld: identifier)", "value_too_long")]
    assert loaded == [
        (
            12,
            11,
            1,
            # The three requests for help are not counted, nor is the total written (10),
            # which with the other counts would give their number.
            "free text note: 4 kept, scrubbed; 2 without consent (consent_quote not Y) "
            "not kept; 1 withheld: could not be scrubbed with confidence",
        )
    ]
    assert (
        "2023/24: home_visits/2023-24/visits.csv: note at row 4, 5, 7 asks for help or "
        "discloses harm: not loaded; read it in the landed file and follow it up (never "
        "published)"
    ) in log.lines
    # the rows are named only on the restricted list (owner-only), never with their text
    restricted = landed.home / "follow_up" / "home_visits" / "2023-24.csv"
    assert restricted.read_text(encoding="utf-8").splitlines() == [
        "file,row,column,reason",
        "home_visits/2023-24/visits.csv,4,note,asks for help or contact",
        "home_visits/2023-24/visits.csv,5,note,asks for help or contact",
        "home_visits/2023-24/visits.csv,7,note,asks for help or contact",
    ]
    assert restricted.stat().st_mode & 0o777 == 0o600
    assert (landed.home / "follow_up").stat().st_mode & 0o777 == 0o700
    assert not list((landed.home / "follow_up").glob("*.csv"))  # the voice survey's: none
    warehouse = landed.warehouse.read_bytes()
    for secret in (b"Patel", b"Tyler", b"0161 496", b"jo.bloggs", b"OL11 3AB", b"Jaxon"):
        assert secret not in warehouse, secret


def test_a_request_for_help_in_a_quarantined_row_is_named_for_follow_up(landed):
    """A row quarantined for another reason (a score out of range) may still ask for help:
    its row is named for follow-up like a loaded row's, and its text is loaded nowhere."""
    path = landed.landing / "home_visits" / "2023-24" / "visits.csv"
    path.write_text(
        path.read_text(encoding="utf-8")
        + 'R013,J35400020013A,Example,2023-10-05,XH1 1AB,Y,500,"I do not feel safe at home, '
        'please help",Y\n',
        encoding="utf-8",
    )
    log = Lines()
    load_stream(landed, STANDALONE, ["2023-24"], None, log)
    with duckdb.connect(str(landed.warehouse), read_only=True) as connection:
        quarantined = connection.execute(
            "select row, column_name, rule from raw.quarantine where kind = 'home_visits' "
            "order by row"
        ).fetchall()
    assert quarantined == [(13, "note", "value_too_long"), (14, "score", "score_range")]
    assert (
        "2023/24: home_visits/2023-24/visits.csv: note at row 4, 5, 7, 14 asks for help or "
        "discloses harm: not loaded; read it in the landed file and follow it up (never "
        "published)"
    ) in log.lines, log.lines
    assert b"feel safe" not in landed.warehouse.read_bytes()


def test_a_request_for_help_in_a_file_rejected_whole_is_named_for_follow_up(landed):
    """A second file without its required record_date column is rejected whole; its note
    asking for help is still named for follow-up, and loaded nowhere."""
    second = landed.landing / "home_visits" / "2023-24" / "more_visits.csv"
    second.write_text(
        "record_id,upn,surname,postcode,outcome,score,note,consent_quote\n"
        'R101,W35400020001A,Example,XH1 1AB,Y,50,"The group was lovely",Y\n'
        'R102,J35400020002A,Example,XH1 1AB,Y,50,"I do not feel safe at home, please help",Y\n',
        encoding="utf-8",
    )
    log = Lines()
    load_stream(landed, STANDALONE, ["2023-24"], None, log)
    assert (
        "2023/24: home_visits/2023-24/more_visits.csv: note at row 3 asks for help or "
        "discloses harm: not loaded; read it in the landed file and follow it up (never "
        "published)"
    ) in log.lines, log.lines
    assert b"feel safe" not in landed.warehouse.read_bytes()


def _problems(tmp_path: Path, edit) -> list[str]:
    spec = scaffolded_sources(tmp_path, lambda text: edit(_with_free_text(text)))
    with pytest.raises(SpecInvalid) as refused:
        load_spec(spec.parent)
    return refused.value.problems


def test_a_well_formed_free_text_column_reads(tmp_path):
    spec = load_spec(scaffolded_sources(tmp_path, _with_free_text).parent)
    assert spec.free_text_columns == ("note",)
    assert spec.longest_free_text == 300


def test_several_free_text_columns_under_one_consent_read_as_a_list(tmp_path):
    def two(text: str) -> str:
        text = _with_free_text(text).replace("columns: note,", "columns: [note, remark],")
        return text.replace(
            "    doc: what the family said, in their words\n",
            "    doc: what the family said, in their words\n"
            "  - {name: remark, type: text, identifier: keep, required: false}\n",
        )

    spec = load_spec(scaffolded_sources(tmp_path, two).parent)
    assert spec.free_text_columns == ("note", "remark")


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            lambda text: text.replace("columns: note,", "columns: notes,"),
            "sources/home_visits/base.yml: free_text.columns: 'notes' is not a column: "
            "declare it under columns: (type: text, identifier: keep)",
        ),
        (
            lambda text: text.replace("columns: note,", "columns: [note, remark],"),
            "sources/home_visits/base.yml: free_text.columns: 'remark' is not a column: "
            "declare it under columns: (type: text, identifier: keep)",
        ),
        (
            lambda text: text.replace("columns: note,", "columns: [note, 3],"),
            "sources/home_visits/base.yml: free_text.columns: each entry must be a column's name",
        ),
        (
            lambda text: text.replace("columns: note,", "columns: [],"),
            "sources/home_visits/base.yml: free_text.columns: missing: name the column of "
            "free text",
        ),
        (
            lambda text: text.replace("consent: consent_quote,", "consent: quote_ok,"),
            "sources/home_visits/base.yml: free_text.consent: 'quote_ok' is not a column",
        ),
        (
            lambda text: text.replace("consent: consent_quote, ", ""),
            "sources/home_visits/base.yml: free_text.consent: missing: name the column whose "
            "Y allows the text to be kept (blank or anything else: not kept)",
        ),
        (
            lambda text: text.replace("scrub: true", "scrub: false"),
            "sources/home_visits/base.yml: free_text.scrub: free text is always scrubbed: set "
            "scrub: true or leave it out",
        ),
        (
            lambda text: text.replace(
                "  - name: note\n    type: text\n    identifier: keep\n",
                "  - name: note\n    type: text\n    identifier: drop\n",
            ),
            "sources/home_visits/base.yml: free_text.columns: 'note' must be type: text and "
            "identifier: keep (not text, drop): its text is scrubbed, then kept",
        ),
        (
            lambda text: text.replace(
                "    doc: what the family said", "    show_rejected: true\n    doc: what the"
            ),
            "sources/home_visits/base.yml: free_text.columns: 'note' has show_rejected: true: "
            "free text is never shown in the rejected-rows report",
        ),
        (
            lambda text: text.replace("stream: standalone", "stream: statutory"),
            "sources/home_visits/base.yml: free_text: only the voice and standalone engines "
            "scrub free text and gate it by consent: leave free_text: out (and keep free-text "
            "columns out of columns:, or drop them: identifier: drop)",
        ),
    ],
)
def test_a_malformed_free_text_is_refused_in_one_line(tmp_path, edit, expected):
    assert _problems(tmp_path, edit) == [expected]
