"""Settings from the environment: defaults, *_FILE secrets, and refusing an open door."""

import pytest

from plugin.config import ConfigError, load_settings


def test_defaults_are_the_embedded_ones():
    settings = load_settings({})
    assert settings.port == 8080
    assert settings.database_url == "sqlite:///var/followthrough.db"
    assert settings.sandbox is True
    assert settings.zendesk_rpm == 300


def test_secrets_can_come_from_files(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s3cret\n")
    settings = load_settings({"ZENDESK_SUBDOMAIN": "acme", "ZENDESK_EMAIL": "bot@acme.test",
                              "ZENDESK_API_TOKEN": "t",
                              "ZENDESK_WEBHOOK_SECRET_FILE": str(secret)})
    assert settings.zendesk_webhook_secret == "s3cret"
    assert settings.sandbox is False


def test_a_real_account_without_a_webhook_secret_does_not_start():
    with pytest.raises(ConfigError, match="ZENDESK_WEBHOOK_SECRET"):
        load_settings({"ZENDESK_SUBDOMAIN": "acme", "ZENDESK_EMAIL": "bot@acme.test",
                       "ZENDESK_API_TOKEN": "t"})


@pytest.mark.parametrize("env, message", [
    ({"FT_PORT": "eighty"}, "FT_PORT"),
    ({"FT_NOTE_LANGUAGE": "de"}, "FT_NOTE_LANGUAGE"),
    ({"ZENDESK_WEBHOOK_SECRET_FILE": "/nonexistent/secret"}, "cannot be read"),
])
def test_bad_values_are_named(env, message):
    with pytest.raises(ConfigError, match=message):
        load_settings(env)


def test_the_cli_reports_configuration_errors(monkeypatch, capsys):
    from plugin.cli import main

    monkeypatch.setenv("FT_PORT", "x")
    assert main(["events"]) == 2
    assert "FT_PORT" in capsys.readouterr().err
