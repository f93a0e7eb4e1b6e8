"""Every `$ theming ...` line in the console blocks of the README and of the docs site's pages
runs, in one temporary project folder: the README first, then the pages in the order of
mkdocs.yml's nav. Where a page shows the output, the command prints exactly that (for init and
themes); an output starting "Error [" means the command must exit 1. A `$ cp SRC DST` line
copies the file; other shell lines are not run. The benchmarks history is a log of commands run
elsewhere, so its blocks are not run.

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

NOT_RUN = {"benchmarks-history.md"}


def nav_pages(nav: list) -> list[str]:
    """The docs pages of mkdocs.yml's nav, in order."""
    pages: list[str] = []
    for entry in nav:
        for target in (entry.values() if isinstance(entry, dict) else [entry]):
            pages += nav_pages(target) if isinstance(target, list) else [target]
    return pages


def pages_to_run() -> list[Path]:
    nav = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))["nav"]
    return [ROOT / "README.md"] + [ROOT / "docs" / page for page in nav_pages(nav)
                                   if page not in NOT_RUN]
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
    where: str  # page and line
    argv: list[str]  # after "theming"; ["cp", SRC, DST] for a copy
    shown: list[str]  # the output lines the page prints under the command ([] = not shown)


def page_examples(page: Path) -> list[Example]:
    """The commands of a page's console blocks (indented blocks in lists included)."""
    text = page.read_text(encoding="utf-8")
    name = page.relative_to(ROOT)
    examples: list[Example] = []
    for block in re.finditer(r"^( *)```console\n(.*?)^ *```", text, flags=re.DOTALL | re.MULTILINE):
        indent = len(block.group(1))
        first_line = text[:block.start()].count("\n") + 2
        current: Example | None = None
        for offset, line in enumerate(block.group(2).splitlines()):
            line = line[indent:]
            if line.startswith("$ "):
                current = None
                command = shlex.split(line[2:], comments=True)
                if command and command[0] in ("theming", ".venv/bin/theming", "cp"):
                    argv = command if command[0] == "cp" else command[1:]
                    current = Example(f"{name} line {first_line + offset}", argv, [])
                    examples.append(current)
            elif current is not None and line.strip() != "...":
                current.shown.append(line)
    return examples


def all_examples() -> list[Example]:
    return [example for page in pages_to_run() for example in page_examples(page)]


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


def test_the_readme_opens_with_a_session_and_has_examples_to_run():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme.split("\n\n")[2].startswith("```console\n$ git clone")
    assert {e.argv[0] for e in page_examples(ROOT / "README.md")} >= {
        "init", "run", "themes", "quotes", "eval"}


def test_the_docs_pages_have_examples_of_every_command_to_run():
    examples = all_examples()
    assert len(examples) >= 30
    assert {e.argv[0] for e in examples} >= {"init", "run", "quotes", "eval", "train", "themes",
                                              "compare", "review", "cache"}


@pytest.mark.slow
def test_every_console_example_of_the_readme_and_docs_runs(tmp_path, monkeypatch):
    work = tmp_path / "project"
    init_project(work)
    write_inputs(work)
    monkeypatch.chdir(work)
    runner = CliRunner()
    for example in all_examples():
        if example.argv[0] == "cp":
            shutil.copy(example.argv[1], example.argv[2])
            continue
        result = runner.invoke(app, example.argv, catch_exceptions=False)
        where = f"{example.where}: theming {shlex.join(example.argv)}"
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
