"""The workstation check script agents download (Windows, macOS, Linux; Python 3.8+).

It reads the machine's settings with the operating system's own tools, never changes
anything, and prints a JSON result signed with HMAC-SHA256 under a key issued to the agent.
"""

from __future__ import annotations

_TEMPLATE = r'''#!/usr/bin/env python3
"""outguard workstation check - reads settings only, changes nothing.

Run it on the computer you use for client work:  python3 outguard-workstation-check.py
Then paste everything it prints into the Workstation page of outguard.
"""
import datetime, hashlib, hmac, json, os, platform, subprocess, sys

USER = "__USER__"
KEY = bytes.fromhex("__KEY__")


def run(*cmd):
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
        return out.returncode, (out.stdout or "") + (out.stderr or "")
    except (OSError, subprocess.SubprocessError):
        return 1, ""


def linux():
    _, blk = run("lsblk", "-o", "TYPE")
    disk = "crypt" in blk.split()
    fw = "Status: active" in run("ufw", "status")[1] or run("systemctl", "is-active", "firewalld")[1].strip() == "active"
    if not fw:
        code, rules = run("nft", "list", "ruleset")
        fw = code == 0 and "chain" in rules
    _, ps = run("ps", "-eo", "comm")
    av = any(name in ps for name in ("clamd", "falcon-sensor", "mdatp", "wdavdaemon", "sentinelone", "cbagentd", "sophos"))
    updates = False
    for path in ("/etc/apt/apt.conf.d/20auto-upgrades", "/etc/apt/apt.conf.d/10periodic"):
        try:
            updates = updates or 'Unattended-Upgrade "1"' in open(path).read()
        except OSError:
            pass
    updates = updates or run("systemctl", "is-enabled", "dnf-automatic.timer")[1].strip() == "enabled"
    usb = False
    try:
        for name in os.listdir("/etc/modprobe.d"):
            text = open(os.path.join("/etc/modprobe.d", name)).read()
            usb = usb or "blacklist usb-storage" in text or "install usb-storage /bin/true" in text or "install usb-storage /bin/false" in text
    except OSError:
        pass
    return disk, fw, av, updates, usb


def macos():
    disk = "FileVault is On" in run("fdesetup", "status")[1]
    fw = "enabled" in run("/usr/libexec/ApplicationFirewall/socketfilterfw", "--getglobalstate")[1]
    av = os.path.exists("/Library/Apple/System/Library/CoreServices/XProtect.bundle")
    updates = run("defaults", "read", "/Library/Preferences/com.apple.SoftwareUpdate", "AutomaticallyInstallMacOSUpdates")[1].strip() == "1"
    usb = "com.apple.mcx" in run("profiles", "list")[1]
    return disk, fw, av, updates, usb


def windows():
    ps = lambda script: run("powershell", "-NoProfile", "-Command", script)[1]
    drive = os.path.expandvars("%SystemDrive%")
    disk = "Protection On" in run("manage-bde", "-status", drive if drive.endswith(":") else "C:")[1]
    lines = run("netsh", "advfirewall", "show", "allprofiles", "state")[1].splitlines()
    states = [l.split()[-1].upper() for l in lines if l.strip().lower().startswith("state")]
    fw = bool(states) and all(state == "ON" for state in states)
    av = ps("(Get-MpComputerStatus).AntivirusEnabled").strip() == "True"
    updates = ps("(Get-ItemProperty 'HKLM:SOFTWARE\\Policies\\Microsoft\\Windows\\WindowsUpdate\\AU' -ErrorAction SilentlyContinue).NoAutoUpdate").strip() != "1"
    usb = ps("(Get-ItemProperty 'HKLM:SYSTEM\\CurrentControlSet\\Services\\USBSTOR').Start").strip() == "4"
    return disk, fw, av, updates, usb


def main():
    system = platform.system()
    probe = {"Linux": linux, "Darwin": macos, "Windows": windows}.get(system)
    if probe is None:
        sys.exit("This check runs on Windows, macOS and Linux only.")
    names = ("disk_encryption", "firewall", "antivirus", "os_updates", "removable_storage_blocked")
    result = {
        "version": 1,
        "user": USER,
        "checked_at": datetime.datetime.now(datetime.timezone.utc).isoformat(),
        "os": (system + " " + platform.release())[:80],
        "checks": dict(zip(names, (bool(x) for x in probe()))),
    }
    body = json.dumps(result, sort_keys=True, separators=(",", ":")).encode()
    result["signature"] = hmac.new(KEY, body, hashlib.sha256).hexdigest()
    for name in names:
        print(("  ok   " if result["checks"][name] else "  FAIL ") + name, file=sys.stderr)
    print(json.dumps(result, sort_keys=True))


if __name__ == "__main__":
    main()
'''


def render_script(*, user_id: str, key_hex: str) -> str:
    """The script with the agent's id and key filled in (both are hex/UUID: no escaping)."""
    if not all(c in "0123456789abcdef-" for c in user_id + key_hex):
        msg = "user id and key must be lowercase hex / UUID"
        raise ValueError(msg)
    return _TEMPLATE.replace("__USER__", user_id).replace("__KEY__", key_hex)
