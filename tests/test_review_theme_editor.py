"""The review app edits the theme set itself (issue 26 item 4): a theme added and an owner
changed are written to themes.yaml with its comments and order intact, previewed as a diff and
checked first, and the next run uses them."""

from __future__ import annotations

import re
from pathlib import Path

from review_helpers import client_for

from pipeline.config.models import load_themes


def comments_of(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip().startswith("#")]


NEW = {"theme_id": "staff_council", "label": "Coordination with the NHS Staff Council",
       "description": "The forum and the NHS Staff Council agree who does what.",
       "owner": "The co-chairs", "action_text": "agree a joint work plan with the Staff Council",
       "keywords": "staff council\nduplication", "examples": "We duplicate the Staff Council."}


def test_a_new_theme_is_previewed_then_saved_with_the_files_comments_and_order(run_dir: Path):
    client, token = client_for(run_dir)
    themes_file = run_dir.parent / "themes.yaml"
    before = themes_file.read_text(encoding="utf-8")
    assert "Add a theme" in client.get("/").text
    preview = client.post("/themes/new", data={**NEW, "csrf_token": token})
    assert preview.status_code == 200, preview.text
    changes = preview.text.split('id="diff">')[1].split("</pre>")[0]
    assert "+  - id: staff_council" in changes and "-  - id:" not in changes
    assert themes_file.read_text(encoding="utf-8") == before  # a preview writes nothing
    saved = client.post("/themes/new", data={**NEW, "csrf_token": token, "action": "save"},
                        follow_redirects=False)
    assert saved.status_code == 303
    after = themes_file.read_text(encoding="utf-8")
    assert comments_of(after) == comments_of(before)  # every comment kept
    themes = load_themes(themes_file)
    old_ids = [t.id for t in load_themes(next(themes_file.parent.glob("themes.yaml.*.bak"))).themes]
    assert themes.ids == [*old_ids, "staff_council"]  # order kept, the new theme last
    added = themes.by_id()["staff_council"]
    assert added.recommendation.owner == "The co-chairs"
    assert added.keywords == ["staff council", "duplication"]
    # the lines of the old themes are the same lines, bar the new theme's
    assert after.startswith(before.rstrip("\n"))


def test_an_owner_changed_is_written_and_the_next_run_uses_it(run_dir: Path):
    client, token = client_for(run_dir)
    themes_file = run_dir.parent / "themes.yaml"
    before = themes_file.read_text(encoding="utf-8")
    saved = client.post("/theme/communications/edit", data={
        "csrf_token": token, "owner": "NHS England communications team", "action": "save"},
        follow_redirects=False)
    assert saved.status_code == 303
    after = themes_file.read_text(encoding="utf-8")
    changed = [line for line in after.splitlines() if line not in before.splitlines()]
    assert changed == ["      owner: NHS England communications team"]  # one line, nothing re-laid out
    theme = load_themes(themes_file).by_id()["communications"]
    assert theme.recommendation.owner == "NHS England communications team"
    from pipeline.run_settings import load_settings

    settings = load_settings(run_dir.parent / "pipeline.yaml")  # what the next run reads
    assert settings.themes.by_id()["communications"].recommendation.owner == \
        "NHS England communications team"


def test_criteria_are_edited_and_shown_on_the_theme_page(run_dir: Path):
    client, token = client_for(run_dir)
    themes_file = run_dir.parent / "themes.yaml"
    form = client.get("/theme/communications/edit").text
    assert 'name="includes"' in form and 'name="excludes"' in form
    saved = client.post("/theme/communications/edit", data={
        "csrf_token": token, "includes": "Newsletters and bulletins\n\n Briefings <b>  ",
        "excludes": "Meeting papers", "action": "save"}, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    theme = load_themes(themes_file).by_id()["communications"]
    assert theme.includes == ["Newsletters and bulletins", "Briefings <b>"]
    assert theme.excludes == ["Meeting papers"]
    page = client.get("/theme/communications").text
    assert "Briefings &lt;b&gt;" in page and "Briefings <b>" not in page
    cleared = client.post("/theme/communications/edit", data={
        "csrf_token": token, "includes": "", "excludes": "", "action": "save"},
        follow_redirects=False)
    assert cleared.status_code == 303
    assert "includes:" not in themes_file.read_text(encoding="utf-8").split("id: communications")[1]
    assert load_themes(themes_file).by_id()["communications"].includes == []


def test_a_new_theme_with_a_used_or_bad_id_is_refused_and_nothing_is_written(run_dir: Path):
    client, token = client_for(run_dir)
    themes_file = run_dir.parent / "themes.yaml"
    before = themes_file.read_text(encoding="utf-8")
    used = client.post("/themes/new", data={**NEW, "theme_id": "communications",
                                            "csrf_token": token, "action": "save"})
    assert used.status_code == 409 and "already used" in used.text
    bad = client.post("/themes/new", data={**NEW, "theme_id": "Staff Council!",
                                           "csrf_token": token, "action": "save"})
    assert bad.status_code == 422 and "Error [C009]" in bad.text
    assert re.search(r"try &#39;staff_council&#39;|try 'staff_council'", bad.text)
    assert themes_file.read_text(encoding="utf-8") == before
