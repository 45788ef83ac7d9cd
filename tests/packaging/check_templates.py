#!/usr/bin/env python3
# tests/packaging/check_templates.py - checks every packaging template (host manifests, policy
# files, WiX, PowerShell, macOS script) for syntax and for naming the same host, ids and version.
#
# Usage: check_templates.py ROOT EXTENSION_ID VERSION
# Prints one line per check ("ok ..." or "FAIL ..."); exit status 1 when any check failed.
import json
import plistlib
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT, EXT_ID, VERSION = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
HOST = "ca.postguard.host"
FIREFOX_ID = "postguard@postguard.ca"
ORIGIN = f"chrome-extension://{EXT_ID}/"
CATEGORIES = {"privacy", "advice", "claims", "qualifications", "respect", "boundaries",
              "promotion", "patient-search", "closed-group", "distraction", "tone"}
SETTINGS = {"gateMode", "hostMissing", "categories", "disabledRules", "severityOverrides", "sites", "clinicLexicons"}
# settings written as plain strings in the registry; the lists and objects are JSON strings there
STRING_SETTINGS = {"gateMode", "hostMissing"}
LEXICONS = {"facilities", "places", "wards", "colleagues"}
P = ROOT / "packaging"
failed = 0


def check(cond, what):
    global failed
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failed += 1
    return cond


def load_json(path):
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        check(False, f"{path}: valid JSON ({e})")
        return None


def check_manifest(m, where, family, host_path=None):
    check(m.get("name") == HOST, f"{where}: name is {HOST}")
    check(m.get("type") == "stdio", f"{where}: type is stdio")
    if host_path is not None:
        check(m.get("path") == host_path, f"{where}: path is {host_path}")
    if family == "chromium":
        check(m.get("allowed_origins") == [ORIGIN] and "allowed_extensions" not in m,
              f"{where}: allows exactly {ORIGIN}")
    else:
        check(m.get("allowed_extensions") == [FIREFOX_ID] and "allowed_origins" not in m,
              f"{where}: allows exactly {FIREFOX_ID}")


def check_settings(s, where, schema):
    """The extension's managed settings: known keys and values (and the extension's own schema)."""
    if not check(isinstance(s, dict) and set(s) <= SETTINGS, f"{where}: only managed-schema keys"):
        return
    check(s.get("gateMode") in ("off", "warn", "block"), f"{where}: gateMode is off|warn|block")
    check(s.get("hostMissing", "post") in ("post", "block"), f"{where}: hostMissing is post|block")
    check(set(s.get("categories", [])) <= CATEGORIES, f"{where}: categories are category ids")
    check(set(s.get("clinicLexicons", {})) <= LEXICONS, f"{where}: clinicLexicons names are the four lexicons")
    check(all(v in ("low", "medium", "high") for v in s.get("severityOverrides", {}).values()),
          f"{where}: severityOverrides are low|medium|high")
    if schema:
        props = schema.get("properties", {})
        types = {"string": str, "array": list, "object": dict, "boolean": bool, "integer": int}
        check(set(s) <= set(props), f"{where}: every key is in the extension's managed_schema")
        check(all(isinstance(v, types.get(props.get(k, {}).get("type"), object)) for k, v in s.items()),
              f"{where}: every value has the managed_schema's type")


# ---- the extension: its id and version --------------------------------------------------------
ext = load_json(ROOT / "extension/manifest.json") or {}
check(ext.get("version") == VERSION, f"extension/manifest.json version is the project's {VERSION}")
check(ext.get("browser_specific_settings", {}).get("gecko", {}).get("id") == FIREFOX_ID,
      f"extension/manifest.json Firefox id is {FIREFOX_ID}")
schema = None
schema_file = ext.get("storage", {}).get("managed_schema")
if schema_file:
    schema = load_json(ROOT / "extension" / schema_file)
    check(schema is not None, f"the extension's managed_schema ({schema_file}) is valid JSON")
else:
    print("note the extension declares no storage.managed_schema yet: settings checked against contracts.md only")

# ---- Linux manifest templates and the two installers that fill them ---------------------------
for family in ("chromium", "firefox"):
    text = (P / f"manifests/{family}.json.in").read_text()
    for k, v in (("@PG_HOST_NAME@", HOST), ("@PG_HOST_PATH@", "/usr/libexec/postguard/postguard-host"),
                 ("@PG_EXTENSION_ID@", EXT_ID), ("@PG_FIREFOX_ID@", FIREFOX_ID)):
        text = text.replace(k, v)
    try:
        check_manifest(json.loads(text), f"manifests/{family}.json.in (filled)", family,
                       "/usr/libexec/postguard/postguard-host")
    except ValueError as e:
        check(False, f"manifests/{family}.json.in filled is valid JSON ({e})")

cpack = (P / "cpack.cmake").read_text()
check(f'set(PG_HOST_NAME "{HOST}")' in cpack and f'set(PG_EXTENSION_ID "{EXT_ID}")' in cpack
      and f'set(PG_FIREFOX_ID "{FIREFOX_ID}")' in cpack, "cpack.cmake names the same host and ids")
inst = (P / "install.sh").read_text()
check(f"PG_HOST_NAME={HOST}" in inst and f"PG_EXTENSION_ID={EXT_ID}" in inst
      and f"PG_FIREFOX_ID={FIREFOX_ID}" in inst, "install.sh names the same host and ids")
for d in ("/etc/opt/chrome/native-messaging-hosts", "/etc/chromium/native-messaging-hosts",
          "/etc/opt/edge/native-messaging-hosts", "/usr/lib/mozilla/native-messaging-hosts",
          ".config/google-chrome/NativeMessagingHosts", ".config/chromium/NativeMessagingHosts",
          ".config/microsoft-edge/NativeMessagingHosts",
          ".config/BraveSoftware/Brave-Browser/NativeMessagingHosts", ".mozilla/native-messaging-hosts"):
    check(d in inst, f"install.sh writes to {d}")
    if d.startswith("/"):
        check(d in cpack, f"cpack.cmake installs to {d}")

# ---- Linux policy: Chrome, Chromium, Edge (and Brave) ------------------------------------------
pol = load_json(P / "policy/chromium-linux.json") or {}
es = pol.get("ExtensionSettings", {}).get(EXT_ID, {})
check(es.get("installation_mode") == "force_installed" and es.get("update_url", "").startswith("https://"),
      "chromium-linux.json: force-installs the extension id from an https update_url")
check(list(pol.get("ExtensionSettings", {})) == [EXT_ID], "chromium-linux.json: ExtensionSettings names only the id")
check(pol.get("NativeMessagingAllowlist") == [HOST], f"chromium-linux.json: NativeMessagingAllowlist is [{HOST}]")
check(pol.get("NativeMessagingUserLevelHosts") is False, "chromium-linux.json: NativeMessagingUserLevelHosts false")
settings = pol.get("3rdparty", {}).get("extensions", {}).get(EXT_ID)
check(list(pol.get("3rdparty", {}).get("extensions", {})) == [EXT_ID], "chromium-linux.json: 3rdparty.extensions names only the id")
check_settings(settings, "chromium-linux.json 3rdparty", schema)

# ---- Firefox policies.json -----------------------------------------------------------------------
fx = (load_json(P / "policy/firefox-policies.json") or {}).get("policies", {})
fes = fx.get("ExtensionSettings", {}).get(FIREFOX_ID, {})
check(fes.get("installation_mode") == "force_installed" and fes.get("install_url", "").startswith("https://"),
      "firefox-policies.json: force-installs postguard@postguard.ca from an https install_url")
fsettings = fx.get("3rdparty", {}).get("Extensions", {}).get(FIREFOX_ID)
check_settings(fsettings, "firefox-policies.json 3rdparty", schema)
check(fsettings == settings, "firefox-policies.json: the same settings as the Chromium policy")

# ---- Windows .reg ----------------------------------------------------------------------------------
reg_text = (P / "policy/postguard.reg").read_text(encoding="utf-8")
lines = reg_text.splitlines()
check(lines[:1] == ["Windows Registry Editor Version 5.00"], "postguard.reg: the regedit 5.00 header")
reg, key, syntax_ok = {}, None, True
string_re = re.compile(r'^"((?:[^"\\]|\\.)*)"=(?:"((?:[^"\\]|\\.)*)"|dword:([0-9a-f]{8}))$')
for n, line in enumerate(lines[1:], 2):
    if not line.strip() or line.startswith(";"):
        continue
    if line.startswith("[") and line.endswith("]"):
        key = line[1:-1]
        syntax_ok &= check(key.startswith("HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\"),
                           f"postguard.reg line {n}: key under HKLM\\SOFTWARE\\Policies")
        reg.setdefault(key, {})
        continue
    m = string_re.match(line)
    if not (m and key):
        syntax_ok &= check(False, f"postguard.reg line {n}: a value line inside a key: {line[:60]}")
        continue
    unesc = lambda s: re.sub(r"\\(.)", r"\1", s)
    reg[key][unesc(m.group(1))] = unesc(m.group(2)) if m.group(2) is not None else int(m.group(3), 16)
check(syntax_ok, "postguard.reg: every line is a comment, a key or a value")
check(f"PostGuard {VERSION}" in reg_text and HOST in reg_text, f"postguard.reg: names PostGuard {VERSION} and {HOST}")
for vendor in ("Google\\Chrome", "Microsoft\\Edge"):
    base = f"HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\{vendor}"
    top = reg.get(base, {})
    try:
        check(json.loads(top.get("ExtensionSettings", "null")) == pol.get("ExtensionSettings"),
              f"postguard.reg {vendor}: ExtensionSettings is the Linux policy's")
    except ValueError:
        check(False, f"postguard.reg {vendor}: ExtensionSettings is JSON")
    check(top.get("NativeMessagingUserLevelHosts") == 0, f"postguard.reg {vendor}: NativeMessagingUserLevelHosts 0")
    check(list(reg.get(base + "\\NativeMessagingAllowlist", {}).values()) == [HOST],
          f"postguard.reg {vendor}: NativeMessagingAllowlist is {HOST}")
    vals = reg.get(f"{base}\\3rdparty\\extensions\\{EXT_ID}\\policy", {})
    try:
        parsed = {k: (v if k in STRING_SETTINGS else json.loads(v)) for k, v in vals.items()}
        check(parsed == settings, f"postguard.reg {vendor}: 3rdparty settings for {EXT_ID} are the Linux policy's")
    except ValueError:
        check(False, f"postguard.reg {vendor}: 3rdparty list/object values are JSON")
fxvals = reg.get(f"HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Mozilla\\Firefox\\3rdparty\\Extensions\\{FIREFOX_ID}", {})
try:
    check({k: (v if k in STRING_SETTINGS else json.loads(v)) for k, v in fxvals.items()} == fsettings,
          "postguard.reg Firefox: 3rdparty settings are policies.json's")
except ValueError:
    check(False, "postguard.reg Firefox: 3rdparty values are JSON")

# ---- macOS .mobileconfig ------------------------------------------------------------------------------
try:
    mc = plistlib.loads((P / "policy/postguard.mobileconfig").read_bytes())
    check(True, "postguard.mobileconfig: a valid property list")
except Exception as e:  # plistlib raises several types
    mc = {}
    check(False, f"postguard.mobileconfig: a valid property list ({e})")
check(mc.get("PayloadType") == "Configuration" and VERSION in mc.get("PayloadDisplayName", ""),
      f"postguard.mobileconfig: a Configuration profile naming version {VERSION}")
payloads = {p.get("PayloadType"): p for p in mc.get("PayloadContent", [])}
uuids = [p.get("PayloadUUID") for p in mc.get("PayloadContent", [])] + [mc.get("PayloadUUID")]
check(len(set(uuids)) == len(uuids) and all(uuids), "postguard.mobileconfig: every payload has its own UUID")
for vendor in ("com.google.Chrome", "com.microsoft.Edge"):
    p = payloads.get(vendor, {})
    check(p.get("ExtensionSettings") == pol.get("ExtensionSettings")
          and p.get("NativeMessagingAllowlist") == [HOST] and p.get("NativeMessagingUserLevelHosts") is False,
          f"postguard.mobileconfig {vendor}: force-install, allowlist {HOST}, no user-level hosts")
    s = {k: v for k, v in payloads.get(f"{vendor}.extensions.{EXT_ID}", {}).items() if not k.startswith("Payload")}
    check(s == settings, f"postguard.mobileconfig {vendor}.extensions.{EXT_ID}: the Linux policy's settings")
ff = payloads.get("org.mozilla.firefox", {})
check(ff.get("3rdparty", {}).get("Extensions", {}).get(FIREFOX_ID) == fsettings
      and FIREFOX_ID in ff.get("ExtensionSettings", {}), "postguard.mobileconfig Firefox: force-install and settings")

# ---- the update manifest at the policies' update_url ------------------------------------------------
try:
    up = ET.parse(P / "policy/updates.xml").getroot()
    ns = "{http://www.google.com/update2/response}"
    app = up.find(f"{ns}app")
    uc = app.find(f"{ns}updatecheck") if app is not None else None
    check(app is not None and app.get("appid") == EXT_ID, f"updates.xml: appid {EXT_ID}")
    check(uc is not None and uc.get("version") == VERSION and uc.get("codebase", "").startswith("https://"),
          f"updates.xml: version {VERSION} and an https codebase")
    check(es.get("update_url", "").rsplit("/", 1)[0] == (uc.get("codebase", "") if uc is not None else "").rsplit("/", 1)[0],
          "updates.xml: served from the same folder as the policies' update_url")
except ET.ParseError as e:
    check(False, f"updates.xml: well-formed XML ({e})")

# ---- Windows: WiX, manifests, PowerShell -----------------------------------------------------------------
W = P / "windows"
for family in ("chromium", "firefox"):
    m = load_json(W / f"{HOST}.{family}.json")
    if m:
        check_manifest(m, f"windows/{HOST}.{family}.json", family, "postguard-host.exe")
try:
    wxs = ET.parse(W / "postguard.wxs").getroot()
    check(True, "postguard.wxs: well-formed XML")
except ET.ParseError as e:
    wxs = None
    check(False, f"postguard.wxs: well-formed XML ({e})")
if wxs is not None:
    # WiX 3 (wixl reads it; tests/suites/windows.sh builds and installs the MSI)
    WIX = "{http://schemas.microsoft.com/wix/2006/wi}"
    pkg = wxs.find(WIX + "Product")
    check(pkg is not None and pkg.get("Version") == VERSION, f"postguard.wxs: Product Version {VERSION}")
    regs = {r.get("Key"): r for r in wxs.iter(WIX + "RegistryValue")}
    for key, manifest in ((r"SOFTWARE\Google\Chrome", "chromium"), (r"SOFTWARE\Chromium", "chromium"),
                          (r"SOFTWARE\Microsoft\Edge", "chromium"), (r"SOFTWARE\Mozilla", "firefox")):
        r = regs.get(f"{key}\\NativeMessagingHosts\\{HOST}")
        check(r is not None and r.get("Root") == "HKLM"
              and r.get("Value") == f"[INSTALLFOLDER]{HOST}.{manifest}.json",
              f"postguard.wxs: HKLM\\{key}\\NativeMessagingHosts\\{HOST} -> the {manifest} manifest")
    names = {f.get("Name") or Path(f.get("Source", "").replace("\\", "/")).name
             for f in wxs.iter(WIX + "File")}
    check({"postguard-host.exe", "postguard.exe", f"{HOST}.chromium.json", f"{HOST}.firefox.json"} <= names,
          "postguard.wxs: installs the host, the CLI and both manifests")
ps = (W / "install.ps1").read_text()
check(f'$Version = "{VERSION}"' in ps and f'$HostName = "{HOST}"' in ps
      and f'$ExtensionId = "{EXT_ID}"' in ps and f'$FirefoxId = "{FIREFOX_ID}"' in ps,
      "install.ps1: the same version, host and ids")
# HKLM as an administrator (the policy templates turn user-level hosts off), else HKCU
for key in (r"Software\Google\Chrome", r"Software\Chromium", r"Software\Microsoft\Edge", r"Software\Mozilla"):
    check(f"$Hive\\{key}\\NativeMessagingHosts\\$HostName" in ps, f"install.ps1: registers under $Hive\\{key}")
check('$Hive = if ($Admin) { "HKLM:" } else { "HKCU:" }' in ps, "install.ps1: HKLM when run as administrator")
check(ps.count("{") == ps.count("}") and ps.count("(") == ps.count(")"), "install.ps1: balanced braces and brackets")

# ---- macOS install script ---------------------------------------------------------------------------------
mac = (P / "macos/install.sh").read_text()
check(f"VERSION={VERSION}" in mac and f"HOST_NAME={HOST}" in mac and f"EXTENSION_ID={EXT_ID}" in mac
      and f"FIREFOX_ID={FIREFOX_ID}" in mac, "macos/install.sh: the same version, host and ids")
for d in ("/Library/Google/Chrome/NativeMessagingHosts", "/Library/Application Support/Chromium/NativeMessagingHosts",
          "/Library/Microsoft/Edge/NativeMessagingHosts", "/Library/Application Support/Mozilla/NativeMessagingHosts"):
    check(d in mac, f"macos/install.sh: writes to {d}")

print(f"templates: {failed} failed")
sys.exit(1 if failed else 0)
