"""Browser tests' helpers: device viewports and screenshots for the Chromium the fixtures start."""

from __future__ import annotations

import base64
from pathlib import Path

from selenium.webdriver.remote.webdriver import WebDriver

# A 390 x 844 CSS px phone at device scale 2 (iPhone 12 to 15): set_viewport(driver, **PHONE).
PHONE = {"width": 390, "height": 844, "scale": 2.0, "mobile": True}


def set_viewport(driver: WebDriver, width: int, height: int, *, mobile: bool = True,
                 scale: float = 2.0) -> None:
    """Emulate a WIDTH x HEIGHT (CSS px) device; MOBILE honours the page's viewport meta.

    A mobile device also gets touch input, so `pointer: coarse` styles apply as on a phone.
    """
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": scale, "mobile": mobile})
    driver.execute_cdp_cmd("Emulation.setTouchEmulationEnabled",
                           {"enabled": mobile, "maxTouchPoints": 5 if mobile else 1})


def save_screenshot(driver: WebDriver, path: Path, *, full_page: bool = True) -> Path:
    """Write the page (all of it, or only what the viewport shows) to PATH as PNG; print it."""
    params: dict = {"format": "png"}
    if full_page:
        size = driver.execute_script(
            "return [document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
        params |= {"captureBeyondViewport": True,
                   "clip": {"x": 0, "y": 0, "width": size[0], "height": size[1], "scale": 1}}
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", params)
    path.write_bytes(base64.b64decode(shot["data"]))
    print(f"screenshot: {path}")
    return path
