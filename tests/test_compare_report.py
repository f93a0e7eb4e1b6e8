"""compare.html and compare.md as a forum's annual report reads them: rounds named in full,
shares with their counts under one stated denominator per round, a line chart from three
rounds on, and a page that fits A4 in a real browser where Debian's chromium is installed."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from browser_helpers import browser_missing, headless_chromium
from test_compare import fake_run
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.compare.rounds import read_round

LONG_NAMES = ["NHS Partnership Forum member survey 2024 (spring round)",
              "NHS Partnership Forum member survey 2025 (spring round)",
              "NHS Partnership Forum member survey 2026 (spring round)"]


def three_rounds(tmp_path: Path) -> list[Path]:
    """Three rounds of 11, 10 and 12 respondents; 'papers' raised by 3, 6 and 9 of them."""
    labels = {"papers": "Meeting papers arrive late", "ministers": "Ministerial presence"}
    folders = []
    for index, (total, raising) in enumerate(((11, 3), (10, 6), (12, 9))):
        answers = [(f"r{i}", "NHS trade union" if i % 2 else "NHS Employers",
                    "papers" if i < raising else ("ministers" if i == raising else ""), "")
                   for i in range(total)]
        folders.append(fake_run(tmp_path / f"run_{index}", answers, labels))
    return folders


@pytest.fixture()
def compared(tmp_path: Path) -> Path:
    runs = three_rounds(tmp_path)
    out = tmp_path / "compare"
    names = [arg for name in LONG_NAMES for arg in ("--name", name)]
    result = CliRunner().invoke(app, ["compare", *map(str, runs), "--out", str(out), *names])
    assert result.exit_code == 0, result.output
    return out


def test_rounds_named_in_full_with_their_denominators(compared: Path):
    page = (compared / "compare.html").read_text(encoding="utf-8")
    for name in LONG_NAMES:
        assert name in page
    assert re.search(r"<td>NHS Partnership Forum member survey 2025 \(spring round\)</td>\s*"
                     r'<td class="num">10</td>', page)
    markdown = (compared / "compare.md").read_text(encoding="utf-8")
    assert "| NHS Partnership Forum member survey 2026 (spring round) | 12 |" in markdown


def test_shares_are_percentages_with_counts_never_bare_fractions(compared: Path):
    page = (compared / "compare.html").read_text(encoding="utf-8")
    assert "27% (3 of 11)" in page and "60% (6 of 10)" in page and "75% (9 of 12)" in page
    assert "+33 pts" in page  # 27% -> 60%
    visible = re.sub(r"<[^>]+>", " ", page)
    assert not re.search(r"\b0\.\d{4}\b", visible), "a share printed as a bare fraction"
    markdown = (compared / "compare.md").read_text(encoding="utf-8")
    assert "60% (6 of 10)" in markdown and "| 0.6 |" not in markdown


def test_three_rounds_get_a_line_chart_with_a_text_equivalent(compared: Path):
    page = (compared / "compare.html").read_text(encoding="utf-8")
    assert page.count("<polyline") == 2  # one per theme
    assert ('aria-label="Meeting papers arrive late, share of respondents by round: '
            f'{LONG_NAMES[0]}: 27%; {LONG_NAMES[1]}: 60%; {LONG_NAMES[2]}: 75%"') in page


def test_two_rounds_have_no_line_chart(tmp_path: Path):
    runs = three_rounds(tmp_path)[:2]
    out = tmp_path / "compare"
    result = CliRunner().invoke(app, ["compare", *map(str, runs), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "<polyline" not in (out / "compare.html").read_text(encoding="utf-8")


def test_a_name_count_unlike_the_folders_is_refused(tmp_path: Path):
    runs = three_rounds(tmp_path)
    result = CliRunner().invoke(app, ["compare", *map(str, runs), "--out",
                                      str(tmp_path / "out"), "--name", "only one"])
    assert result.exit_code == 1
    assert "Error [D076]: 1 names for 3 run folders" in result.output


def test_the_runs_own_round_setting_names_it(tmp_path: Path):
    folder = three_rounds(tmp_path)[0]
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["settings"] = {"report": {"round": "Spring 2024"}}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert read_round(folder).name == "Spring 2024"
    assert read_round(folder, "Given").name == "Given"


@pytest.mark.browser
@pytest.mark.skipif(bool(browser_missing()), reason=browser_missing() or "ok")
def test_compare_page_fits_a4_when_printed_in_a_real_browser(compared: Path):
    driver = headless_chromium()
    try:
        # A4 less 14 mm margins each side: 182 mm = 688 CSS pixels at 96 per inch
        driver.set_window_size(688 + 16, 1000)
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": 688, "height": 1000, "deviceScaleFactor": 1, "mobile": False})
        driver.get((compared / "compare.html").as_uri())
        widths = driver.execute_script(
            "return [document.documentElement.scrollWidth, document.documentElement.clientWidth,"
            " Math.max(...[...document.querySelectorAll('table')].map(t => t.scrollWidth))]")
        pdf = driver.execute_cdp_cmd("Page.printToPDF", {"preferCSSPageSize": True})
    finally:
        driver.quit()
    page_width, view_width, widest_table = widths
    assert page_width <= view_width, f"the page is {page_width}px wide on A4's {view_width}px"
    assert widest_table <= view_width
    import base64

    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]",
                       base64.b64decode(pdf["data"]))
    assert boxes and all((round(float(w)), round(float(h))) == (595, 842) for w, h in boxes)
