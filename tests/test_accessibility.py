"""report.html and compare.html in a real browser (Debian's chromium) checked by axe-core, the
accessibility engine axe-selenium-python ships: no serious or critical violation. Skips where
the browser, its driver or the package is not installed."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_helpers import browser_missing, headless_chromium
from test_compare_report import LONG_NAMES, three_rounds
from typer.testing import CliRunner

from pipeline.cli import app

MISSING = browser_missing("axe_selenium_python")
pytestmark = [pytest.mark.browser, pytest.mark.skipif(bool(MISSING), reason=MISSING or "ok")]


@pytest.fixture(scope="module")
def browser():
    driver = headless_chromium()
    yield driver
    driver.quit()


def axe_violations(browser, page: Path) -> list[dict]:
    """axe-core's violations on ``page`` (every rule axe runs by default)."""
    import axe_selenium_python

    script = (Path(axe_selenium_python.__file__).parent / "node_modules" / "axe-core"
              / "axe.min.js").read_text(encoding="utf-8")
    browser.get(page.as_uri())
    browser.execute_script(script)
    browser.set_script_timeout(120)
    results = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document).then(r => done(r.violations), e => done([{id: 'axe-error',"
        " impact: 'critical', help: String(e), nodes: []}]));")
    return results


def serious(violations: list[dict]) -> list[str]:
    return [f"{v['id']} ({v['impact']}): {v['help']} at "
            f"{[n.get('target') for n in v.get('nodes', [])][:3]}"
            for v in violations if v.get("impact") in ("serious", "critical")]


def test_axe_runs_and_can_fail(browser, tmp_path: Path):
    # the check is live: a page with an unlabelled form field and an image without text fails
    page = tmp_path / "bad.html"
    page.write_text('<!DOCTYPE html><html><head><title>t</title></head><body>'
                    '<img src="x.png"><input type="text"></body></html>', encoding="utf-8")
    assert serious(axe_violations(browser, page))


def test_compare_html_has_no_serious_violation(browser, tmp_path: Path):
    runs = three_rounds(tmp_path)
    out = tmp_path / "compare"
    names = [arg for name in LONG_NAMES for arg in ("--name", name)]
    result = CliRunner().invoke(app, ["compare", *map(str, runs), "--out", str(out), *names])
    assert result.exit_code == 0, result.output
    assert serious(axe_violations(browser, out / "compare.html")) == []


def test_report_html_has_no_serious_violation(browser, sample_run: Path):
    assert serious(axe_violations(browser, sample_run / "report.html")) == []
