"""Guidance end to end: tr, az and en tickets get the right playbook note in their language."""

from __future__ import annotations

import html

import pytest

from plugin.playbooks import load_playbooks
from tests.stack import Stack, wait_until

PLAYBOOKS = load_playbooks("playbooks").playbooks
CASES = [
    ("tr", "Kartımdan aynı fatura için iki kere ödeme çekilmiş, lütfen kontrol eder misiniz?",
     "billing"),
    ("az", "Sifarişim hələ də çatdırılmayıb, artıq iki həftə keçib.", "order_problem"),
    ("en", "I can't log in to the app, the SMS code never arrives.", "technical_issue"),
]


@pytest.fixture
def stack(tmp_path):
    stack = Stack(tmp_path)
    yield stack
    stack.close()


def note_text(stack: Stack, ticket_id: int) -> str:
    [note] = wait_until(lambda: stack.notes(ticket_id), what="the note")
    return html.unescape(note["html_body"])


@pytest.mark.parametrize("language, text, expected", CASES)
def test_each_language_gets_the_right_note_in_its_language(stack, language, text, expected):
    ticket_id = stack.client.create_customer_ticket(text, lang=language)
    body = note_text(stack, ticket_id)
    guidance = PLAYBOOKS[expected].guidance[language]
    assert PLAYBOOKS[expected].title[language] in body
    assert guidance.steps[0] in body
    reply = guidance.first_reply.split("{name}")[-1]
    assert reply[len(reply) // 2:][:30] in body  # the suggested first reply, in the language
    assert f"ft_playbook_{expected}" in stack.ticket(ticket_id)["tags"]
    report = stack.report(ticket_id)
    assert (report["language"], report["playbooks"][0]["id"]) == (language, expected)


def test_a_comment_that_changes_the_best_playbook_adds_that_playbook(stack):
    ticket_id = stack.client.create_customer_ticket(CASES[2][1], lang="en",
                                                    email="pat@example.test")
    note_text(stack, ticket_id)
    stack.client.customer_comment(ticket_id, "This is unacceptable. I want my money back, "
                                  "please refund my subscription.", "pat@example.test")
    notes = wait_until(lambda: len(stack.notes(ticket_id)) == 2 and stack.notes(ticket_id),
                       what="the second note")
    assert PLAYBOOKS["refund_exchange"].title["en"] in html.unescape(notes[1]["html_body"])
    # The same customer comment again changes nothing: refund_exchange is already the best.
    stack.client.customer_comment(ticket_id, "Refund please, I want my money back.",
                                  "pat@example.test")
    wait_until(stack.settled, what="the stack to settle")
    assert len(stack.notes(ticket_id)) == 2
    assert stack.report(ticket_id)["playbooks"][0]["id"] == "refund_exchange"


def test_note_language_can_be_fixed_for_the_team(tmp_path):
    stack = Stack(tmp_path, note_language="en")
    try:
        ticket_id = stack.client.create_customer_ticket(CASES[0][1], lang="tr")
        body = note_text(stack, ticket_id)
        assert PLAYBOOKS["billing"].title["en"] in body
        # The suggested first reply stays in the customer's language.
        reply = PLAYBOOKS["billing"].guidance["tr"].first_reply.split("{name}")[-1]
        assert reply[len(reply) // 2:][:30] in body
    finally:
        stack.close()


def test_a_russian_ticket_is_answered_in_the_team_language(stack):
    ticket_id = stack.client.create_customer_ticket(
        "Здравствуйте, мой заказ не доставлен, sipariş hala gelmedi.", lang="tr")
    body = note_text(stack, ticket_id)
    assert PLAYBOOKS["order_problem"].title["tr"] in body
