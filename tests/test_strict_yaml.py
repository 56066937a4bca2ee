"""indicators/strict_yaml.py: duplicate keys refused, YAML 1.1's yes/no/on/off and octal
numbers read as the text written, and every problem one line naming file, line and column
(issue 13 review, item 8); through load_spec for source specs."""

from pathlib import Path

import pytest

from indicators import strict_yaml
from indicators.sources.load import SpecInvalid, load_spec


def test_yaml_1_1_surprises_read_as_the_text_written():
    data = strict_yaml.load(
        "synonyms: {YES: Y, NO: N, on: x, Off: y}\ncodes: [010, 007, 10]\n"
        "flag: true\nother: False\ntime: 1:30\nshare: 0.5\n",
        "f.yml",
    )
    assert data == {
        "synonyms": {"YES": "Y", "NO": "N", "on": "x", "Off": "y"},
        "codes": ["010", "007", 10],
        "flag": True,
        "other": False,
        "time": "1:30",
        "share": 0.5,
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "changes:\n  - {type: add}\nchanges:\n  - {type: modify}\n",
            "sources/k/2025-26.yml: line 3: key 'changes' is given twice in one mapping "
            "(first on line 1): keep one",
        ),
        (
            "columns:\n\t- name: a\n",
            "sources/k/2025-26.yml: line 2, column 1: not readable YAML: found character that "
            "cannot start any token (the line has a tab: indent with spaces)",
        ),
        (
            "a: [1, 2\n",
            "sources/k/2025-26.yml: line 2, column 1: not readable YAML: did not find "
            "expected ',' or ']'",
        ),
    ],
)
def test_problems_are_one_line_naming_file_line_and_column(text, expected):
    with pytest.raises(ValueError) as refused:
        strict_yaml.load(text, "sources/k/2025-26.yml")
    assert str(refused.value) == expected


def test_a_path_not_in_utf8_names_its_line(tmp_path):
    path = tmp_path / "x.yml"
    path.write_bytes(b"a: 1\nb: caf\xe9\n")
    with pytest.raises(strict_yaml.StrictYAMLError) as refused:
        strict_yaml.load(path, "x.yml")
    assert str(refused.value) == "x.yml: line 2: byte 0xe9 is not UTF-8: save the file as UTF-8"


def test_a_source_spec_with_a_duplicate_key_is_refused(tmp_path: Path):
    folder = tmp_path / "visits"
    folder.mkdir()
    (folder / "base.yml").write_text("source: visits\ntitle: a\ntitle: b\n")
    with pytest.raises(SpecInvalid) as refused:
        load_spec(folder)
    assert refused.value.problems == [
        "sources/visits/base.yml: line 3: key 'title' is given twice in one mapping "
        "(first on line 2): keep one"
    ]
