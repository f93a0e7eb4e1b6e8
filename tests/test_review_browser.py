"""``theming review`` in a real browser: Debian's headless Chromium driven by Selenium through
Debian's chromedriver (nothing is downloaded). Opens a theme page, rejects a tag, reloads and
sees the decision kept. Skips, saying why, where the browser or its driver is absent.

With THEMING_SCREENSHOTS=DIR set, the two README screenshots are written into DIR."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest
from browser_helpers import browser_missing, headless_chromium
from review_helpers import copy_run, make_run

pytestmark = pytest.mark.skipif(bool(browser_missing()), reason=browser_missing() or "ok")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture()
def served(tmp_path: Path):
    import uvicorn

    from pipeline.review.app import create_app

    run_dir = copy_run(make_run(tmp_path / "made" / "project"), tmp_path / "project")
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(run_dir, "Ann"), host="127.0.0.1",
                                           port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(400):
        if server.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", run_dir
    server.should_exit = True
    thread.join(10)


@pytest.fixture()
def browser():
    driver = headless_chromium()
    yield driver
    driver.quit()


def test_reject_a_tag_in_the_browser_and_see_it_kept(served, browser, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    base, run_dir = served
    browser.get(f"{base}/")
    assert browser.find_element(By.CSS_SELECTOR, 'tr[data-theme="early_engagement"]')
    shots = [tmp_path / "review-index.png"]
    browser.save_screenshot(str(shots[0]))
    browser.get(f"{base}/theme/early_engagement")
    row = browser.find_element(By.ID, "c-R1.comment")
    assert row.get_attribute("data-state") == "run"
    assert "told after the decision" in row.find_element(By.TAG_NAME, "strong").text
    row.find_element(By.CSS_SELECTOR, 'form[data-decision="reject"] button').click()
    WebDriverWait(browser, 20).until(expected_conditions.text_to_be_present_in_element(
        (By.CSS_SELECTOR, "#c-R1\\.comment .state"), "rejected"))
    shots.append(tmp_path / "review-theme.png")
    browser.save_screenshot(str(shots[1]))
    browser.refresh()
    row = browser.find_element(By.ID, "c-R1.comment")
    assert row.get_attribute("data-state") == "reject"
    assert "rejected" in row.find_element(By.CLASS_NAME, "state").text
    decisions = (run_dir.parent / "review" / run_dir.name / "decisions.csv").read_text(
        encoding="utf-8").splitlines()
    assert decisions[1].endswith(",Ann,R1.comment,early_engagement,reject")
    assert all(shot.stat().st_size > 1000 for shot in shots)
    if os.environ.get("THEMING_SCREENSHOTS"):
        target = Path(os.environ["THEMING_SCREENSHOTS"])
        target.mkdir(parents=True, exist_ok=True)
        for shot in shots:
            shutil.copy(shot, target / shot.name)
