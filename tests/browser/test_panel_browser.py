"""The ticket side panel in headless Chromium, hosted by the sandbox's agent view at 320 px."""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.wait import WebDriverWait
from sqlalchemy import select

from plugin.models import ChecklistTick
from plugin.panel.texts import TEXTS
from plugin.panel.view import WEEKDAYS
from tests.browser import set_viewport
from tests.stack import Stack, wait_until

pytestmark = pytest.mark.browser
AGENT = "ayse@sandbox.test"
IST, BAKU = "Europe/Istanbul", "Asia/Baku"
LAST_LOAD = [0.0]  # when the agent view was last loaded (time.time())
PANEL_WIDTH = 320  # the sandbox agent view's iframe, as Zendesk's ticket sidebar
COMPLAINTS = {
    "tr": "Merhaba, müşteri hizmetleriniz telefonu yüzüme kapattı, çok kaba davrandılar. "
          "Bu kabul edilemez, şikayetçiyim.",
    "az": "Filialınızdakı əməkdaş mənimlə çox kobud danışdı. Üç gündür yazıram, heç kim cavab "
          "vermir. Bu nə xidmətdir? Şikayət edirəm.",
}
DEFLECTION = ("Bu konu bizim departmanımızı ilgilendirmiyor, lütfen muhasebe birimine kendiniz "
              "yazın.")
DEFLECTION_PHRASE = "departmanımızı ilgilendirmiyor"
BETTER_TR = "Bu konuda size ben yardımcı olacağım"
LIVE_REPLY = f"{DEFLECTION} Siparişiniz yarın kargoya verilecek."  # and a promise
PROMISE_AZ = "Sabah saat 15:00-dək sizə geri dönəcəyəm."  # 15:00 on the agent's (Istanbul) clock


@pytest.fixture(scope="module")
def stack(tmp_path_factory) -> Iterator[Stack]:
    """The plugin serving the panel (app id 1 = the sandbox's app), its sandbox and a worker."""
    stack = Stack(tmp_path_factory.mktemp("panel-browser"), zendesk_app_id="1")
    yield stack
    stack.close()


@pytest.fixture(scope="module")
def tickets(stack) -> dict[str, int]:
    """Complaint tickets with a matched playbook, one per use so no test sees another's ticks,
    flags or replies: "tr" (read only), "tick", "live" (Turkish) and "az" (Azerbaijani)."""
    made = {name: stack.client.create_customer_ticket(COMPLAINTS[lang], lang=lang)
            for name, lang in (("tr", "tr"), ("tick", "tr"), ("live", "tr"), ("az", "az"))}
    for ticket_id in made.values():
        wait_until(lambda t=ticket_id: stack.report(t)["playbooks"], timeout=20,
                   what=f"a playbook on ticket {ticket_id}")
    return made


@pytest.fixture
def agent(chrome) -> WebDriver:
    """The session's browser as an agent's desktop: the panel frame is 320 px wide in it."""
    return chrome(1280, 900)


def open_ticket(driver: WebDriver, stack: Stack, ticket_id: int, lang: str = "tr",
                agent_tz: str = IST, customer_tz: str = BAKU) -> None:
    """Load the agent view (a new signed panel load), switch into the panel and wait for it."""
    # The sandbox's app token is the same for the same agent within one second (its times are
    # whole seconds, it has no nonce), and the plugin refuses a token it has seen: a new second.
    time.sleep(max(0.0, math.floor(LAST_LOAD[0]) + 1 - time.time()))
    driver.switch_to.default_content()
    query = urlencode({"lang": lang, "agent_tz": agent_tz, "customer_tz": customer_tz,
                       "agent": AGENT})
    driver.get(f"{stack.sandbox.base_url}/agent/tickets/{ticket_id}?{query}")
    LAST_LOAD[0] = time.time()
    WebDriverWait(driver, 10).until(EC.frame_to_be_available_and_switch_to_it(
        (By.ID, "panel-frame")))
    state = WebDriverWait(driver, 15).until(lambda d: d.execute_script(
        "const panel = document.getElementById('panel'), refused = "
        " document.querySelector('main [role=alert]');"
        "if (refused) return 'refused: ' + refused.parentNode.textContent;"
        "return panel && panel.getAttribute('aria-busy') === 'false' &&"
        " document.querySelector('#playbooks article .steps input') !== null && 'ready'"),
        "the panel to load the ticket's checklist")
    assert state == "ready", state


def boxes(driver: WebDriver) -> list:
    return driver.find_elements(By.CSS_SELECTOR, "#playbooks .steps input[type=checkbox]")


def run_check(driver: WebDriver, draft: str) -> None:
    """Type DRAFT into the panel's draft box, press Enter on "Check", wait for the results."""
    box = driver.find_element(By.ID, "draft")
    box.clear()
    box.send_keys(draft)
    driver.find_element(By.ID, "run-check").send_keys(Keys.ENTER)
    WebDriverWait(driver, 10).until(lambda d: d.find_elements(
        By.CSS_SELECTOR, "#check-results h3, #check-results .ok"), "the reply check's results")


def shoot_panel(driver: WebDriver, path: Path) -> Path:
    """The panel frame, all of it: the view is made as tall as the panel's content first."""
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.switch_to.default_content()
    set_viewport(driver, 1280, max(900, height + 20), mobile=False, scale=2.0)
    frame = driver.find_element(By.ID, "panel-frame")
    WebDriverWait(driver, 5).until(lambda _: frame.size["height"] >= height)
    frame.screenshot(str(path))
    print(f"screenshot: {path}")
    driver.switch_to.frame(frame)
    return path


def layout_problems(driver: WebDriver) -> dict[str, list]:
    """What is wrong with the panel's layout now: sideways scrolling, content beyond the right
    edge, text under 12 px, buttons and text boxes under 24 px tall. {} when nothing is."""
    found = driver.execute_script("""
        const root = document.documentElement, edge = root.clientWidth + 0.5;
        const shown = [...document.querySelectorAll('#panel *')]
          .filter(e => e.getClientRects().length && !e.closest('.visually-hidden'));
        const name = (e) => `${e.tagName} ${e.textContent.trim().slice(0, 30)}`;
        return {
          scrolls: root.scrollWidth > root.clientWidth ? [root.scrollWidth, root.clientWidth] : [],
          clipped: shown.filter(e => e.getBoundingClientRect().right > edge).map(name),
          small: shown.filter(e => [...e.childNodes].some(n => n.nodeType === 3 && n.data.trim())
                                   && parseFloat(getComputedStyle(e).fontSize) < 12)
            .map(e => [name(e), getComputedStyle(e).fontSize]),
          cramped: shown.filter(e => e.matches('button, textarea')
                                     && e.getBoundingClientRect().height < 24)
            .map(e => [name(e), e.getBoundingClientRect().height]),
        };""")
    return {problem: where for problem, where in found.items() if where}


def stored_ticks(stack: Stack, ticket_id: int) -> dict[int, tuple[bool, str]]:
    """checklist_ticks for the ticket: {step: (done, agent id)}."""
    with stack.services.store.sessions() as session:
        return {row.step: (row.done, row.agent_id) for row in session.scalars(
            select(ChecklistTick).where(ChecklistTick.vendor == "zendesk",
                                        ChecklistTick.ticket_id == str(ticket_id),
                                        ChecklistTick.playbook_id == "complaint"))}


@pytest.mark.parametrize("lang", ["tr", "az"])
def test_the_checklist_fits_320_px_and_is_labelled(stack, tickets, agent, artifacts, lang):
    open_ticket(agent, stack, tickets["tr"], lang=lang)
    playbook = stack.services.playbooks.current().playbooks["complaint"]
    assert agent.execute_script("return document.documentElement.lang") == lang
    assert agent.find_element(By.ID, "playbook-h").get_attribute("textContent") == \
        TEXTS[lang]["playbook"]
    [article] = agent.find_elements(By.CSS_SELECTOR, "#playbooks article")
    assert article.get_attribute("data-playbook") == "complaint"
    assert article.find_element(By.TAG_NAME, "h3").text == playbook.title[lang]
    steps = playbook.guidance[lang].steps
    checkboxes = boxes(agent)
    assert len(checkboxes) == len(steps) >= 3
    for checkbox, step in zip(checkboxes, steps, strict=True):
        assert not checkbox.is_selected()
        labels = agent.execute_script(
            "return [...arguments[0].labels].map(l => l.textContent)", checkbox)
        assert labels == [step]
        assert checkbox.accessible_name == step

    pairs = playbook.guidance["tr"].say_instead  # the customer's language: a Turkish ticket
    shown = agent.execute_script(
        "return [...document.querySelectorAll('.say-instead dt, .say-instead dd')]"
        ".map(e => e.textContent)")
    assert shown == [line for pair in pairs for line in (
        f"{TEXTS[lang]['avoid']}: {pair.avoid}", f"{TEXTS[lang]['say']}: {pair.say}")]
    assert "[object" not in agent.find_element(By.ID, "panel").text

    if lang == "tr":
        shoot_panel(agent, artifacts / "panel-320-tr.png")
    assert agent.execute_script("return innerWidth") == PANEL_WIDTH
    assert layout_problems(agent) == {}
    for checkbox in checkboxes:
        box = checkbox.rect
        label = checkbox.find_element(By.XPATH, "following-sibling::label").rect
        # The label is the checkbox's click target too: at least 24 px tall, beside the box,
        # the box level with the label's first line.
        assert box["width"] >= 16 and box["height"] >= 16, box
        assert label["height"] >= 24, (box, label)
        assert box["x"] + box["width"] <= label["x"], (box, label)
        assert abs(box["y"] - label["y"]) <= 6, (box, label)


def test_steps_tick_with_the_keyboard_and_are_kept(stack, tickets, agent):
    ticket_id = tickets["tick"]
    open_ticket(agent, stack, ticket_id)
    assert stored_ticks(stack, ticket_id) == {}
    boxes(agent)[1].send_keys(Keys.SPACE)  # focuses the box, then the space bar ticks it
    ActionChains(agent).send_keys(Keys.TAB, Keys.SPACE).perform()  # the next step, by Tab
    focused = agent.execute_script(
        "const e = document.activeElement; return [e.id, getComputedStyle(e).outlineStyle]")
    assert focused == ["step-complaint-2", "solid"], "Tab did not reach the next step visibly"
    WebDriverWait(agent, 5).until(
        lambda d: d.find_element(By.ID, "status").text == TEXTS["tr"]["tick_saved"])
    agent.switch_to.default_content()
    agent_id = agent.find_element(By.TAG_NAME, "body").get_attribute("data-agent-id")
    wait_until(lambda: stored_ticks(stack, ticket_id) == {1: (True, agent_id),
                                                          2: (True, agent_id)},
               timeout=5, what="steps 1 and 2 ticked by the agent, in checklist_ticks")

    open_ticket(agent, stack, ticket_id)  # a new signed load reads them back
    ticked = [box.is_selected() for box in boxes(agent)]
    assert ticked == [step in (1, 2) for step in range(len(ticked))]
    boxes(agent)[2].send_keys(Keys.SPACE)
    wait_until(lambda: stored_ticks(stack, ticket_id).get(2) == (False, agent_id), timeout=5,
               what="step 2 unticked")
    open_ticket(agent, stack, ticket_id)
    assert [box.is_selected() for box in boxes(agent)] == [step == 1 for step in range(len(ticked))]


def test_checking_a_turkish_draft_shows_the_deflection_and_a_better_wording(
        stack, tickets, agent, artifacts):
    open_ticket(agent, stack, tickets["tr"])
    texts = TEXTS["tr"]
    run_check(agent, DEFLECTION)
    results = agent.find_element(By.ID, "check-results")
    headings = [h.text for h in results.find_elements(By.TAG_NAME, "h3")]
    assert headings[0] == texts["deflections"]
    [hit] = results.find_elements(By.CSS_SELECTOR, "li.hit")
    assert hit.find_element(By.TAG_NAME, "mark").text == DEFLECTION_PHRASE
    better = hit.find_element(By.TAG_NAME, "div").text
    assert better.startswith(f"{texts['better']}: {BETTER_TR}"), better
    assert texts["missing"] in headings  # the complaint's reply checks: no apology in it
    shoot_panel(agent, artifacts / "panel-check-tr.png")
    assert layout_problems(agent) == {}


def test_the_draft_comes_from_the_editor(stack, tickets, agent):
    open_ticket(agent, stack, tickets["tr"])
    draft = "Yaşadığınız sorun için özür dilerim; bunu ben takip edeceğim."
    agent.switch_to.default_content()
    agent.find_element(By.ID, "reply").send_keys(draft)
    agent.switch_to.frame(agent.find_element(By.ID, "panel-frame"))
    button = agent.find_element(By.ID, "use-draft")
    assert button.is_displayed() and button.text == TEXTS["tr"]["use_draft"]
    assert agent.find_element(By.ID, "draft").get_attribute("value") == ""
    button.click()
    WebDriverWait(agent, 5).until(
        lambda d: d.find_element(By.ID, "draft").get_attribute("value") == draft)
    assert agent.execute_script("return document.activeElement.id") == "draft"


def test_an_azerbaijani_promise_shows_both_clocks(stack, tickets, agent):
    open_ticket(agent, stack, tickets["az"], lang="az", agent_tz=IST, customer_tz=BAKU)
    texts = TEXTS["az"]
    before = datetime.now(ZoneInfo(IST)).date() + timedelta(days=1)
    run_check(agent, PROMISE_AZ)
    after = datetime.now(ZoneInfo(IST)).date() + timedelta(days=1)
    results = agent.find_element(By.ID, "check-results")
    assert texts["promises"] in [h.text for h in results.find_elements(By.TAG_NAME, "h3")]
    [promise] = results.find_elements(By.CSS_SELECTOR, "li.promise")
    assert promise.find_element(By.TAG_NAME, "q").text == PROMISE_AZ.rstrip(".")
    shown = [line.text for line in promise.find_elements(By.TAG_NAME, "div")]
    expected = [[f"{texts['customer_time']}: {WEEKDAYS['az'][day.weekday()]} {day} 16:00 ({BAKU})",
                 f"{texts['agent_time']}: {WEEKDAYS['az'][day.weekday()]} {day} 15:00 ({IST})"]
                for day in {before, after}]
    assert shown in expected


def test_a_deflecting_reply_is_flagged_without_a_reload(stack, tickets, agent, artifacts):
    ticket_id = tickets["live"]
    texts = TEXTS["tr"]
    open_ticket(agent, stack, ticket_id)
    assert agent.find_elements(By.CSS_SELECTOR, ".flag-deflection") == []
    assert agent.find_element(By.ID, "flags").text == texts["no_flags"]
    assert agent.find_element(By.ID, "followups").text == texts["no_followups"]
    agent.execute_script("window.loadedOnce = true")
    agent.switch_to.default_content()
    agent.find_element(By.ID, "reply").send_keys(LIVE_REPLY)
    agent.find_element(By.ID, "send").click()
    WebDriverWait(agent, 5).until(
        lambda d: d.find_element(By.ID, "reply").get_attribute("value") == "", "the reply sent")
    agent.switch_to.frame(agent.find_element(By.ID, "panel-frame"))
    [flag] = WebDriverWait(agent, 20).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, "#flags .flag-deflection"),
        "the deflection flag in the panel")
    assert agent.execute_script("return window.loadedOnce") is True, "the panel was reloaded"
    assert flag.find_element(By.TAG_NAME, "strong").text == texts["flag_deflection"]
    assert DEFLECTION_PHRASE in flag.find_element(By.CSS_SELECTOR, ".detail").text
    # The promise in the same reply is followed up: listed with its status, on both clocks.
    [followup] = WebDriverWait(agent, 10).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, "#followups li[data-job]"),
        "the promise check in the panel")
    assert followup.find_element(By.TAG_NAME, "strong").text == texts["kind_promise_check"]
    assert followup.find_element(By.CSS_SELECTOR, ".badge").text == texts["status_pending"]
    assert f"({BAKU})" in followup.text and f"({IST})" in followup.text
    shoot_panel(agent, artifacts / "panel-live-tr.png")
    assert layout_problems(agent) == {}
