"""The real browser the browser tests drive: Debian's chromium and chromedriver through
Selenium (Playwright's own browser download does not work here). Tests skip, saying why, where
either is not installed."""

from __future__ import annotations

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")


def browser_missing(*packages: str) -> str:
    """Why a real-browser test cannot run here ("" when it can): the browser, its driver, or
    one of ``packages`` (selenium always) is missing."""
    if not CHROMIUM.exists():
        return f"no browser: {CHROMIUM} is missing (apt-get install chromium)"
    if not CHROMEDRIVER.exists():
        return f"no driver: {CHROMEDRIVER} is missing (apt-get install chromium-driver)"
    import importlib.util

    for package in ("selenium", *packages):
        if importlib.util.find_spec(package) is None:
            return f"the {package} package is not installed (pip install -e '.[dev]')"
    return ""


def headless_chromium(window: str = "1200,900"):
    """A started headless Chromium under Selenium; the caller quits it."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--disable-gpu", f"--window-size={window}"):
        options.add_argument(argument)
    return webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
