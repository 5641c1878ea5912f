"""Follow-ups end to end: surveys, recovery calls, referral prompts and promise tracking."""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests

from tests.conftest import ADMIN
from tests.stack import Stack, wait_until

AGENT = "ayse@sandbox.test"
AUTH = {"Authorization": f"Bearer {ADMIN}"}
TEXT = "Merhaba, siparişim bir haftadır gelmedi, kargo takip numarası da çalışmıyor."
LINK = re.compile(r'href="(http[^"]+/s/([^"?]+)\?csat=(\d))"')


@pytest.fixture
def stack(tmp_path):
    stack = Stack(tmp_path, public_url="http://127.0.0.1:0")
    yield stack
    stack.close()


def solved_ticket(stack: Stack, email: str = "musteri@example.test", reply: bool = True) -> int:
    ticket_id = stack.client.create_customer_ticket(TEXT, lang="tr", email=email)
    wait_until(lambda: stack.notes(ticket_id), what="the guidance note")
    if reply:
        stack.client.agent_reply(ticket_id, "Kargonuzu yeniden gönderdik, iyi günlerde "
                                 "kullanın.", agent_email=AGENT)
    stack.client.set_status(ticket_id, "solved", AGENT)
    wait_until(stack.settled, what="the stack to settle")
    return ticket_id


def scheduled(stack: Stack, ticket_id: int, kind: str) -> dict:
    return next(s for s in stack.report(ticket_id)["scheduled"] if s["kind"] == kind)


def run_job(stack: Stack, job_id: str) -> None:
    response = requests.post(f"{stack.url}/api/jobs/{job_id}/run", headers=AUTH, timeout=5)
    assert response.status_code == 202, response.text
    wait_until(stack.settled, what="the job to run")


def public_comments(stack: Stack, ticket_id: int) -> list[dict]:
    return [c for c in stack.comments(ticket_id) if c["public"] and c["author_id"] == 1]


def test_a_solved_ticket_gets_its_survey_in_the_customers_window(stack):
    ticket_id = solved_ticket(stack)
    survey = scheduled(stack, ticket_id, "survey")
    solved = datetime.fromisoformat(stack.ticket(ticket_id)["updated_at"].replace("Z", "+00:00"))
    run_at = datetime.fromisoformat(survey["run_at"].replace("Z", "+00:00"))
    local = run_at.astimezone(ZoneInfo(survey["tz"]))
    assert survey["tz"] == "Europe/Istanbul" and survey["status"] == "pending"
    assert timedelta(hours=24) <= run_at - solved <= timedelta(hours=48)
    assert 9 <= local.hour < 20
    run_job(stack, survey["job_id"])
    [comment] = public_comments(stack, ticket_id)
    links = LINK.findall(html.unescape(comment["html_body"]))
    assert [score for _, _, score in links] == ["1", "2", "3", "4", "5"]
    assert stack.ticket(ticket_id)["status"] == "solved"  # the survey keeps the ticket solved
    assert scheduled(stack, ticket_id, "survey")["status"] == "done"


def answer(stack: Stack, ticket_id: int, score: int, comment: str = "") -> requests.Response:
    """Open the link for SCORE like a browser, then submit the form (GET alone stores nothing)."""
    [message] = public_comments(stack, ticket_id)
    url = next(u for u, _, s in LINK.findall(html.unescape(message["html_body"]))
               if s == str(score))
    path = url.split("/s/", 1)[1]
    browser = requests.Session()
    before = len(stack.services.store.survey_answers("zendesk", str(ticket_id)))
    page = browser.get(f"{stack.url}/s/{path}", timeout=5)
    assert len(stack.services.store.survey_answers("zendesk", str(ticket_id))) == before
    if page.status_code != 200:
        return page
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    token = path.split("?")[0]
    return browser.post(f"{stack.url}/s/{token}", data={"csrf": csrf, "csat": str(score),
                                                        "comment": comment}, timeout=5)


def test_a_bad_score_books_a_recovery_call_task(stack):
    ticket_id = solved_ticket(stack)
    run_job(stack, scheduled(stack, ticket_id, "survey")["job_id"])
    assert answer(stack, ticket_id, 1, "Kimse <b>aramadı</b>").status_code == 200
    wait_until(lambda: "ft_csat_bad" in stack.ticket(ticket_id)["tags"], what="the tag")
    wait_until(stack.settled, what="the stack to settle")
    note = html.unescape(stack.notes(ticket_id)[-1]["html_body"])
    assert "CSAT 1" in note and "<b>aramadı</b>" in note  # the comment, escaped in the HTML
    call = scheduled(stack, ticket_id, "followup_call")
    local = datetime.fromisoformat(call["run_at"].replace("Z", "+00:00")).astimezone(
        ZoneInfo(call["tz"]))
    assert local.weekday() < 5 and 9 <= local.hour < 18
    run_job(stack, call["job_id"])
    tasks = [t for t in requests.get(f"{stack.sandbox.base_url}/api/v2/tickets.json",
                                     auth=("bot@sandbox.test/token", "sandbox-token"),
                                     timeout=5).json()["tickets"] if t["type"] == "task"]
    [task] = tasks
    assert "ft_followup_call" in task["tags"] and task["due_at"]
    assert task["requester_id"] == stack.ticket(ticket_id)["requester_id"]
    assert task["assignee_id"] == 2  # the agent who solved it
    # The same job again changes nothing: no second task.
    assert requests.post(f"{stack.url}/api/jobs/{call['job_id']}/run", headers=AUTH,
                         timeout=5).status_code == 404


def test_a_great_score_prompts_a_referral_and_links_are_single_use(stack):
    ticket_id = solved_ticket(stack)
    run_job(stack, scheduled(stack, ticket_id, "survey")["job_id"])
    assert answer(stack, ticket_id, 5).status_code == 200
    wait_until(lambda: "ft_csat_good" in stack.ticket(ticket_id)["tags"], what="the tag")
    wait_until(stack.settled, what="the stack to settle")
    assert any("referral" in html.unescape(n["html_body"]).lower() or "tavsiye" in
               html.unescape(n["html_body"]).lower() for n in stack.notes(ticket_id))
    assert answer(stack, ticket_id, 4).status_code == 409  # the link was used
    assert len(stack.services.store.survey_answers("zendesk", str(ticket_id))) == 1


def test_reopening_cancels_the_survey(stack):
    ticket_id = solved_ticket(stack, email="geri@example.test")
    stack.client.customer_comment(ticket_id, "Hâlâ gelmedi!", "geri@example.test")
    wait_until(lambda: scheduled(stack, ticket_id, "survey")["status"] == "cancelled",
               what="the cancellation")


def test_the_survey_is_skipped_without_a_public_reply_or_within_the_cooldown(stack):
    silent = solved_ticket(stack, email="a@example.test", reply=False)
    run_job(stack, scheduled(stack, silent, "survey")["job_id"])
    skipped = scheduled(stack, silent, "survey")
    assert skipped["status"] == "skipped" and "public agent reply" in skipped["reason"]
    first = solved_ticket(stack, email="b@example.test")
    run_job(stack, scheduled(stack, first, "survey")["job_id"])
    second = solved_ticket(stack, email="b@example.test")
    run_job(stack, scheduled(stack, second, "survey")["job_id"])
    assert "surveyed in the last 30 days" in scheduled(stack, second, "survey")["reason"]
    assert public_comments(stack, second) == []


def test_a_promise_is_reminded_then_broken(stack):
    ticket_id = stack.client.create_customer_ticket(TEXT, lang="tr")
    wait_until(lambda: stack.notes(ticket_id), what="the guidance note")
    stack.client.agent_reply(ticket_id, "Kontrol ediyorum, yarın öğleden önce size dönüş "
                             "yapacağım.", agent_email=AGENT)
    wait_until(stack.settled, what="the stack to settle")
    check = scheduled(stack, ticket_id, "promise_check")
    deadline = datetime.fromisoformat(check["run_at"].replace("Z", "+00:00")) + \
        timedelta(hours=2)
    assert deadline.astimezone(ZoneInfo("Europe/Istanbul")).hour == 12
    run_job(stack, check["job_id"])
    assert "ft_promise_at_risk" in stack.ticket(ticket_id)["tags"]
    assert "yarın öğleden önce" in html.unescape(stack.notes(ticket_id)[-1]["html_body"])
    run_job(stack, scheduled(stack, ticket_id, "promise_check")["job_id"])
    assert "ft_promise_broken" in stack.ticket(ticket_id)["tags"]
    assert "promise_broken" in [f["kind"] for f in stack.report(ticket_id)["flags"]]
    report = requests.get(f"{stack.url}/api/reports/promises", headers=AUTH, timeout=5).json()
    assert report["by_agent"]["2"] == {"broken": 1}


def test_solving_keeps_the_promise(stack):
    ticket_id = stack.client.create_customer_ticket(TEXT, lang="tr")
    wait_until(lambda: stack.notes(ticket_id), what="the guidance note")
    stack.client.agent_reply(ticket_id, "Cuma gününe kadar çözeceğim.", agent_email=AGENT)
    wait_until(stack.settled, what="the stack to settle")
    stack.client.set_status(ticket_id, "solved", AGENT)
    wait_until(lambda: scheduled(stack, ticket_id, "promise_check")["status"] == "cancelled",
               what="the promise to be kept")
    assert scheduled(stack, ticket_id, "promise_check")["reason"] == "kept"
    report = requests.get(f"{stack.url}/api/reports/promises", headers=AUTH, timeout=5).json()
    assert report["by_agent"]["2"] == {"kept": 1}


def test_a_closed_ticket_gets_its_survey_as_a_follow_up_ticket(tmp_path):
    stack = Stack(tmp_path, survey_on_closed="followup")
    try:
        ticket_id = solved_ticket(stack)
        stack.client.set_status(ticket_id, "closed", AGENT)
        wait_until(stack.settled, what="the stack to settle")
        run_job(stack, scheduled(stack, ticket_id, "survey")["job_id"])
        tickets = requests.get(f"{stack.sandbox.base_url}/api/v2/tickets.json",
                               auth=("bot@sandbox.test/token", "sandbox-token"),
                               timeout=5).json()["tickets"]
        [follow_up] = [t for t in tickets if t["id"] != ticket_id]
        assert follow_up["via"]["source"]["from"]["ticket_id"] == ticket_id
        [comment] = stack.comments(follow_up["id"])
        assert comment["public"] and LINK.search(html.unescape(comment["html_body"]))
        assert scheduled(stack, ticket_id, "survey")["status"] == "done"
    finally:
        stack.close()


def test_a_recovery_call_also_queues_a_talk_callback_once(tmp_path):
    stack = Stack(tmp_path, talk_callbacks=True)
    try:
        requests.post(f"{stack.sandbox.base_url}/api/v2/users.json", timeout=5,
                      auth=("bot@sandbox.test/token", "sandbox-token"),
                      json={"user": {"name": "Ali", "email": "ali@example.test",
                                     "phone": "+905551112233"}}).raise_for_status()
        ticket_id = solved_ticket(stack, email="ali@example.test")
        run_job(stack, scheduled(stack, ticket_id, "survey")["job_id"])
        assert answer(stack, ticket_id, 2).status_code == 200
        wait_until(lambda: any(s["kind"] == "followup_call" for s in
                               stack.report(ticket_id)["scheduled"]), what="the call")
        run_job(stack, scheduled(stack, ticket_id, "followup_call")["job_id"])
        assert stack.stats()["callback_requests"] == 1
    finally:
        stack.close()


def test_a_429_storm_at_send_time_delays_but_never_doubles_the_survey(stack):
    ticket_id = solved_ticket(stack)
    stack.faults(rate_limit_rpm=1, rate_limit_window=2)
    job = scheduled(stack, ticket_id, "survey")["job_id"]
    assert requests.post(f"{stack.url}/api/jobs/{job}/run", headers=AUTH,
                         timeout=5).status_code == 202
    wait_until(lambda: stack.stats()["requests_by_status"].get("429"), what="a 429")
    wait_until(lambda: public_comments(stack, ticket_id), timeout=60, what="the survey")
    wait_until(stack.settled, timeout=30, what="the stack to settle")
    stack.faults(rate_limit_rpm=700, rate_limit_window=60)
    assert len(public_comments(stack, ticket_id)) == 1
