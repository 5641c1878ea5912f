"""The helpdesk app packages: what `zendesk-app build` and `freshdesk-app build` write, and the
checks that stand in for the vendors' validators."""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

from plugin import apps
from plugin.cli import main

LANGUAGES = {"en", "tr", "az"}


def make_png(width: int, height: int, colour_type: int = 6) -> bytes:
    channels = {6: 4, 2: 3}[colour_type]
    raw = b"".join(b"\x00" + b"\x80" * width * channels for _ in range(height))

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + crc

    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return (apps.PNG_SIGNATURE + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw))
            + chunk(b"IEND", b""))


def leaf_keys(document: dict, prefix: str = "") -> set[str]:
    keys: set[str] = set()
    for key, value in document.items():
        keys |= leaf_keys(value, f"{prefix}{key}.") if isinstance(value, dict) else {prefix + key}
    return keys


def changed(files: dict[str, bytes], path: str, change: Callable[[dict], None]) -> dict:
    document = json.loads(files[path])
    change(document)
    return {**files, path: json.dumps(document).encode()}


# --- Zendesk ------------------------------------------------------------------------------

@pytest.fixture
def zendesk_zip(tmp_path) -> dict[str, bytes]:
    path = apps.build_zendesk_app(tmp_path / "zendesk.zip")
    assert path.is_file()
    return apps.read_package(path)


def test_zendesk_zip_holds_the_app_at_its_root(zendesk_zip):
    assert set(zendesk_zip) == {"manifest.json", "assets/logo.png", "assets/logo-small.png",
                                "translations/en.json", "translations/tr.json",
                                "translations/az.json"}


def test_zendesk_zip_passes_the_package_check(zendesk_zip):
    assert apps.check_zendesk_files(zendesk_zip) == []


def test_zendesk_manifest_is_a_signed_ticket_sidebar(zendesk_zip):
    manifest = json.loads(zendesk_zip["manifest.json"])
    assert manifest["frameworkVersion"] == "2.0"
    assert manifest["signedUrls"] is True
    assert manifest["author"]["name"] and manifest["author"]["email"]
    assert manifest["location"] == {"support": {"ticket_sidebar": {
        "url": "{{setting.plugin_url}}/panel/zendesk", "flexible": True}}}
    assert manifest["parameters"] == [
        {"name": "plugin_url", "type": "url", "required": True, "secure": False}]


def test_zendesk_translations_have_the_same_keys_and_label_the_setting(zendesk_zip):
    documents = {language: json.loads(zendesk_zip[f"translations/{language}.json"])
                 for language in LANGUAGES}
    keys = {language: leaf_keys(document) for language, document in documents.items()}
    assert keys["tr"] == keys["en"] == keys["az"]
    assert {"app.name", "app.parameters.plugin_url.label",
            "app.parameters.plugin_url.helpText"} <= keys["en"]
    for document in documents.values():
        setting = document["app"]["parameters"]["plugin_url"]
        assert all(value.strip() for value in setting.values())
    descriptions = {language: document["app"]["short_description"]
                    for language, document in documents.items()}
    assert len(set(descriptions.values())) == 3  # written in each language, not copied


def test_zendesk_logos_are_rgba_pngs_of_the_sizes_zendesk_wants(zendesk_zip):
    for name, size in (("assets/logo.png", 320), ("assets/logo-small.png", 128)):
        data = zendesk_zip[name]
        assert struct.unpack(">II", data[16:24]) == (size, size)
        assert apps.png_problems(name, data, size) == []


def test_zendesk_build_can_bake_the_plugin_url(tmp_path):
    files = apps.read_package(apps.build_zendesk_app(tmp_path / "z.zip", "https://ft.example/base/"))
    manifest = json.loads(files["manifest.json"])
    assert manifest["location"]["support"]["ticket_sidebar"]["url"] == (
        "https://ft.example/base/panel/zendesk")
    assert "parameters" not in manifest
    for language in LANGUAGES:
        assert "parameters" not in json.loads(files[f"translations/{language}.json"])["app"]
    assert apps.check_zendesk_files(files) == []


@pytest.mark.parametrize("url", ["http://ft.example", "ftp://ft.example", "ft.example",
                                 "https://ft.example/?x=1"])
def test_zendesk_build_refuses_a_url_zendesk_would_refuse(tmp_path, url):
    with pytest.raises(ValueError, match="not a plugin URL"):
        apps.build_zendesk_app(tmp_path / "z.zip", url)
    assert not (tmp_path / "z.zip").exists()


def test_plain_http_is_accepted_for_localhost():
    assert apps.plugin_base_url("http://localhost:8080/") == "http://localhost:8080"


ZENDESK_BREAKAGES = {
    "no author": (lambda m: m.pop("author"), "author must be an object"),
    "author without email": (lambda m: m["author"].pop("email"), "author must be an object"),
    "plain http": (lambda m: m["location"]["support"]["ticket_sidebar"].update(
        url="http://ft.example/panel/zendesk"), "must use https"),
    "unknown location": (lambda m: m["location"]["support"].update(
        ticket_sidebarr={"url": "https://ft.example"}), "ticket_sidebarr is not a Zendesk"),
    "unknown host": (lambda m: m["location"].update(freshdesk={"ticket_sidebar": "x.html"}),
                     "freshdesk is not the support host"),
    "no ticket sidebar": (lambda m: m["location"].update(
        support={"user_sidebar": {"url": "https://ft.example"}}), "needs the location support"),
    "unsigned": (lambda m: m.update(signedUrls=False), "signedUrls must be true"),
    "old framework": (lambda m: m.update(frameworkVersion="1.0"), "frameworkVersion"),
    "parameter without type": (lambda m: m["parameters"][0].pop("type"), "type must be one of"),
    "parameter without required": (lambda m: m["parameters"][0].pop("required"),
                                   "required must be true or false"),
    "undeclared setting": (lambda m: m["location"]["support"]["ticket_sidebar"].update(
        url="{{setting.plugin_host}}/panel"), "{{setting.plugin_host}} is not a non-secure"),
    "secure setting in url": (lambda m: m["parameters"][0].update(secure=True),
                              "{{setting.plugin_url}} is not a non-secure"),
    "missing asset page": (lambda m: m["location"]["support"]["ticket_sidebar"].update(
        url="assets/iframe.html"), "neither an absolute https URL nor a file under assets/"),
    "default locale without file": (lambda m: m.update(defaultLocale="de"),
                                    "translations/de.json"),
}


@pytest.mark.parametrize("breakage", sorted(ZENDESK_BREAKAGES))
def test_zendesk_check_catches_a_broken_manifest(breakage):
    change, expected = ZENDESK_BREAKAGES[breakage]
    files = changed(apps.zendesk_app_files(), "manifest.json", change)
    manifest = json.loads(files["manifest.json"])
    problems = apps.check_zendesk_manifest(manifest, set(files))
    assert any(expected in problem for problem in problems), problems


def test_zendesk_check_allows_http_on_localhost():
    files = changed(apps.zendesk_app_files(), "manifest.json", lambda m: m["location"]["support"][
        "ticket_sidebar"].update(url="http://localhost:8080/panel/zendesk"))
    assert apps.check_zendesk_files(files) == []


def test_zendesk_check_catches_a_missing_translation_key():
    files = changed(apps.zendesk_app_files(), "translations/tr.json",
                    lambda d: d["app"].pop("long_description"))
    assert apps.check_zendesk_files(files) == [
        "translations/tr.json: app.long_description is missing"]


def test_zendesk_check_catches_a_missing_setting_label():
    files = changed(apps.zendesk_app_files(), "translations/az.json",
                    lambda d: d["app"]["parameters"]["plugin_url"].pop("label"))
    assert "translations/az.json: app.parameters.plugin_url.label is missing" in (
        apps.check_zendesk_files(files))


def test_zendesk_check_catches_a_missing_app_name():
    files = apps.zendesk_app_files()
    for language in LANGUAGES:
        files = changed(files, f"translations/{language}.json", lambda d: d["app"].pop("name"))
    assert "translations/en.json: app.name is missing" in apps.check_zendesk_files(files)


def test_zendesk_check_catches_missing_english():
    files = apps.zendesk_app_files()
    del files["translations/en.json"]
    problems = apps.check_zendesk_files(files)
    assert "translations/en.json is missing" in problems
    assert "translations/en.json, the default locale's file, is missing" in problems


@pytest.mark.parametrize(("logo", "data", "expected"), [
    ("assets/logo.png", make_png(128, 128), "is 128×128; Zendesk wants 320×320"),
    ("assets/logo-small.png", make_png(128, 128, colour_type=2), "must be 8-bit RGBA"),
    ("assets/logo-small.png", b"GIF89a", "is not a PNG file"),
    ("assets/logo.png", make_png(320, 320)[:-20], "damaged"),
])
def test_zendesk_check_catches_a_bad_logo(logo, data, expected):
    problems = apps.check_zendesk_files({**apps.zendesk_app_files(), logo: data})
    assert len(problems) == 1 and expected in problems[0], problems


def test_zendesk_check_catches_a_missing_logo():
    files = apps.zendesk_app_files()
    del files["assets/logo-small.png"]
    assert apps.check_zendesk_files(files) == ["assets/logo-small.png is missing"]


def test_zendesk_check_refuses_framework_1_code():
    files = {**apps.zendesk_app_files(), "app.js": b"(function(){}())"}
    assert apps.check_zendesk_files(files) == [
        "app.js: a framework 2 app must not contain app code of framework 1"]


# --- Freshdesk ----------------------------------------------------------------------------

@pytest.fixture
def freshdesk_zip(tmp_path) -> dict[str, bytes]:
    path = apps.build_freshdesk_app(tmp_path / "freshdesk.zip")
    assert path.is_file()
    return apps.read_package(path)


def test_freshdesk_zip_passes_the_package_check(freshdesk_zip):
    assert apps.check_freshdesk_files(freshdesk_zip) == []
    assert "README.md" not in freshdesk_zip


def test_freshdesk_manifest_is_a_platform_3_ticket_sidebar(freshdesk_zip):
    manifest = json.loads(freshdesk_zip["manifest.json"])
    assert manifest["platform-version"] == "3.0"
    sidebar = manifest["modules"]["support_ticket"]["location"]["ticket_sidebar"]
    assert f"app/{sidebar['url']}" in freshdesk_zip
    assert sidebar["icon"].endswith(".svg") and f"app/{sidebar['icon']}" in freshdesk_zip
    assert b"{{{appclient}}}" in freshdesk_zip[f"app/{sidebar['url']}"]


def test_freshdesk_open_panel_template_is_declared_and_sends_the_secret(freshdesk_zip):
    manifest = json.loads(freshdesk_zip["manifest.json"])
    assert "openPanel" in manifest["modules"]["common"]["requests"]
    schema = json.loads(freshdesk_zip["config/requests.json"])["openPanel"]["schema"]
    assert schema["method"] == "POST" and schema["protocol"] == "https"
    assert schema["host"] == "<%= iparam.plugin_host %>"
    assert schema["path"] == "/panel/freshdesk/session"
    assert schema["headers"]["X-Followthrough-App-Secret"] == "<%= iparam.app_secret %>"


def test_freshdesk_app_secret_is_a_secure_required_iparam(freshdesk_zip):
    iparams = json.loads(freshdesk_zip["config/iparams.json"])
    assert iparams["app_secret"]["secure"] is True and iparams["app_secret"]["required"] is True
    assert iparams["plugin_host"]["required"] is True and not iparams["plugin_host"].get("secure")


FRESHDESK_BREAKAGES = {
    "old platform": ("manifest.json", lambda m: m.update({"platform-version": "2.3"}),
                     "platform-version must be 3.0"),
    "no sidebar": ("manifest.json", lambda m: m["modules"].pop("support_ticket"),
                   "needs modules.support_ticket.location.ticket_sidebar"),
    "missing icon": ("manifest.json", lambda m: m["modules"]["support_ticket"]["location"][
        "ticket_sidebar"].update(icon="images/none.svg"), "app/images/none.svg is missing"),
    "template not declared": ("manifest.json", lambda m: m["modules"]["common"].pop("requests"),
                              "must declare the request template openPanel"),
    "template not defined": ("config/requests.json", lambda t: t.pop("openPanel"),
                             "declared in manifest.json but not in config/requests.json"),
    "host with protocol": ("config/requests.json", lambda t: t["openPanel"]["schema"].update(
        host="https://<%= iparam.plugin_host %>"), "host must be a host name"),
    "secret in path": ("config/requests.json", lambda t: t["openPanel"]["schema"].update(
        path="/s/<%= iparam.app_secret %>"), "iparam.app_secret may only be used in headers"),
    "unknown iparam": ("config/requests.json", lambda t: t["openPanel"]["schema"].update(
        host="<%= iparam.plugin_url %>"), "iparam.plugin_url is not defined"),
    "insecure secret": ("config/iparams.json", lambda i: i["app_secret"].pop("secure"),
                        "app_secret must exist and be secure"),
    "bad iparam type": ("config/iparams.json", lambda i: i["plugin_host"].update(type="string"),
                        "iparam plugin_host: type must be one of"),
}


@pytest.mark.parametrize("breakage", sorted(FRESHDESK_BREAKAGES))
def test_freshdesk_check_catches_a_broken_package(breakage):
    path, change, expected = FRESHDESK_BREAKAGES[breakage]
    problems = apps.check_freshdesk_files(changed(apps.freshdesk_app_files(), path, change))
    assert any(expected in problem for problem in problems), problems


def test_tool_output_in_the_app_folder_stays_out_of_the_package(tmp_path, monkeypatch):
    folder = tmp_path / "freshdesk_app"
    shutil.copytree(apps.FRESHDESK_DIR, folder)
    for leftover in ("dist/freshdesk_app.zip", "tmp/app.zip", ".fdk/localstore"):
        (folder / leftover).parent.mkdir(exist_ok=True)
        (folder / leftover).write_bytes(b"PK")
    monkeypatch.setattr(apps, "FRESHDESK_DIR", folder)
    files = apps.freshdesk_app_files()
    assert set(files) == set(apps.read_package(apps.build_freshdesk_app(tmp_path / "f.zip")))
    assert not any(path.startswith(("dist/", "tmp/", ".fdk/")) for path in files)
    assert "app/scripts/app.js" in files


def test_freshdesk_check_wants_the_app_client_in_the_page():
    files = apps.freshdesk_app_files()
    files["app/index.html"] = files["app/index.html"].replace(b"{{{appclient}}}", b"client.js")
    problems = apps.check_freshdesk_files(files)
    assert any("must load the Freshworks client" in problem for problem in problems)
    assert any("refers to app/client.js, which is missing" in problem for problem in problems)


# The sidebar script, run in Node against a stand-in of the Freshworks client.
NODE_HARNESS = r"""
const fs = require('fs');
const vm = require('vm');
const scenario = JSON.parse(process.argv[3]);
const handlers = {};
const calls = { invoked: [], posted: [] };
const element = () => ({ hidden: false, textContent: '', className: '', src: '',
  contentWindow: { postMessage: (message, origin) => calls.posted.push([message, origin]) } });
const elements = { status: element(), panel: element() };
const client = {
  data: { get: async (name) => name === 'ticket' ? { ticket: { id: 42 } }
    : { loggedInUser: { id: 7, contact: { language: scenario.language } } } },
  iparams: { get: async () => ({ plugin_host: 'ft.example.com' }) },
  request: { invokeTemplate: async (name, options) => {
    calls.invoked.push([name, JSON.parse(options.body)]);
    return { response: JSON.stringify({ panel_url: scenario.panel_url, expires_in: 1800 }) };
  } },
  events: { on: (name, handler) => { handlers[name] = handler; } },
  instance: { resize: () => {} },
};
const context = { app: { initialized: async () => client }, URL, JSON, Promise,
  document: { getElementById: (id) => elements[id] },
  setTimeout: (callback) => callback(), console: { error: () => {} } };
vm.createContext(context);
vm.runInContext(fs.readFileSync(process.argv[2], 'utf8'), context);
setImmediate(async () => {
  await handlers['app.activated']();
  handlers['ticket.propertiesUpdated']();
  handlers['ticket.sendReply']();
  handlers['ticket.addNote']();
  console.log(JSON.stringify({ calls, events: Object.keys(handlers).sort(),
    frame: { src: elements.panel.src, hidden: elements.panel.hidden },
    status: { hidden: elements.status.hidden, error: elements.status.className === 'error',
      text: elements.status.textContent } }));
});
"""
NODE = shutil.which("node")


def run_sidebar(tmp_path: Path, **scenario) -> dict:
    assert NODE, "these tests run the Freshdesk sidebar script in Node.js: install nodejs"
    harness = tmp_path / "harness.js"
    harness.write_text(NODE_HARNESS, encoding="utf-8")
    script = apps.FRESHDESK_DIR / "app" / "scripts" / "app.js"
    result = subprocess.run([NODE, str(harness), str(script), json.dumps(scenario)],
                            capture_output=True, text=True, timeout=30, check=True)
    return json.loads(result.stdout)


def test_freshdesk_sidebar_opens_the_panel_and_forwards_refreshes(tmp_path):
    panel = "https://ft.example.com/panel/app#session=s&ticket=42&vendor=freshdesk&lang=tr"
    seen = run_sidebar(tmp_path, language="tr", panel_url=panel)
    assert seen["events"] == ["app.activated", "ticket.addNote", "ticket.propertiesUpdated",
                              "ticket.sendReply"]
    assert seen["calls"]["invoked"] == [
        ["openPanel", {"ticket_id": "42", "agent_id": "7", "locale": "tr"}]]
    assert seen["frame"] == {"src": panel, "hidden": False}
    assert seen["status"]["hidden"] is True
    assert seen["calls"]["posted"] == [
        [{"type": "followthrough:refresh"}, "https://ft.example.com"]] * 3


@pytest.mark.parametrize(("agent_language", "locale"),
                         [("az", "az"), ("en-US", "en"), ("de", "en")])
def test_freshdesk_sidebar_sends_a_supported_locale(tmp_path, agent_language, locale):
    seen = run_sidebar(tmp_path, language=agent_language,
                       panel_url="https://ft.example.com/panel/app#session=s")
    assert seen["calls"]["invoked"][0][1]["locale"] == locale


def test_freshdesk_sidebar_refuses_a_panel_on_another_host(tmp_path):
    seen = run_sidebar(tmp_path, language="az", panel_url="https://evil.example/panel/app")
    assert seen["frame"] == {"src": "", "hidden": True}
    assert seen["status"]["error"] is True and "açılmadı" in seen["status"]["text"]
    assert seen["calls"]["posted"] == []


# --- the CLI ------------------------------------------------------------------------------

def test_cli_builds_both_apps(tmp_path, capsys):
    zendesk, freshdesk = tmp_path / "out" / "z.zip", tmp_path / "out" / "f.zip"
    assert main(["zendesk-app", "build", "--out", str(zendesk)]) == 0
    assert main(["freshdesk-app", "build", "--out", str(freshdesk)]) == 0
    assert apps.check_zendesk_files(apps.read_package(zendesk)) == []
    assert apps.check_freshdesk_files(apps.read_package(freshdesk)) == []
    assert f"wrote {zendesk}" in capsys.readouterr().out


def test_cli_bakes_a_url_and_refuses_a_bad_one(tmp_path, capsys):
    out = tmp_path / "z.zip"
    assert main(["zendesk-app", "build", "--url", "https://ft.example", "--out", str(out)]) == 0
    manifest = json.loads(apps.read_package(out)["manifest.json"])
    assert manifest["location"]["support"]["ticket_sidebar"]["url"] == (
        "https://ft.example/panel/zendesk")
    assert main(["zendesk-app", "build", "--url", "http://ft.example", "--out", str(out)]) == 2
    assert "--url" in capsys.readouterr().err


def test_builds_are_reproducible(tmp_path):
    first = apps.build_zendesk_app(tmp_path / "a.zip").read_bytes()
    assert apps.build_zendesk_app(tmp_path / "b.zip").read_bytes() == first
