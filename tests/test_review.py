"""``theming review`` (issue 12): every route through the test client, the decisions file
across a restart, the coded export (F1 1.0 against its own run), the edit preview and save,
refusals (CSRF, hosts, non-run folders, busy port) and planted personal data."""

from __future__ import annotations

import csv
import json
import re
import socket
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from review_helpers import NEEDLES, client_for
from typer.testing import CliRunner

from pipeline import decisions as decisions_module
from pipeline.cli import app as cli_app
from pipeline.errors import DataError, StageError
from pipeline.review.app import create_app
from pipeline.review.server import check_port


def decisions_file(run_dir: Path) -> Path:
    return run_dir.parent / "review" / run_dir.name / "decisions.csv"


def decide(client: TestClient, token: str, comment_id: str, theme: str, decision: str,
           **extra):
    return client.post("/decide", data={"csrf_token": token, "comment_id": comment_id,
                                        "theme": theme, "decision": decision, **extra},
                       follow_redirects=False)


def test_index_lists_every_theme_with_counts_and_groups(run_dir: Path) -> None:
    client, _ = client_for(run_dir)
    page = client.get("/")
    assert page.status_code == 200
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    for theme_id in manifest["themes"]["ids"]:
        assert f'data-theme="{theme_id}"' in page.text
    row = re.search(r'data-theme="communications">(.*?)</tr>', page.text, re.DOTALL).group(1)
    assert re.findall(r'class="num">([^<]*)<', row)[:3] == ["3", "25.0%", "3"]
    assert "Read 12 answers: 12 kept" in page.text
    assert "<th>Union side</th>" in page.text
    assert "Discovery proposed no candidate themes" in page.text


def test_index_lists_candidate_themes_with_their_share(run_dir: Path) -> None:
    (run_dir / "clusters.csv").write_text(
        "cluster_id,label,keywords,n_respondents,status\n"
        "3,\"papers, late\",papers|late,3,candidate\n4,newsletter,newsletter,2,theme\n",
        encoding="utf-8")
    page = TestClient(create_app(run_dir, "Ann", allowed_hosts=("testserver",))).get("/").text
    table = page.split('id="candidates"')[1].split("</table>")[0]
    assert re.findall(r"<td[^>]*>([^<]*)</td>", table) == ["3", "papers, late", "papers|late",
                                                           "3", "25.0%"]


def test_theme_page_highlights_filters_and_sorts(run_dir: Path) -> None:
    client, _ = client_for(run_dir)
    page = client.get("/theme/early_engagement")
    assert page.status_code == 200
    assert ('<div class="text"><mark>We were <strong>told after the decision</strong> was made.'
            '</mark> <mark><strong>Engage us earlier</strong> please.</mark></div>') in page.text
    assert 'id="near-misses"' in page.text
    comms = client.get("/theme/communications").text
    assert len(re.findall(r'<tr id="c-', comms)) == 3
    only = client.get("/theme/communications", params={"group": "Employers"}).text
    assert re.findall(r'<tr id="c-([^"]+)"', only) == ["R3.comment"]
    scores = r'<td class="num">([0-9.]+)</td>\s*<td class="evidence">'
    low_first = client.get("/theme/early_engagement", params={"sort": "score_asc"}).text
    high_first = client.get("/theme/early_engagement", params={"sort": "score_desc"}).text
    high = [float(v) for v in re.findall(scores, high_first)]
    assert len(high) == 2 and high[0] > high[1]  # R11 is a semantic hit only
    assert [float(v) for v in re.findall(scores, low_first)] == high[::-1]
    keyword = client.get("/theme/communications", params={"layer": "keyword"}).text
    assert all("keyword" in cell for cell in
               re.findall(r'</div></td>\s*<td>([^<]*)</td>', keyword))
    assert client.get("/theme/no_such_theme").status_code == 404
    assert client.get("/theme/communications", params={"sort": "x"}).status_code == 400


def test_decisions_persist_across_a_restart(run_dir: Path) -> None:
    client, token = client_for(run_dir)
    answer = decide(client, token, "R1.comment", "early_engagement", "reject",
                    next="/theme/early_engagement")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/theme/early_engagement"
    assert decide(client, token, "R6.comment", "communications", "add").status_code == 303
    assert decide(client, token, "R3.comment", "communications", "unusable_quote",
                  next="//evil.example/").headers["location"] == "/"
    scripted = client.post("/decide", headers={"X-Requested-With": "review.js"},
                           data={"csrf_token": token, "comment_id": "R2.comment",
                                 "theme": "employer_representation", "decision": "accept"})
    assert scripted.text == "accept"
    # in the project beside the run folder (a re-run replaces the run folder), keyed by
    # respondent, question and a hash of the text
    rows = list(csv.reader(decisions_file(run_dir).open(encoding="utf-8")))
    assert rows[0] == ["time", "respondent_id", "question", "text_key", "reviewer",
                       "comment_id", "theme", "decision"]
    assert [r[1:3] for r in rows[1:]] == [["R1", "comment"], ["R6", "comment"],
                                          ["R3", "comment"], ["R2", "comment"]]
    assert [r[4:] for r in rows[1:]] == [
        ["Ann", "R1.comment", "early_engagement", "reject"],
        ["Ann", "R6.comment", "communications", "add"],
        ["Ann", "R3.comment", "communications", "unusable_quote"],
        ["Ann", "R2.comment", "employer_representation", "accept"]]
    again, _ = client_for(run_dir, reviewer="Bob")  # a new app: state comes from the file
    page = again.get("/theme/early_engagement").text
    assert re.search(r'<tr id="c-R1.comment"[^>]*data-state="reject"', page)
    comms = again.get("/theme/communications").text
    assert re.search(r'<tr id="c-R6.comment"[^>]*data-state="add"', comms)
    assert "quote unusable" in comms
    history = again.get("/decisions").text
    assert history.count("<td>Ann</td>") == 4


def test_refused_posts(run_dir: Path) -> None:
    client, token = client_for(run_dir)
    assert decide(client, "stale", "R1.comment", "early_engagement", "reject").status_code == 403
    assert client.post("/decide", data={"comment_id": "R1.comment", "theme": "early_engagement",
                                        "decision": "reject"}).status_code == 403
    assert decide(client, token, "R99.comment", "early_engagement", "reject").status_code == 404
    assert decide(client, token, "R1.comment", "nope", "reject").status_code == 404
    assert decide(client, token, "R1.comment", "early_engagement", "maybe").status_code == 400
    assert not decisions_file(run_dir).exists()
    for action in ("preview", "save"):
        assert client.post("/theme/communications/edit",
                           data={"keywords": "x", "action": action}).status_code == 403
    assert client.post("/theme/communications/edit",
                       data={"csrf_token": token, "action": "delete"}).status_code == 400


def test_only_local_hosts_and_package_files_are_served(run_dir: Path) -> None:
    app = create_app(run_dir, "Ann")  # the default: 127.0.0.1 and localhost only
    assert TestClient(app, base_url="http://127.0.0.1:8765").get("/").status_code == 200
    assert TestClient(app, base_url="http://evil.example").get("/").status_code == 400
    client, _ = client_for(run_dir)
    assert client.get("/static/review.js").text.startswith("// Saves a decision")
    assert "mark" in client.get("/static/review.css").text
    for path in ("/static/..%2Fmanifest.json", "/static/../manifest.json", "/manifest.json",
                 "/static/app.py", "/review/decisions.csv"):
        assert client.get(path).status_code == 404, path


def test_comment_text_is_escaped(run_dir: Path) -> None:
    client, token = client_for(run_dir)
    decide(client, token, "R9.comment", "communications", "add")
    page = client.get("/theme/communications").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert" not in page


def test_edit_preview_shows_gains_and_losses_and_save_keeps_a_backup(run_dir: Path) -> None:
    client, token = client_for(run_dir)
    themes_file = run_dir.parent / "themes.yaml"
    before = themes_file.read_text(encoding="utf-8")
    form = client.get("/theme/communications/edit").text
    assert "newsletter" in form
    fields = {"csrf_token": token, "keywords": "papers\nwebsite", "examples": "", "exclude": ""}
    preview = client.post("/theme/communications/edit", data=fields)
    assert preview.status_code == 200
    gained = re.findall(r"<code>([^<]+)</code>", preview.text.split('id="gained"')[1]
                        .split("</ul>")[0])
    lost = re.findall(r"<code>([^<]+)</code>", preview.text.split('id="lost"')[1]
                      .split("</ul>")[0])
    assert "R6.comment" in gained
    assert "R10.comment" in lost
    assert themes_file.read_text(encoding="utf-8") == before  # a preview writes nothing
    saved = client.post("/theme/communications/edit", data={**fields, "action": "save"},
                        follow_redirects=False)
    assert saved.status_code == 303
    backups = list(themes_file.parent.glob("themes.yaml.*.bak"))
    assert [b.read_text(encoding="utf-8") for b in backups] == [before]
    from pipeline.config.models import load_themes

    edited = load_themes(themes_file).by_id()["communications"]
    assert edited.keywords == ["papers", "website"] and edited.examples == []
    assert themes_file.read_text(encoding="utf-8").startswith("# Themes for the partnership")
    assert backups[0].name in client.get(saved.headers["location"]).text


def test_not_examples_are_edited_and_saved_apart_from_exclude_phrases(run_dir: Path) -> None:
    from pipeline.config.models import load_themes

    client, token = client_for(run_dir)
    themes_file = run_dir.parent / "themes.yaml"
    theme = load_themes(themes_file).by_id()["communications"]
    form = client.get("/theme/communications/edit").text
    assert 'name="not_examples"' in form and 'name="exclude"' in form
    fields = {"csrf_token": token, "keywords": "\n".join(theme.keywords),
              "examples": "\n".join(theme.examples),
              "not_examples": "Thanks for all the updates this year.",
              "exclude": "\n".join(theme.exclude), "action": "save"}
    saved = client.post("/theme/communications/edit", data=fields, follow_redirects=False)
    assert saved.status_code == 303
    edited = load_themes(themes_file).by_id()["communications"]
    assert edited.not_examples == ["Thanks for all the updates this year."]
    assert edited.exclude == theme.exclude and edited.keywords == theme.keywords
    assert "Thanks for all the updates this year." in client.get(saved.headers["location"]).text


def test_an_invalid_edit_is_refused_with_its_line_and_nothing_is_written(run_dir: Path) -> None:
    client, token = client_for(run_dir)
    themes_file = run_dir.parent / "themes.yaml"
    before = themes_file.read_text(encoding="utf-8")
    fields = {"csrf_token": token, "keywords": "", "examples": "", "exclude": ""}
    missing = client.post("/theme/nothing/edit", data={**fields, "action": "save"})
    assert missing.status_code == 404
    themes_file.write_text(before.replace("version: 1", "version: 1\nunknown_key: 1"),
                           encoding="utf-8")
    broken = client.post("/theme/communications/edit", data={**fields, "action": "save"})
    assert broken.status_code == 422
    line = themes_file.read_text(encoding="utf-8").splitlines().index("unknown_key: 1") + 1
    assert "Error [C003]" in broken.text and f"line {line}: unknown key" in broken.text
    assert "unknown_key" in themes_file.read_text(encoding="utf-8")
    assert not list(themes_file.parent.glob("themes.yaml.*.bak"))
    assert client.get("/theme/communications/edit").status_code == 422
    shown = client.get("/theme/communications")
    assert shown.status_code == 422 and "Error [C003]" in shown.text


def test_export_of_a_run_without_decisions_scores_f1_one(run_dir: Path, tmp_path: Path) -> None:
    coded = tmp_path / "coded.csv"
    runner = CliRunner()
    exported = runner.invoke(cli_app, ["review", "export", str(run_dir), "-o", str(coded)])
    assert exported.exit_code == 0, exported.stderr
    rows = list(csv.DictReader(coded.open(encoding="utf-8")))
    assert list(rows[0]) == ["comment_id", "question", "text", "themes", "assigned_by",
                             "assigned_at", "config_version"]
    assert len(rows) == 12
    scored = runner.invoke(cli_app, ["eval", str(coded), "--json", "--examples", "0",
                                     "--min-support", "1",
                                     "--config", str(run_dir.parent / "pipeline.yaml")])
    assert scored.exit_code == 0, scored.stderr
    result = json.loads(scored.stdout)
    assert result["micro_f1"] == 1.0


def test_export_applies_decisions(run_dir: Path) -> None:
    client, token = client_for(run_dir)
    decide(client, token, "R1.comment", "early_engagement", "reject")
    decide(client, token, "R7.comment", "communications", "add")
    decide(client, token, "R4.comment", "ministerial_presence", "reject")
    decide(client, token, "R4.comment", "ministerial_presence", "accept")  # the latest wins
    exported = {r["comment_id"]: r
                for r in csv.DictReader(client.get("/export.csv").text.splitlines())}
    rows = {comment_id: row["themes"] for comment_id, row in exported.items()}
    assert rows["R1.comment"] == ""
    assert rows["R7.comment"] == "communications"
    assert rows["R4.comment"] == "ministerial_presence"
    # each theme's provenance, in the order of the themes: the reviewer and the decision's
    # time, or machine and the run's start; and the theme config's version
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    times = {d.comment_id: d.time for d in decisions_module.read_decisions(run_dir)}
    assert (exported["R7.comment"]["assigned_by"], exported["R7.comment"]["assigned_at"]) == (
        "Ann", times["R7.comment"])
    assert exported["R4.comment"]["assigned_by"] == "Ann"
    machine = next(r for r in exported.values() if r["themes"] and "Ann" not in r["assigned_by"])
    assert set(machine["assigned_by"].split("|")) == {"machine"}
    assert set(machine["assigned_at"].split("|")) == {manifest["started_at"]}
    assert {r["config_version"] for r in exported.values()} == {manifest["themes"]["sha256"][:12]}


def test_pages_and_export_show_no_planted_personal_data(run_dir: Path, tmp_path: Path) -> None:
    client, token = client_for(run_dir)
    kept = [r["comment_id"] for r in
            csv.DictReader((run_dir / "comment_themes.csv").open(encoding="utf-8"))]
    for comment_id in kept:
        decide(client, token, comment_id, "communications", "add")
    pages = [client.get(path).text for path in
             ("/", "/decisions", "/export.csv", "/theme/communications",
              "/theme/ministerial_presence", "/theme/communications/edit")]
    pages.append(client.post("/theme/communications/edit",
                             data={"csrf_token": token, "keywords": "communication\nagenda",
                                   "examples": "", "exclude": ""}).text)
    coded = tmp_path / "coded.csv"
    CliRunner().invoke(cli_app, ["review", "export", str(run_dir), "-o", str(coded)])
    pages.append(coded.read_text(encoding="utf-8"))
    pages.append(decisions_file(run_dir).read_text(encoding="utf-8"))
    assert "[EMAIL]" in pages[3] + pages[4]
    for text in pages:
        for needle in NEEDLES:
            assert needle not in text, needle


def test_a_folder_that_is_not_a_run_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "manifest.json").write_text("{}", encoding="utf-8")
    outcome = CliRunner().invoke(cli_app, ["review", str(tmp_path / "notes"), "--no-browser"])
    assert outcome.exit_code == 1
    assert outcome.stderr.startswith("Error [D080]: ")
    assert "comment_themes.csv" in outcome.stderr
    outcome = CliRunner().invoke(cli_app, ["review", "export", str(tmp_path / "nowhere"),
                                           "-o", str(tmp_path / "x.csv")])
    assert "Error [D080]" in outcome.stderr
    outcome = CliRunner().invoke(cli_app, ["review", "export", str(tmp_path / "notes")])
    assert "Error [D083]" in outcome.stderr


def test_a_moved_theme_config_and_a_broken_decisions_file_are_named(run_dir: Path) -> None:
    (run_dir.parent / "themes.yaml").rename(run_dir.parent / "gone.yaml")
    with pytest.raises(Exception, match=r"\[C060\]"):
        create_app(run_dir, "Ann")
    client = TestClient(create_app(run_dir, "Ann", themes_path=run_dir.parent / "gone.yaml",
                                   allowed_hosts=("testserver",)))
    assert client.get("/").status_code == 200
    (run_dir / "review").mkdir()
    (run_dir / "review" / "decisions.csv").write_text("who,what\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"\[D081\].*decisions.csv"):
        decisions_module.read_decisions(run_dir)
    damaged = client.get("/decisions")
    assert damaged.status_code == 422 and "Error [D081]" in damaged.text


def test_a_busy_port_is_a_clear_error() -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        with pytest.raises(StageError, match=rf"\[S020\] 127.0.0.1:{port} is in use"):
            check_port("127.0.0.1", port)


def test_review_serves_on_the_port_it_is_given(run_dir: Path) -> None:
    """The real server (uvicorn) answers on 127.0.0.1, and a second one on that port fails."""
    import threading
    import time

    import httpx
    import uvicorn

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(run_dir, "Ann"), host="127.0.0.1",
                                           port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(200):
            if server.started:
                break
            time.sleep(0.05)
        page = httpx.get(f"http://127.0.0.1:{port}/")
        assert page.status_code == 200 and 'data-theme="communications"' in page.text
        second = CliRunner().invoke(cli_app, ["review", str(run_dir), "--port", str(port),
                                              "--no-browser"])
        assert second.exit_code == 1
        assert second.stderr.startswith(f"Error [S020]: 127.0.0.1:{port} is in use")
    finally:
        server.should_exit = True
        thread.join(10)


def test_tags_come_from_the_artifact_beside_the_runs_tags_csv(run_dir: Path) -> None:
    import pandas as pd

    assert (run_dir / "tags.csv").is_file()  # the run's table for people, without offsets
    path = run_dir / "artifacts" / "tag.tags.parquet"
    tags = pd.read_parquet(path)
    assert {"runner_up", "margin"} <= set(tags.columns)
    mine = tags["theme_id"] == "communications"
    tags.loc[mine, "evidence"] = "FROM THE ARTIFACT"
    tags.to_parquet(path)
    client, _ = client_for(run_dir)
    assert "<span>FROM THE ARTIFACT</span>" in client.get("/theme/communications").text
    assert "keyword 4" in client.get("/").text.split('data-theme="communications"')[1]

# --- hardening (issue 27 item 6) ------------------------------------------------------------

def test_every_answer_forbids_framing(run_dir: Path) -> None:
    client, _ = client_for(run_dir)
    for path in ("/", "/theme/communications", "/no-such-page"):
        response = client.get(path)
        assert response.headers["x-frame-options"] == "DENY", path
        assert response.headers["content-security-policy"] == "frame-ancestors 'none'", path


def test_a_server_bound_beyond_loopback_names_its_host_and_needs_the_token(
        run_dir: Path) -> None:
    from pipeline.review.server import hosts_for, is_loopback

    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("10.1.2.3")
    assert hosts_for("10.1.2.3") == ("10.1.2.3",)
    assert "localhost" not in hosts_for("0.0.0.0") and "127.0.0.1" not in hosts_for("0.0.0.0")
    assert set(hosts_for("127.0.0.1")) == {"127.0.0.1", "localhost"}
    app = create_app(run_dir, "Ann", allowed_hosts=hosts_for("10.1.2.3"),
                     access_token="s3cret-token")
    assert TestClient(app, base_url="http://localhost").get("/").status_code == 400
    remote = TestClient(app, base_url="http://10.1.2.3")
    refused = remote.get("/")
    assert refused.status_code == 403 and "access token" in refused.text
    assert remote.get("/?token=wrong").status_code == 403
    assert remote.get("/?token=s3cret-token").status_code == 200
    assert remote.get("/theme/communications").status_code == 200  # the cookie carries it


def _edit_form(client: TestClient, token: str, keywords: str) -> dict:
    form = client.get("/theme/communications/edit").text
    version = re.search(r'name="version" value="([0-9a-f]{64})"', form).group(1)
    return {"csrf_token": token, "keywords": keywords, "examples": "", "exclude": "",
            "action": "save", "version": version}


def test_parallel_saves_of_one_loaded_form_keep_one_and_refuse_the_rest(run_dir: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from pipeline.config.models import load_themes

    client, token = client_for(run_dir)
    forms = [_edit_form(client, token, f"papers\nword{i}") for i in range(5)]

    def save(form: dict) -> int:
        return client.post("/theme/communications/edit", data=form,
                           follow_redirects=False).status_code

    with ThreadPoolExecutor(5) as pool:
        answers = list(pool.map(save, forms))
    assert sorted(answers) == [303, 409, 409, 409, 409]
    kept = load_themes(run_dir.parent / "themes.yaml").by_id()["communications"].keywords
    assert kept == ["papers", f"word{answers.index(303)}"]
    refused = client.post("/theme/communications/edit", data=forms[answers.index(409)])
    assert refused.status_code == 409 and "changed since you opened this form" in refused.text


def test_parallel_saves_of_different_themes_are_all_kept(run_dir: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from pipeline.config.models import load_themes

    client, token = client_for(run_dir)
    ids = load_themes(run_dir.parent / "themes.yaml").ids[:4]

    def save(theme_id: str) -> int:  # an older form without a version: still one at a time
        return client.post(f"/theme/{theme_id}/edit", data={
            "csrf_token": token, "keywords": f"kw_{theme_id}", "action": "save"},
            follow_redirects=False).status_code

    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(save, ids)) == [303] * 4
    themes = load_themes(run_dir.parent / "themes.yaml").by_id()
    assert all(themes[t].keywords == [f"kw_{t}"] for t in ids)
