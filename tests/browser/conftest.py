"""Browser fixtures: one headless Debian Chromium for the whole session, and a screenshot folder."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.remote.webdriver import WebDriver

from tests.browser import PHONE, set_viewport

# Debian's packages, which `make browser` (a step of `make test`) installs. Giving Selenium the
# driver's path keeps Selenium Manager, which would download a browser and a driver, from running.
CHROMIUM = os.environ.get("FT_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("FT_CHROMEDRIVER", "/usr/bin/chromedriver")
FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", "--no-default-browser-check", "--disable-extensions")
ROOT = Path(__file__).resolve().parents[2]


def start_chromium(width: int, height: int) -> WebDriver:
    """A new headless Chromium whose window is WIDTH x HEIGHT; fails the test when it is missing."""
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not os.access(path, os.X_OK)]
    if missing:
        pytest.fail(f"browser tests need Chromium and its driver; missing {', '.join(missing)}. "
                    "Run `make browser` (part of `make test`) to install Debian's chromium and "
                    "chromium-driver, or point FT_CHROMIUM / FT_CHROMEDRIVER at them.",
                    pytrace=False)
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*FLAGS, f"--window-size={width},{height}"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)


def reset(driver: WebDriver, width: int, height: int) -> None:
    """Back to one blank tab of WIDTH x HEIGHT, no emulation and no cookies, as if new."""
    first, *others = driver.window_handles
    for handle in others:
        driver.switch_to.window(handle)
        driver.close()
    driver.switch_to.window(first)
    driver.get("about:blank")
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    driver.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": False})
    driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
    driver.set_window_size(width, height)


@pytest.fixture(scope="session")
def chrome() -> Iterator[Callable[..., WebDriver]]:
    """chrome(width=1280, height=800) -> the session's one browser, reset to a blank window.

    The browser starts on the first call and quits when the session ends; each call closes
    extra tabs, clears cookies and any device emulation (see tests.browser.set_viewport).
    """
    browser: WebDriver | None = None

    def open_browser(width: int = 1280, height: int = 800) -> WebDriver:
        nonlocal browser
        if browser is None:
            browser = start_chromium(width, height)
        else:
            reset(browser, width, height)
        return browser

    yield open_browser
    if browser is not None:
        browser.quit()


@pytest.fixture
def phone(chrome) -> WebDriver:
    """The session's browser, reset, emulating a PHONE (390 x 844, mobile, device scale 2)."""
    driver = chrome()
    set_viewport(driver, **PHONE)
    return driver


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """The folder for screenshots: $FT_ARTIFACTS_DIR, else var/test-artifacts/ in the checkout."""
    folder = Path(os.environ.get("FT_ARTIFACTS_DIR") or ROOT / "var" / "test-artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder
