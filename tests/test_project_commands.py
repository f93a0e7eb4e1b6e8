"""Every command runs in a project made by ``theming init`` with no flags beyond its own
arguments, reading the project's config (issue 26, item 3)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from pipeline.cli import app

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"


def invoke(*args: str):
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, (args, result.output)
    return result


def test_every_command_runs_in_a_project_made_by_init(tmp_path: Path, monkeypatch) -> None:
    project = tmp_path / "forum-survey"
    invoke("init", str(project))
    monkeypatch.chdir(project)
    first = (SAMPLE / "tiny_round.csv").read_text(encoding="utf-8")
    (project / "data" / "round_2025.csv").write_text(first, encoding="utf-8")
    lines = first.splitlines()
    second = [lines[0], *[line.replace("newsletter", "bulletin") for line in lines[1:]],
              "T99,Union side,Ministers should come to the forum in person."]
    (project / "data" / "round_2026.csv").write_text("\n".join(second) + "\n",
                                                      encoding="utf-8")
    for name in ("round_2025", "round_2026"):  # as init's "Next:" line says
        invoke("run", f"data/{name}.csv", "--text-column", "comment", "--id-column", "id",
               "--group-column", "team", "--quiet")
        assert (project / "runs" / name / "tags.csv").is_file()

    exported = invoke("review", "export", "runs/round_2025", "-o", "coded.csv")
    assert "Wrote 18 coded comments to coded.csv" in exported.output
    scored = invoke("eval", "coded.csv")
    assert "early_engagement" in scored.output and "ministerial_presence" in scored.output
    trained = invoke("train", "coded.csv", "--out", "models/forum")
    assert "Saved the model to models/forum" in trained.output
    assert (project / "models" / "forum").is_dir()
    quotes = invoke("quotes", "runs/round_2025")
    assert quotes.output.startswith("theme,label,quote_rank,quote,")
    compared = invoke("compare", "runs/round_2025", "runs/round_2026", "--out", "compare")
    assert compared.output.startswith("Compared 2 rounds (")
    assert (project / "compare").is_dir()
    checked = invoke("themes", "check", "config/themes.yaml")
    assert "config/themes.yaml: OK, 5 themes" in checked.output
    # a round of 18 comments: what it lacks is "not seen", never a reason to fail or delete
    measured = invoke("themes", "check", "config/themes.yaml", "--against", "runs/round_2025")
    assert "against runs/round_2025: 5 themes on 18 comments, 0 error(s)" in measured.output
    assert "remove them" not in measured.output and "retire it" not in measured.output

    import uvicorn

    from pipeline.review import server

    served = []
    monkeypatch.setattr(server, "check_port", lambda host, port: None)
    monkeypatch.setattr(uvicorn, "run", lambda app_, **options: served.append(options))
    monkeypatch.setattr("webbrowser.open", lambda url: True)
    run = project / "runs" / "round_2025"  # whole: the server's scoring thread outlives chdir
    reviewed = invoke("review", str(run))
    assert f"Reviewing {run} at http://127.0.0.1:8765/" in reviewed.output
    assert served == [{"host": "127.0.0.1", "port": 8765, "log_level": "warning"}]
