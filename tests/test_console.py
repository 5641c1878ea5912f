"""The admin console: sign-in with the admin token, CSRF, try a text, load errors shown."""

import re
import shutil

import pytest

from plugin import create_app
from plugin.services import Services
from tests.conftest import ADMIN, make_settings
from tests.stack import wait_until


@pytest.fixture
def console(tmp_path):
    playbooks = tmp_path / "playbooks"
    shutil.copytree("playbooks", playbooks)
    settings = make_settings(tmp_path, playbooks_dir=str(playbooks))
    services = Services(settings)
    services.migrate()
    return create_app(settings, services).test_client(), playbooks


def csrf(page: bytes) -> str:
    return re.search(rb'name="csrf" value="([^"]+)"', page).group(1).decode()


def sign_in(client) -> str:
    response = client.post("/console/login", data={"token": ADMIN})
    assert response.status_code == 303
    return csrf(client.get("/console").data)


def test_the_console_needs_the_admin_token(console):
    client, _ = console
    assert b"Admin token" in client.get("/console").data
    assert client.post("/console/login", data={"token": "wrong"}).status_code == 401
    assert client.post("/console/try", data={"text": "x"}).status_code == 401
    page = client.get("/console").data
    assert b"Loaded" not in page


def test_try_shows_matches_and_the_note_with_customer_html_escaped(console):
    client, _ = console
    token = sign_in(client)
    text = "Sipariş<script>alert(1)</script>im gelmedi, kargo nerede?"
    page = client.post("/console/try", data={"text": text, "csrf": token}).data.decode()
    assert "order_problem" in page
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page  # echoed back in the textarea, escaped
    assert "Language: <strong>tr</strong>" in page


def test_try_without_the_form_token_is_refused(console):
    client, _ = console
    sign_in(client)
    assert client.post("/console/try", data={"text": "x", "csrf": "forged"}).status_code == 403


def test_load_errors_are_listed_and_the_last_good_set_stays(console):
    client, playbooks = console
    sign_in(client)
    (playbooks / "billing.yaml").write_text("id: billing\npriority: [not a number\n")
    # Files are re-checked at most once a second: poll until the reload is visible.
    page = wait_until(lambda: (p := client.get("/console").data.decode()) * ("billing.yaml" in p),
                      timeout=5, what="the reload")
    assert "Files with errors" in page
    assert "<code>billing</code>" in page  # the last good version is still loaded
