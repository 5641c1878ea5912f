"""The survey page in headless Chromium on a phone: it fits, it is labelled, keys answer it."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.wait import WebDriverWait

from plugin.surveys import QUESTIONS, TEXTS
from plugin.surveys.tokens import issue_token
from tests.browser import PHONE, save_screenshot
from tests.stack import Stack

pytestmark = pytest.mark.browser
ASKS = ("csat", "nps", "ces")
TICKETS = itertools.count(1001)


@pytest.fixture(scope="module")
def stack(tmp_path_factory) -> Iterator[Stack]:
    """The plugin on a real socket (with its sandbox helpdesk); no worker is needed here."""
    stack = Stack(tmp_path_factory.mktemp("survey-browser"), worker=False)
    yield stack
    stack.close()


def survey_url(stack: Stack, language: str) -> tuple[str, str]:
    """(ticket id, the address of a new survey link for it in LANGUAGE asking every question)."""
    ticket_id = str(next(TICKETS))
    token = issue_token(stack.services.secret_key, "zendesk", ticket_id, language, ASKS)[1]
    return ticket_id, f"{stack.url}/s/{token}"


def heading(driver: WebDriver, text: str) -> None:
    """Wait until the page shown is the one whose <h1> is TEXT."""
    WebDriverWait(driver, 10).until(lambda d: d.execute_script(
        "return document.readyState === 'complete' && document.querySelector('h1')?.textContent"
    ) == text, f"a page headed {text!r}")


def press(driver: WebDriver, *keys: str) -> None:
    """Type KEYS into whatever has the focus, as a keyboard would."""
    ActionChains(driver).send_keys(*keys).perform()


def focused(driver: WebDriver) -> dict:
    """What has the focus: its tag, name, value, checked state and its (label's) outline."""
    return driver.execute_script(
        "const e = document.activeElement, ring = getComputedStyle(e.closest('label') || e);"
        "return {tag: e.tagName, name: e.name, value: e.value, checked: e.checked,"
        " outline: ring.outlineStyle}")


@pytest.mark.parametrize("language", ["tr", "az"])
def test_the_form_fits_a_phone_and_is_labelled(stack, phone, artifacts, language):
    _, url = survey_url(stack, language)
    phone.get(url)
    heading(phone, TEXTS[language]["title"])
    save_screenshot(phone, artifacts / f"survey-phone-{language}.png")
    assert phone.execute_script("return document.documentElement.lang") == language
    width, inner, ratio = phone.execute_script(
        "return [document.documentElement.scrollWidth, innerWidth, devicePixelRatio]")
    # A phone zooms out to fit a page wider than itself; so the layout width must stay its own.
    assert inner == PHONE["width"], f"the page is wider than the phone: zoomed out to {inner} px"
    assert width <= inner, "the page scrolls sideways on a phone"
    assert ratio == PHONE["scale"]

    radios = phone.find_elements(By.CSS_SELECTOR, "input[type=radio]")
    assert len(radios) == 5 + 11 + 7
    for radio in radios:
        assert radio.get_attribute("value") in radio.accessible_name.split()
    [comment] = phone.find_elements(By.TAG_NAME, "textarea")
    assert comment.accessible_name == TEXTS[language]["comment"]
    groups = phone.find_elements(By.TAG_NAME, "fieldset")
    assert [group.accessible_name for group in groups] == \
        [QUESTIONS[language][ask] for ask in ASKS]

    targets = phone.find_elements(By.CSS_SELECTOR, "label.option, textarea, button")
    assert len(targets) == len(radios) + 2
    for target in targets:
        rect = target.rect
        assert rect["height"] >= 40 and rect["width"] >= 40, (target.text, rect)
        assert rect["x"] >= 0 and rect["x"] + rect["width"] <= inner, (target.text, rect)
    smallest = phone.execute_script(
        "return Math.min(...[...document.querySelectorAll('h1, legend, label, button, textarea')]"
        ".map(e => parseFloat(getComputedStyle(e).fontSize)))")
    assert smallest >= 16, "text too small to read on a phone"


@pytest.mark.parametrize("language", ["tr", "az"])
def test_the_keyboard_alone_answers_once(stack, phone, language):
    ticket_id, url = survey_url(stack, language)
    texts = TEXTS[language]
    phone.get(url)
    heading(phone, texts["title"])
    first_tab = phone.current_window_handle
    phone.switch_to.new_window("tab")  # the same link, opened twice before it is answered
    phone.get(url)
    heading(phone, texts["title"])
    phone.switch_to.window(first_tab)

    press(phone, Keys.TAB)
    now = focused(phone)
    assert (now["tag"], now["name"], now["value"], now["checked"]) == ("INPUT", "csat", "1", False)
    assert now["outline"] != "none", "the keyboard's focus is not visible"
    press(phone, Keys.ARROW_RIGHT * 3)
    now = focused(phone)
    assert (now["name"], now["value"], now["checked"]) == ("csat", "4", True)
    press(phone, Keys.TAB, Keys.ARROW_RIGHT * 9)
    now = focused(phone)
    assert (now["name"], now["value"], now["checked"]) == ("nps", "9", True)
    press(phone, Keys.TAB, Keys.SPACE)
    now = focused(phone)
    assert (now["name"], now["value"], now["checked"]) == ("ces", "1", True)
    press(phone, Keys.TAB, "Çok hızlı")
    assert focused(phone)["tag"] == "TEXTAREA"
    press(phone, Keys.TAB)
    assert focused(phone)["tag"] == "BUTTON"
    assert stack.report(ticket_id)["surveys"] == []
    press(phone, Keys.ENTER)
    heading(phone, texts["done_title"])
    assert phone.execute_script("return document.documentElement.lang") == language
    [answer] = stack.report(ticket_id)["surveys"]
    assert (answer["csat"], answer["nps"], answer["ces"], answer["comment"]) == \
        (4, 9, 1, "Çok hızlı")

    phone.switch_to.window(next(h for h in phone.window_handles if h != first_tab))
    phone.find_element(By.CSS_SELECTOR, "input[name=csat][value='1']").find_element(
        By.XPATH, "..").click()
    phone.find_element(By.TAG_NAME, "button").click()
    heading(phone, texts["used_title"])
    [kept] = stack.report(ticket_id)["surveys"]
    assert kept == answer
