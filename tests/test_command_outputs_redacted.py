"""Every command that reads a coded file prints and writes redacted text only (issue 27 item
3): personal data planted in a coded file's answers reaches no stdout, stderr or written file
of `theming eval` (text and --json), `theming themes check --against` and `theming train`."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from pipeline.cli import app

ROOT = Path(__file__).resolve().parents[1]
PLANTED = ["jo.bloggs@nhs.net", "07700 900461", "943 476 5919", "QQ 12 34 56 C", "LS1 4AP",
           "Priya Shah", "Sarah Whitfield"]
ROWS = [  # (answer, themes): the keyword tagger misses or over-tags several, so they are shown
    ("Parking was impossible, ask jo.bloggs@nhs.net about the car park", "parking"),
    ("Priya Shah said the food was cold again", "food"),
    ("Ring 07700 900461, the parking attendant was rude", ""),
    ("My NHS number is 943 476 5919 and the meals were late", "food"),
    ("Sarah Whitfield could not find a space near LS1 4AP", "parking"),
    ("NI number QQ 12 34 56 C: the canteen food was lovely", ""),
    ("The car park barrier was broken", "parking"),
    ("Dinner arrived cold", "food"),
]


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    config = yaml.safe_load((ROOT / "config" / "pipeline.yaml").read_text(encoding="utf-8"))
    config.setdefault("tag", {}).update(semantic=False)
    config["input"]["score_columns"] = []  # the sample's statements link to its own themes
    (tmp_path / "pipeline.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    themes = {"version": 1, "themes": [
        {"id": "parking", "label": "Parking", "keywords": ["parking"],
         "examples": ["There was nowhere to park."]},
        {"id": "food", "label": "Food", "keywords": ["food"],
         "examples": ["The meals were cold."]},
    ]}
    (tmp_path / "themes.yaml").write_text(yaml.safe_dump(themes), encoding="utf-8")
    lines = ["comment,themes"] + [f'"{text}",{labels}' for text, labels in ROWS]
    (tmp_path / "coded.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return tmp_path


def _file_text(path: Path) -> str:
    """A written file's text: every string array of an .npz, else the bytes as UTF-8."""
    if path.suffix == ".npz":
        with np.load(path, allow_pickle=False) as arrays:
            return "\n".join(" ".join(map(str, arrays[key].ravel())) for key in arrays.files
                             if arrays[key].dtype.kind in "US")
    return path.read_bytes().decode("utf-8", errors="replace")


def _leaks(text: str) -> list[str]:
    return [needle for needle in PLANTED if needle.lower() in text.lower()]


def _run(args: list[str]) -> str:
    result = CliRunner().invoke(app, args)
    assert result.exit_code in (0, 1), result.output  # themes check exits 1 on its errors
    return result.stdout + result.stderr


def test_eval_prints_redacted_examples(project: Path):
    common = ["eval", str(project / "coded.csv"), "--themes", str(project / "themes.yaml"),
              "--config", str(project / "pipeline.yaml"), "--min-support", "1"]
    text = _run(common)
    assert "[EMAIL]" in text or "[PHONE]" in text or "[NAME]" in text  # examples are shown
    assert _leaks(text) == []
    assert _leaks(_run([*common, "--json"])) == []


def test_themes_check_against_a_coded_file_prints_redacted_text(project: Path):
    text = _run(["themes", "check", str(project / "themes.yaml"), "--against",
                 str(project / "coded.csv"), "--config", str(project / "pipeline.yaml")])
    assert _leaks(text) == []


def test_train_writes_and_prints_no_planted_data(project: Path):
    out = project / "model"
    text = _run(["train", str(project / "coded.csv"), "--themes", str(project / "themes.yaml"),
                 "--config", str(project / "pipeline.yaml"), "--out", str(out), "--embedder",
                 "none", "--folds", "2"])
    assert _leaks(text) == []
    files = [path for path in out.rglob("*") if path.is_file()]
    assert files
    for path in files:
        assert _leaks(_file_text(path)) == [], path.name
