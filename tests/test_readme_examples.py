"""Every `$ theming ...` line in the README's console blocks runs, in README order, in a
temporary project folder; where the README shows the output, the command prints exactly that.

The files the examples name (my_export.csv, coded.csv, codebook.csv, broken.yaml, ...) are
made here from the shipped sample round (written by us) and the shipped themes.
"""

from __future__ import annotations

import re
import shlex
import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.project_init import init_project
from tests.conftest import ROOT, SAMPLE

README = (ROOT / "README.md").read_text(encoding="utf-8")
BROKEN_THEMES = """\
version: 1
themes:
  - id: communications
    label: Communications
    keyword: [newsletter]
  - id: communications
    label: Communications again
"""


@dataclass
class Example:
    line: int
    argv: list[str]
    shown: list[str]  # the output lines the README prints under the command ([] = not shown)


def readme_examples() -> list[Example]:
    examples: list[Example] = []
    for block in re.finditer(r"```console\n(.*?)```", README, flags=re.DOTALL):
        first_line = README[:block.start()].count("\n") + 2
        current: Example | None = None
        for offset, text in enumerate(block.group(1).splitlines()):
            if text.startswith("$ "):
                current = None
                command = shlex.split(text[2:], comments=True)
                if command and command[0] in ("theming", ".venv/bin/theming"):
                    current = Example(first_line + offset, command[1:], [])
                    examples.append(current)
            elif current is not None and text.strip() != "...":
                current.shown.append(text)
    return examples


def write_inputs(work: Path) -> None:
    """The files the README's examples name, made from the sample round and shipped themes."""
    shutil.copytree(SAMPLE, work / "data" / "sample")
    shutil.copy(ROOT / "config" / "pipeline.yaml", work / "config" / "pipeline.yaml")
    survey = pd.read_csv(SAMPLE / "survey_round.csv", dtype=str, keep_default_na=False)
    key = pd.read_csv(SAMPLE / "answer_key.csv", dtype=str, keep_default_na=False)
    small = survey.drop_duplicates("respondent_id").head(16)
    small.to_csv(work / "survey.csv", index=False)
    small.to_csv(work / "big_round.csv", index=False)  # the --engine dask example
    small.to_excel(work / "export.xlsx", index=False)
    shutil.copy(ROOT / "config" / "themes.yaml", work / "my_themes.yaml")
    shutil.copy(ROOT / "config" / "pipeline.yaml", work / "my_pipeline.yaml")
    # an export of the same survey with other column names (the group column kept)
    pd.DataFrame({"ID": small["respondent_id"], "organisation_type": small["organisation_type"],
                  "Any other comments": small["why_scores"]}).to_csv(work / "my_export.csv",
                                                                      index=False)
    # an export whose statements are labels, not numbers
    labels = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "4 - partly agree",
              "Strongly agree"]
    pd.DataFrame({"respondent_id": small["respondent_id"],
                  "organisation_type": small["organisation_type"], "Why": small["why_scores"],
                  "Q1": [labels[i % 5] for i in range(len(small))],
                  "Q2": [labels[(i * 3) % 5] for i in range(len(small))]}
                 ).to_csv(work / "export.csv", index=False)
    answers = survey.melt(id_vars=["respondent_id"], value_vars=["why_scores", "other_comments"],
                          var_name="question", value_name="text")
    coded = answers.merge(key, on=["respondent_id", "question"])
    coded = coded[(coded["text"].str.strip() != "") & (coded["themes"] != "")]
    coded = coded.drop_duplicates("text")[["text", "themes"]]
    coded.iloc[:60].to_csv(work / "coded.csv", index=False)
    coded.iloc[60:90].to_csv(work / "more_coded.csv", index=False)
    themes = yaml.safe_load((ROOT / "config" / "themes.yaml").read_text(encoding="utf-8"))
    pd.DataFrame([{"id": t["id"], "label": t["label"], "description": t.get("description", ""),
                   "examples": "; ".join(t.get("examples", []))} for t in themes["themes"]]
                 ).to_csv(work / "codebook.csv", index=False)
    (work / "broken.yaml").write_text(BROKEN_THEMES, encoding="utf-8")


def test_the_readme_has_examples_to_run():
    examples = readme_examples()
    assert len(examples) >= 15
    assert {e.argv[0] for e in examples} >= {"init", "run", "quotes", "eval", "train", "themes"}


def test_every_readme_console_example_runs(tmp_path, monkeypatch):
    work = tmp_path / "project"
    init_project(work)
    write_inputs(work)
    monkeypatch.chdir(work)
    runner = CliRunner()
    for example in readme_examples():
        result = runner.invoke(app, example.argv, catch_exceptions=False)
        where = f"README line {example.line}: theming {shlex.join(example.argv)}"
        expects_error = bool(example.shown) and example.shown[0].startswith("Error [")
        assert result.exit_code == (1 if expects_error else 0), f"{where}\n{result.output}"
        if example.shown and example.argv[0] in ("init", "themes"):
            assert result.output.splitlines() == example.shown, where


@pytest.mark.parametrize("argv", [["run", "x.csv", "--delimiter", "ab"]])
def test_examples_fail_cleanly_on_bad_options(argv, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, argv, catch_exceptions=False)
    assert result.exit_code == 1
    assert result.output.startswith("Error [C005]: --delimiter: 'ab' is not one character")
