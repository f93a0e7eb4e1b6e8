"""Redaction: each kind of personal data, the false positives it must leave alone, the
names list and file, the optional spaCy NER, and the ``--keep-raw`` file."""

from __future__ import annotations

import pytest
from cli_helpers import csv_text, run_cli, write_config

from pipeline.text import redact_patterns
from pipeline.text.redact import Redactor

REDACT = Redactor(names=("Sarah Whitfield", "Aled Pryce-Jones"))


@pytest.mark.parametrize("text, expected, kinds", [
    ("Write to jo.bloggs+survey@example.org today.", "Write to [EMAIL] today.", ["EMAIL"]),
    ("See https://example.org/a?b=1, or www.nhs.uk.", "See [URL], or [URL].", ["URL", "URL"]),
    ("Details at england.nhs.uk/forum/papers now", "Details at [URL] now", ["URL"]),
    ("Follow @forum_chair for updates", "Follow [HANDLE] for updates", ["HANDLE"]),
    ("Mobile 07700 900123.", "Mobile [PHONE].", ["PHONE"]),
    ("Mobile 07700900123", "Mobile [PHONE]", ["PHONE"]),
    ("Ring +44 7700 900123", "Ring [PHONE]", ["PHONE"]),
    ("Ring +447700900123", "Ring [PHONE]", ["PHONE"]),
    ("Office +44 (0)20 7946 0123", "Office [PHONE]", ["PHONE"]),
    ("Office (020) 7946 0123", "Office [PHONE]", ["PHONE"]),
    ("Office 020-7946-0123", "Office [PHONE]", ["PHONE"]),
    ("Leeds 0113 496 0000", "Leeds [PHONE]", ["PHONE"]),
    ("Freephone 0800 123 4567", "Freephone [PHONE]", ["PHONE"]),
    ("From abroad 0044 20 7946 0123", "From abroad [PHONE]", ["PHONE"]),
    ("Dots 07700.900.123", "Dots [PHONE]", ["PHONE"]),
    ("NHS number 943 476 5919 on file", "NHS number [NHS_NUMBER] on file", ["NHS_NUMBER"]),
    ("NHS number 9434765919", "NHS number [NHS_NUMBER]", ["NHS_NUMBER"]),
    ("NHS number 943-476-5919", "NHS number [NHS_NUMBER]", ["NHS_NUMBER"]),
    ("NI number QQ 12 34 56 C.", "NI number [NI_NUMBER].", ["NI_NUMBER"]),
    ("ni ab123456d", "ni [NI_NUMBER]", ["NI_NUMBER"]),
    ("Our office is LS1 4AP, near SW1A 2AA.", "Our office is [POSTCODE], near [POSTCODE].",
     ["POSTCODE", "POSTCODE"]),
    ("postcode m1 1ae", "postcode [POSTCODE]", ["POSTCODE"]),
    ("Thanks to Sarah Whitfield and SARAH  WHITFIELD.", "Thanks to [NAME] and [NAME].",
     ["NAME", "NAME"]),
    ("Aled Pryce-Jones agreed", "[NAME] agreed", ["NAME"]),
    ("Dr Patel’s talk", "Dr [NAME]’s talk", ["NAME"]),
    ("Nurse Jane was kind", "Nurse [NAME] was kind", ["NAME"]),
    ("Mr O'Neill chaired", "Mr [NAME] chaired", ["NAME"]),
    ("Dr. J. Patel and Mrs McDonald-Smith", "Dr. [NAME] and Mrs [NAME]", ["NAME", "NAME"]),
    ("Cllr Ahmed Khan spoke", "Cllr [NAME] spoke", ["NAME"]),
])
def test_redacts(text, expected, kinds):
    assert REDACT(text) == (expected, kinds)


@pytest.mark.parametrize("text", [
    "I spoke to the Dr. The meeting ran late.",
    "Ask the Mr. We never heard back.",
    "Sister Trusts and Nurse Staffing matter.",
    "Miss Meetings at your peril.",
    "Dr Who is a programme, Professor Emeritus a rank.",
    "ICS leads and NHS England, ICSs and ICBs.",
    "Scores of 3/5 and 4/5; meetings on 01/02/2026 and 2026-09-14.",
    "In 2024/25 and 2025-2026 we had 45000 staff and 1,500 members.",
    "It cost £1,200,000 or £3.5m, 12.5% more; call 111 or 999.",
    "Reference 943 476 5918 fails the NHS check, 1234567890 too.",
    "Version 3.5, e.g. this, i.e. that, a.m. and p.m.",
    "Section A1 and B12 vitamins, M62 motorway, the A14.",
    "Contact the team by email or phone.",
    "[NAME] and [EMAIL] are placeholders already.",
])
def test_leaves_alone(text):
    assert REDACT(text) == (text, [])


def test_nhs_check_digit():
    assert redact_patterns.nhs_check_digit_ok("9434765919")
    assert not redact_patterns.nhs_check_digit_ok("9434765918")
    assert not redact_patterns.nhs_check_digit_ok("943476591")
    # a remainder giving check digit 10 is never a valid number
    assert not any(redact_patterns.nhs_check_digit_ok(f"000020000{d}") for d in range(10))


def test_redaction_is_idempotent_and_lists_kinds():
    text = "Dr Patel (07700 900123, jo@example.org) lives at LS1 4AP."
    once, kinds = REDACT(text)
    assert kinds == ["EMAIL", "POSTCODE", "PHONE", "NAME"]
    assert REDACT(once) == (once, [])


def test_flags_switch_kinds_off():
    quiet = Redactor(emails=False, phones=False, titled_names=False, untitled_names=False)
    text = "Dr Patel, jo@example.org, 07700 900123"
    assert quiet(text) == (text, [])


def test_ner_names_from_a_user_pipeline(tmp_path):
    """A user-installed spaCy pipeline with an entity recogniser adds PERSON names."""
    import spacy

    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "PERSON", "pattern": "Zanele Mokoena"}])
    model = tmp_path / "user_model"
    nlp.to_disk(model)
    with_ner = Redactor(ner_model=str(model))
    assert with_ner("We thank Zanele Mokoena.") == ("We thank [NAME].", ["NAME"])
    assert Redactor(untitled_names=False)("We thank Zanele Mokoena.") == (
        "We thank Zanele Mokoena.", [])


def test_names_file_and_keep_raw(tmp_path):
    """Names from names_file are redacted everywhere; raw text only in the named file."""
    (tmp_path / "names.txt").write_text("# staff\nBronwen Ellis\n", encoding="utf-8")
    config = write_config(tmp_path)
    config.write_text(config.read_text().replace("names_file: null", "names_file: names.txt"))
    export = tmp_path / "r.csv"
    export.write_text(csv_text([["id", "team", "comment"],
                                ["R1", "A", "Bronwen Ellis and Sarah Whitfield ran it well."],
                                ["R2", "A", "Email bronwen@example.org please."]]))
    outcome = run_cli([export], config, tmp_path / "run", "--keep-raw")
    assert outcome.exit_code == 0, outcome.stderr
    raw_file = tmp_path / "run" / "raw_comments_UNREDACTED.csv"
    assert "Bronwen Ellis" in raw_file.read_text(encoding="utf-8")
    assert outcome.manifest()["raw_text_file"] == "raw_comments_UNREDACTED.csv"
    for path in (tmp_path / "run").rglob("*"):
        if path.is_file() and path != raw_file:
            data = path.read_bytes()
            assert b"Bronwen" not in data and b"Whitfield" not in data, path
            assert b"bronwen@example.org" not in data, path
    answers = outcome.answers()
    assert answers[0]["text"] == "[NAME] and [NAME] ran it well."
    import pandas as pd

    kept = pd.read_parquet(tmp_path / "run" / "artifacts" / "clean.comments.parquet")
    assert kept["redactions"].tolist() == ["NAME|NAME", "EMAIL"]

    again = run_cli([export], config, tmp_path / "run", "--overwrite")
    assert again.exit_code == 0, again.stderr
    assert not raw_file.exists()


def test_respondent_ids_that_are_personal_data_become_pseudonyms(tmp_path):
    export = tmp_path / "r.csv"
    export.write_text(csv_text([["id", "team", "comment"],
                                ["jo@example.org", "A", "Papers are late."],
                                ["07700 900123", "A", "Meetings are long."],
                                ["R3", "A", "Fine."]]))
    config = write_config(tmp_path)
    outcome = run_cli([export], config, tmp_path / "run")
    assert outcome.exit_code == 0, outcome.stderr
    ids = [a["respondent_id"] for a in outcome.answers()]
    assert ids[2] == "R3"
    assert all(i.startswith("id-unkeyed-") and len(i) == 21 for i in ids[:2])
    assert outcome.manifest()["pseudonyms"]["keyed"] is False
    for path in (tmp_path / "run").rglob("*"):
        if path.is_file():
            assert b"jo@example.org" not in path.read_bytes(), path
            assert b"07700 900123" not in path.read_bytes(), path


def test_pseudonyms_are_keyed_with_the_project_secret_and_stable_across_rounds(tmp_path):
    from pipeline.text.pseudonyms import load_secret, new_secret, pseudonym

    export = tmp_path / "r.csv"
    export.write_text(csv_text([["id", "team", "comment"], ["07700 900123", "A", "Late papers."]]))
    config = write_config(tmp_path)
    secret_file = new_secret(tmp_path / ".theming-secret")
    assert secret_file.stat().st_mode & 0o777 == 0o600
    first = run_cli([export], config, tmp_path / "round1")
    second = run_cli([export], config, tmp_path / "round2")
    assert first.exit_code == second.exit_code == 0, first.stderr
    ids = {first.answers()[0]["respondent_id"], second.answers()[0]["respondent_id"]}
    secret = load_secret(secret_file)
    assert ids == {pseudonym("07700 900123", secret)}
    assert pseudonym("07700 900123", secret) != pseudonym("07700 900123", b"x" * 32)
    assert first.manifest()["pseudonyms"] == {"keyed": True, "secret_file": str(secret_file)}
    hex_secret = secret_file.read_text().strip()
    for path in (tmp_path / "round1").rglob("*"):
        if path.is_file():
            assert hex_secret.encode() not in path.read_bytes(), path


def test_settings_switch_each_kind(settings):
    from pipeline.text.redact import redactor_from_settings

    redact = settings.pipeline.clean.redact.model_copy(update={"nhs_numbers": False,
                                                              "postcodes": False})
    redactor = redactor_from_settings(redact, "blank")
    assert redactor("NHS 943 476 5919 at LS1 4AP") == ("NHS 943 476 5919 at LS1 4AP", [])
    assert redactor.ner_model is None  # blank pipeline: no NER, never required
    assert "Sarah Whitfield" in redactor.names
