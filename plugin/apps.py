"""Build and check the helpdesk app packages that show the plugin's side panel on a ticket."""

from __future__ import annotations

import json
import re
import struct
import sys
import zipfile
import zlib
from pathlib import Path
from urllib.parse import urlsplit

ZENDESK_DIR = Path(__file__).parent / "zendesk_app"
FRESHDESK_DIR = Path(__file__).parent / "freshdesk_app"
ZENDESK_PANEL_PATH = "/panel/zendesk"  # where Zendesk POSTs the signed token (the plugin's route)
# Left out of the packages: the README (for people) and what the vendors' tools write into the
# app folder (zcli puts its zips in tmp/, fdk pack in dist/, fdk run its coverage/).
LEFT_OUT = {"README.md", "tmp", "dist", "coverage", "node_modules"}

# Zendesk: `zcli apps:package` zips the app folder and asks Zendesk's /api/v2/apps/validate to
# judge it (zendesk/zcli packages/zcli-apps/src/lib/package.ts); the judge is
# zendesk/zendesk_apps_support (ZAS). The rules below follow ZAS
# lib/zendesk_apps_support/validations/manifest.rb, validations/translations.rb,
# validations/source.rb, manifest.rb, manifest/parameter.rb, app_version.rb and location.rb.
ZENDESK_FRAMEWORK_VERSIONS = {"2.0"}  # AppVersion::VALID_FOR_CREATE (CURRENT 2.0, no FUTURE)
ZENDESK_PARAMETER_TYPES = {"text", "password", "checkbox", "url", "number", "multiline", "hidden"}
ZENDESK_HOSTS = {"support", "zendesk"}  # "zendesk" is the legacy name of the Support host
ZENDESK_SUPPORT_LOCATIONS = {
    "top_bar", "nav_bar", "ticket_sidebar", "new_ticket_sidebar", "user_sidebar",
    "organization_sidebar", "background", "modal", "ticket_editor", "system_top_bar",
    "ticket_module",
}
ZENDESK_LOCALE = re.compile(r"[a-z]{2}(-\w{2,3})?")  # Translations::VALID_LOCALE
ZENDESK_PUBLIC_APP_KEYS = ("name", "short_description", "long_description",
                           "installation_instructions")
# ZAS lets a location URL that holds a setting placeholder through unchecked ("If we have a
# setting we can't check the url for validity": zendesk/zendesk_apps_support pull request #202,
# spec/validations/manifest_spec.rb "should not error when using {{setting.}}").
ZENDESK_SETTING = re.compile(r"\{\{setting\.([A-Za-z0-9_]+)\}\}")
# assets/logo.png 320 px and assets/logo-small.png 128 px square, PNG-24 with transparency:
# https://developer.zendesk.com/apps/docs/developer-guide/styling ,
# https://developer.zendesk.com/apps/docs/publish/create_assets ; both files are required to
# install ("File requirements", https://developer.zendesk.com/apps/docs/apps-v2/setup). A logo.svg
# is only for top bar, nav bar and ticket editor icons, so the sidebar app has none.
ZENDESK_LOGOS = {"assets/logo.png": 320, "assets/logo-small.png": 128}

# Freshworks platform 3.0: manifest modules/location/requests/engines, iparams and request
# templates as in freshworks-developers/freshworks-platform3 references/fdk/manifest.md,
# references/fdk/request_method.md and references/common/fdk-docs/installation-parameters-errors.md
# (the types fdk accepts), and freshworks-developers/request-method-samples manifest.json.
FRESHDESK_REQUEST_METHODS = {"GET", "POST", "PUT", "DELETE", "PATCH"}
FRESHDESK_IPARAM_TYPES = {"text", "paragraph", "dropdown", "email", "number", "phone_number",
                          "date", "url", "radio", "checkbox", "multiselect"}
FRESHDESK_IPARAM = re.compile(r"<%=\s*iparam\.([A-Za-z0-9_-]+)\s*%>")
PANEL_TEMPLATE = "openPanel"

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class AppBuildError(ValueError):
    """The package would not pass the vendor's checks; PROBLEMS says why."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


# --- Zendesk ------------------------------------------------------------------------------

def check_zendesk_manifest(manifest: dict, files: set[str]) -> list[str]:
    """Problems Zendesk's validator (or our panel contract) would find in MANIFEST; FILES are
    the package's paths."""
    problems: list[str] = []
    author = manifest.get("author")
    if not isinstance(author, dict) or not all(
            isinstance(author.get(key), str) and author[key] for key in ("name", "email")):
        problems.append("author must be an object with a name and an email")
    elif "url" in author and not re.match(r"https?://", str(author["url"])):
        problems.append("author url must start with http:// or https://")
    locale = manifest.get("defaultLocale")
    if not isinstance(locale, str) or not ZENDESK_LOCALE.fullmatch(locale):
        problems.append("defaultLocale must be a locale such as en")
    elif f"translations/{locale}.json" not in files:
        problems.append(f"translations/{locale}.json, the default locale's file, is missing")
    if manifest.get("frameworkVersion") not in ZENDESK_FRAMEWORK_VERSIONS:
        problems.append(f"frameworkVersion must be one of {sorted(ZENDESK_FRAMEWORK_VERSIONS)}")
    if "version" in manifest and not isinstance(manifest["version"], str):
        problems.append("version must be a string")
    for key in ("private", "singleInstall", "signedUrls"):
        if key in manifest and not isinstance(manifest[key], bool):
            problems.append(f"{key} must be true or false")
    if manifest.get("signedUrls") is not True:
        problems.append("signedUrls must be true: the plugin opens the panel only for a request "
                        "that carries Zendesk's signed token")
    parameters = _zendesk_parameters(manifest.get("parameters", []), problems)
    problems += _zendesk_locations(manifest.get("location"), files, parameters)
    # An iframe-only (framework 2) app must not ship v1 code: ZAS validations/source.rb.
    problems += [f"{path}: a framework 2 app must not contain app code of framework 1"
                 for path in sorted(files)
                 if path in {"app.js", "app.css"}
                 or (path.startswith("lib/") and path.endswith(".js"))
                 or (path.startswith("templates/") and path.endswith(".hdbs"))]
    problems += [f"{logo} is missing" for logo in ZENDESK_LOGOS if logo not in files]
    return problems


def _zendesk_parameters(parameters: object, problems: list[str]) -> dict[str, dict]:
    if not isinstance(parameters, list):
        problems.append("parameters must be a list")
        return {}
    found: dict[str, dict] = {}
    for index, parameter in enumerate(parameters):
        name = parameter.get("name") if isinstance(parameter, dict) else None
        if not isinstance(name, str) or not name:
            problems.append(f"parameters[{index}] needs a name")
            continue
        if name in found:
            problems.append(f"parameter {name} is declared twice")
        if name == "name":
            problems.append("a parameter must not be called name")
        if parameter.get("type") not in ZENDESK_PARAMETER_TYPES:
            problems.append(f"parameter {name}: type must be one of "
                            f"{sorted(ZENDESK_PARAMETER_TYPES)}")
        if not isinstance(parameter.get("required"), bool):
            problems.append(f"parameter {name}: required must be true or false")
        if not isinstance(parameter.get("secure", False), bool):
            problems.append(f"parameter {name}: secure must be true or false")
        if parameter.get("type") == "hidden" and parameter.get("required"):
            problems.append(f"parameter {name} is hidden and so cannot be required")
        found[name] = parameter
    return found


def _zendesk_locations(location: object, files: set[str], parameters: dict[str, dict]
                       ) -> list[str]:
    if not isinstance(location, dict) or not location:
        return ["location must map the support host to its locations"]
    problems: list[str] = []
    for host, places in location.items():
        if host not in ZENDESK_HOSTS:
            problems.append(f"location host {host} is not the support host")
            continue
        if not isinstance(places, dict):
            problems.append(f"location {host} must map location names to URLs")
            continue
        for name, options in places.items():
            where = f"{host}.{name}"
            if name not in ZENDESK_SUPPORT_LOCATIONS:
                problems.append(f"{where} is not a Zendesk Support location")
            url = options.get("url") if isinstance(options, dict) else options
            problems += _zendesk_url(where, url, files, parameters)
            if isinstance(options, dict) and not isinstance(options.get("flexible", True), bool):
                problems.append(f"{where}: flexible must be true or false")
    if not any(isinstance(location.get(host), dict) and "ticket_sidebar" in location[host]
               for host in ZENDESK_HOSTS):
        problems.append("the panel needs the location support.ticket_sidebar")
    return problems


def _zendesk_url(where: str, url: object, files: set[str], parameters: dict[str, dict]
                 ) -> list[str]:
    if not isinstance(url, str) or not url:
        return [f"{where}: the location has no URL"]
    if "{{setting." in url:
        # ZAS cannot check these; we can at least check the setting exists and reaches the
        # browser (secure settings are only filled in by Zendesk's request proxy).
        names = ZENDESK_SETTING.findall(url)
        if not names:
            return [f"{where}: {url} has a malformed {{{{setting.…}}}} placeholder"]
        return [f"{where}: {{{{setting.{name}}}}} is not a non-secure parameter"
                for name in names
                if name not in parameters or parameters[name].get("secure")]
    parts = urlsplit(url)
    if parts.scheme:
        if parts.scheme == "https" or parts.hostname == "localhost":
            return []
        return [f"{where}: {url} must use https (plain http only on localhost)"]
    if url.startswith("assets/") and url in files:
        return []
    return [f"{where}: {url} is neither an absolute https URL nor a file under assets/"]


def check_zendesk_files(contents: dict[str, bytes]) -> list[str]:
    """Problems in a Zendesk package given as {path in the zip: bytes}: the manifest, the
    translations and the logos."""
    manifest = _json_object(contents, "manifest.json")
    if isinstance(manifest, str):
        return [manifest]
    problems = check_zendesk_manifest(manifest, set(contents))
    problems += _zendesk_translations(contents, manifest)
    problems += [problem for logo, size in ZENDESK_LOGOS.items() if logo in contents
                 for problem in png_problems(logo, contents[logo], size)]
    return problems


def _zendesk_translations(contents: dict[str, bytes], manifest: dict) -> list[str]:
    problems: list[str] = []
    documents: dict[str, dict] = {}
    for path in sorted(path for path in contents if path.startswith("translations/")):
        match = re.fullmatch(r"translations/(.+)\.json", path)
        if not match or not ZENDESK_LOCALE.fullmatch(match.group(1)):
            problems.append(f"{path} is not named translations/<locale>.json")
            continue
        document = _json_object(contents, path)
        if isinstance(document, str) or not isinstance(document.get("app"), dict):
            problems.append(f"{path} must be a JSON object with an app object")
            continue
        documents[match.group(1)] = document
    english = documents.get("en")
    if english is None:
        return [*problems, "translations/en.json is missing"]
    # A private app needs app.name; a public one the Marketplace texts too (ZAS
    # get_missing_keys, which counts description as short_description).
    required = ("name",) if manifest.get("private", True) else ZENDESK_PUBLIC_APP_KEYS
    have = {"short_description" if key == "description" else key for key in english["app"]}
    problems += [f"translations/en.json: app.{key} is missing" for key in required
                 if key not in have]
    # Ours: every installation setting has a label in every language, and every language has
    # exactly the default locale's keys, so no agent sees a half-translated app.
    parameters = manifest.get("parameters")
    names = [parameter.get("name") for parameter in parameters or []
             if isinstance(parameters, list) and isinstance(parameter, dict)]
    for locale, document in sorted(documents.items()):
        keys = _leaf_keys(document)
        problems += [f"translations/{locale}.json: app.parameters.{name}.label is missing"
                     for name in names if f"app.parameters.{name}.label" not in keys]
    reference = documents.get(str(manifest.get("defaultLocale")), english)
    wanted = _leaf_keys(reference)
    for locale, document in sorted(documents.items()):
        keys = _leaf_keys(document)
        problems += [f"translations/{locale}.json: {key} is missing"
                     for key in sorted(wanted - keys)]
        problems += [f"translations/{locale}.json: {key} is not in the default locale"
                     for key in sorted(keys - wanted)]
    return problems


def _leaf_keys(document: dict, prefix: str = "") -> set[str]:
    keys: set[str] = set()
    for key, value in document.items():
        if isinstance(value, dict):
            keys |= _leaf_keys(value, f"{prefix}{key}.")
        elif isinstance(value, str) and value.strip():
            keys.add(f"{prefix}{key}")
    return keys


def png_problems(name: str, data: bytes, size: int) -> list[str]:
    """Problems with DATA as a SIZE×SIZE 8-bit RGBA PNG (Zendesk's "PNG-24 with transparency")."""
    if not data.startswith(PNG_SIGNATURE):
        return [f"{name} is not a PNG file"]
    chunks: list[tuple[bytes, bytes]] = []
    position = len(PNG_SIGNATURE)
    while position + 12 <= len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        body = data[position + 8:position + 8 + length]
        crc = data[position + 8 + length:position + 12 + length]
        if len(body) != length or len(crc) != 4 or zlib.crc32(kind + body) != int.from_bytes(crc):
            return [f"{name} is a damaged PNG file"]
        chunks.append((kind, body))
        position += 12 + length
    if not chunks or chunks[0][0] != b"IHDR" or chunks[-1][0] != b"IEND":
        return [f"{name} is a damaged PNG file"]
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    if (width, height) != (size, size):
        return [f"{name} is {width}×{height}; Zendesk wants {size}×{size}"]
    if (depth, colour) != (8, 6):
        return [f"{name} must be 8-bit RGBA (PNG-24 with transparency)"]
    try:
        pixels = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    except zlib.error:
        return [f"{name} is a damaged PNG file"]
    if interlace == 0 and len(pixels) != height * (1 + width * 4):
        return [f"{name} holds the wrong amount of image data"]
    return []


def zendesk_app_files(url: str | None = None) -> dict[str, bytes]:
    """The Zendesk package's files. By default the sidebar URL is
    `{{setting.plugin_url}}/panel/zendesk` and the admin types the plugin URL when installing,
    so one zip serves every deployment: ZAS accepts a setting placeholder in a location URL
    (see ZENDESK_SETTING). With URL the address is baked in instead, for accounts where that is
    preferred, and the then unused plugin_url setting and its texts are left out."""
    files = _read_tree(ZENDESK_DIR)
    if url is None:
        return files
    base = plugin_base_url(url)
    manifest = json.loads(files["manifest.json"])
    manifest["location"]["support"]["ticket_sidebar"]["url"] = base + ZENDESK_PANEL_PATH
    del manifest["parameters"]
    files["manifest.json"] = _json_bytes(manifest)
    for path in [path for path in files if path.startswith("translations/")]:
        document = json.loads(files[path])
        document["app"].pop("parameters", None)
        files[path] = _json_bytes(document)
    return files


def plugin_base_url(url: str) -> str:
    """URL without a trailing slash, if Zendesk would accept it as a location: https, or plain
    http on localhost (ZAS valid_absolute_uri?)."""
    parts = urlsplit(url.strip())
    allowed = parts.scheme == "https" or (parts.scheme == "http" and parts.hostname == "localhost")
    if not allowed or not parts.hostname or parts.query or parts.fragment:
        raise ValueError(f"{url!r} is not a plugin URL Zendesk accepts: use https://host[/path] "
                         "(plain http only for localhost)")
    return url.strip().rstrip("/")


def build_zendesk_app(out: Path, url: str | None = None) -> Path:
    """Write the Zendesk app zip to OUT after checking it; raises AppBuildError."""
    files = zendesk_app_files(url)
    problems = check_zendesk_files(files)
    if problems:
        raise AppBuildError(problems)
    return _write_zip(out, files)


# --- Freshdesk ----------------------------------------------------------------------------

def check_freshdesk_manifest(manifest: dict, files: set[str]) -> list[str]:
    """Problems fdk (or our panel contract) would find in a platform 3.0 MANIFEST; FILES are
    the package's paths (app/…, config/…)."""
    problems: list[str] = []
    if manifest.get("platform-version") != "3.0":
        problems.append("platform-version must be 3.0")
    modules = manifest.get("modules")
    if not isinstance(modules, dict) or not modules:
        return [*problems, "modules must name the modules the app runs in"]
    for module_name, module in modules.items():
        locations = module.get("location", {}) if isinstance(module, dict) else None
        if not isinstance(locations, dict):
            problems.append(f"modules.{module_name} must be an object with a location object")
            continue
        for name, options in locations.items():
            problems += _freshdesk_location(f"{module_name}.{name}", options, files)
    if not isinstance(_dig(modules, "support_ticket", "location", "ticket_sidebar"), dict):
        problems.append("the panel needs modules.support_ticket.location.ticket_sidebar")
    if PANEL_TEMPLATE not in _declared_templates(modules):
        problems.append(f"manifest.json must declare the request template {PANEL_TEMPLATE}")
    problems += [f"{path} is missing" for path in ("config/iparams.json", "config/requests.json")
                 if path not in files]
    engines = manifest.get("engines")
    if not isinstance(engines, dict) or not all(
            isinstance(engines.get(key), str) for key in ("node", "fdk")):
        problems.append("engines must give the node and fdk versions")
    return problems


def _freshdesk_location(where: str, options: object, files: set[str]) -> list[str]:
    if not isinstance(options, dict):
        return [f"{where} must be an object with url and icon"]
    problems = []
    url, icon = options.get("url"), options.get("icon")
    if not isinstance(url, str) or urlsplit(url).scheme or url.startswith("/"):
        problems.append(f"{where}: url must be a page under app/")
    elif f"app/{url}" not in files:
        problems.append(f"{where}: app/{url} is missing")
    if not isinstance(icon, str) or not icon.endswith(".svg"):
        problems.append(f"{where}: icon must be an .svg file under app/")
    elif f"app/{icon}" not in files:
        problems.append(f"{where}: app/{icon} is missing")
    return problems


def _declared_templates(modules: dict) -> set[str]:
    return {name for module in modules.values() if isinstance(module, dict)
            for name in (module.get("requests") or {})}


def check_freshdesk_files(contents: dict[str, bytes]) -> list[str]:
    """Problems in a Freshworks app given as {path: bytes}: manifest, iparams, request
    templates and the sidebar page."""
    manifest = _json_object(contents, "manifest.json")
    if isinstance(manifest, str):
        return [manifest]
    problems = check_freshdesk_manifest(manifest, set(contents))
    iparams = _json_object(contents, "config/iparams.json")
    templates = _json_object(contents, "config/requests.json")
    for document in (iparams, templates):
        if isinstance(document, str):
            problems.append(document)
    if isinstance(iparams, dict):
        problems += _freshdesk_iparams(iparams)
        if isinstance(templates, dict):
            modules = manifest.get("modules")
            declared = _declared_templates(modules if isinstance(modules, dict) else {})
            problems += _freshdesk_templates(templates, declared, iparams)
    page = f"app/{_dig(manifest, 'modules', 'support_ticket', 'location', 'ticket_sidebar', 'url')}"
    if page in contents:
        problems += _freshdesk_page(page, contents)
    return problems


def _freshdesk_iparams(iparams: dict) -> list[str]:
    problems = []
    for name, iparam in iparams.items():
        if not isinstance(iparam, dict) or not iparam.get("display_name"):
            problems.append(f"iparam {name} needs a display_name")
            continue
        if iparam.get("type") not in FRESHDESK_IPARAM_TYPES:
            problems.append(f"iparam {name}: type must be one of {sorted(FRESHDESK_IPARAM_TYPES)}")
        for key in ("required", "secure"):
            if key in iparam and not isinstance(iparam[key], bool):
                problems.append(f"iparam {name}: {key} must be true or false")
    secret = iparams.get("app_secret")
    if not isinstance(secret, dict) or secret.get("secure") is not True:
        problems.append("iparam app_secret must exist and be secure")
    return problems


def _freshdesk_templates(templates: dict, declared: set[str], iparams: dict) -> list[str]:
    problems = [f"request template {name} is declared in manifest.json but not in "
                "config/requests.json" for name in sorted(declared - set(templates))]
    problems += [f"request template {name} is not declared in manifest.json"
                 for name in sorted(set(templates) - declared)]
    for name, template in templates.items():
        schema = template.get("schema") if isinstance(template, dict) else None
        if not isinstance(schema, dict):
            problems.append(f"request template {name} needs a schema")
            continue
        if schema.get("method") not in FRESHDESK_REQUEST_METHODS:
            problems.append(f"request template {name}: method must be one of "
                            f"{sorted(FRESHDESK_REQUEST_METHODS)}")
        host = schema.get("host")
        if not isinstance(host, str) or not host or "://" in host or "/" in host:
            problems.append(f"request template {name}: host must be a host name, without "
                            "protocol or slash")
        if not str(schema.get("path", "/")).startswith("/"):
            problems.append(f"request template {name}: path must start with /")
        if schema.get("protocol", "https") != "https":
            problems.append(f"request template {name}: protocol must be https")
        # Secure iparams are substituted only in headers (request_method.md).
        for part in ("host", "path", "query", "headers"):
            for iparam in FRESHDESK_IPARAM.findall(json.dumps(schema.get(part, ""))):
                if iparam not in iparams:
                    problems.append(f"request template {name}: iparam.{iparam} is not defined")
                elif iparams[iparam].get("secure") and part != "headers":
                    problems.append(f"request template {name}: secure iparam.{iparam} may only "
                                    "be used in headers")
    return problems


def _freshdesk_page(page: str, contents: dict[str, bytes]) -> list[str]:
    html = contents[page].decode("utf-8", "replace")
    problems = []
    if "{{{appclient}}}" not in html:
        problems.append(f"{page} must load the Freshworks client with "
                        '<script src="{{{appclient}}}">')
    folder = page.rsplit("/", 1)[0]
    problems += [f"{page} refers to {folder}/{ref}, which is missing"
                 for ref in re.findall(r'(?:src|href)="([^"{:#?]+)"', html)
                 if f"{folder}/{ref}" not in contents]
    return problems


def freshdesk_app_files() -> dict[str, bytes]:
    """The Freshworks app's files: manifest.json, app/ and config/, as `fdk pack` expects."""
    return _read_tree(FRESHDESK_DIR)


def build_freshdesk_app(out: Path) -> Path:
    """Write the Freshworks app zip to OUT after checking it; raises AppBuildError."""
    files = freshdesk_app_files()
    problems = check_freshdesk_files(files)
    if problems:
        raise AppBuildError(problems)
    return _write_zip(out, files)


# --- shared -------------------------------------------------------------------------------

def read_package(path: Path) -> dict[str, bytes]:
    """The files of a package zip, by path."""
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()
                if not info.is_dir()}


def _dig(document: object, *keys: str) -> object:
    """DOCUMENT[key][key]…, or None where a level is missing or not an object."""
    for key in keys:
        if not isinstance(document, dict):
            return None
        document = document.get(key)
    return document


def _read_tree(root: Path) -> dict[str, bytes]:
    files = {}
    for path in sorted(root.rglob("*")):
        parts = path.relative_to(root).parts
        if path.is_file() and parts[0] not in LEFT_OUT and not any(
                part.startswith((".", "__")) for part in parts):
            files["/".join(parts)] = path.read_bytes()
    return files


def _json_object(contents: dict[str, bytes], path: str) -> dict | str:
    """The JSON object at PATH, or a sentence saying what is wrong with it."""
    if path not in contents:
        return f"{path} is missing"
    try:
        document = json.loads(contents[path])
    except (UnicodeDecodeError, ValueError) as exc:
        return f"{path} is not valid JSON: {exc}"
    return document if isinstance(document, dict) else f"{path} must hold a JSON object"


def _json_bytes(document: dict) -> bytes:
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _write_zip(out: Path, files: dict[str, bytes]) -> Path:
    """A reproducible zip: sorted entries, fixed timestamps, files at the root."""
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    with zipfile.ZipFile(partial, "w") as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name])
    partial.replace(out)
    return out


NEXT_STEPS = {
    "zendesk": "upload it in Zendesk Admin Center > Apps and integrations > Zendesk Support apps "
               "> Upload private app, then set FT_ZENDESK_APP_ID and FT_ZENDESK_APP_PUBLIC_KEY "
               "(see plugin/zendesk_app/README.md)",
    "freshdesk": "validate and pack it with the Freshworks CLI (fdk validate, fdk pack) and "
                 "upload it as a custom app (see plugin/freshdesk_app/README.md)",
}


def build_command(vendor: str, out: str, url: str | None = None) -> int:
    """`followthrough zendesk-app build` / `freshdesk-app build`: exit status 0, 1 or 2."""
    try:
        path = (build_zendesk_app(Path(out), url) if vendor == "zendesk"
                else build_freshdesk_app(Path(out)))
    except AppBuildError as exc:
        print(f"the {vendor} app was not built:", *exc.problems, sep="\n  ", file=sys.stderr)
        return 1
    except ValueError as exc:
        print(f"--url: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {path}; {NEXT_STEPS[vendor]}")
    return 0
