"""Runs the Windows installer under wine (64-bit) in a fresh prefix of its own, for the tests and the bench:
install, uninstall, and read what they left (files, shortcuts, the registry's text files).

Everything stays in the given folder: the prefix, and a HOME of its own (wine links the Windows desktop to
$HOME, and writes .desktop files there). Mono and Gecko are not offered, winemenubuilder is off, and the
Windows version is set to Windows 10 (wine 8 makes new prefixes as Windows 7, which the installer refuses)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path, PureWindowsPath

UNINSTALL_KEY = r"Software\Microsoft\Windows\CurrentVersion\Uninstall\StationDesk"
APP_KEY = r"Software\StationDesk"
APP_ZH = "村站通"


def find_wine() -> str | None:
    return shutil.which("wine") or shutil.which("wine64")


@dataclass(frozen=True)
class Ran:
    returncode: int
    seconds: float
    output: str


class WinePrefix:
    """A fresh wine prefix under ``root`` (made by :meth:`boot`)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.prefix = root / "prefix"
        self.home = root / "home"
        wine = find_wine()
        if wine is None:
            raise RuntimeError("wine is not installed (Debian: apt-get install wine wine64)")
        self.wine = wine

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("WINE")}
        env.update(WINEPREFIX=str(self.prefix), HOME=str(self.home), WINEARCH="win64", WINEDEBUG="-all",
                   WINEDLLOVERRIDES="mscoree,mshtml=;winemenubuilder.exe=d")
        env.pop("DISPLAY", None)  # silent runs need no display; a developer's screen gets no windows
        return env

    def _run(self, args: list[str], timeout: float) -> Ran:
        t0 = time.perf_counter()
        proc = subprocess.run(args, env=self.env, capture_output=True, text=True, errors="replace",
                              timeout=timeout, check=False)
        self.wait()
        return Ran(proc.returncode, time.perf_counter() - t0, proc.stdout + proc.stderr)

    def wait(self, timeout: float = 300) -> None:
        """Until every process of the prefix has ended (an uninstaller runs on from a copy of itself in
        %TEMP%) and the wine server has written the registry files."""
        subprocess.run(["wineserver", "-w"], env=self.env, timeout=timeout, check=False)

    def boot(self, windows: str = "win10") -> float:
        """Makes the prefix; returns the seconds it took."""
        self.home.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        self._run([self.wine, "wineboot", "--init"], timeout=600)
        self.set_windows(windows)
        return time.perf_counter() - t0

    def set_windows(self, version: str) -> None:
        """The Windows version wine reports: win10, win7, …"""
        self._run([self.wine, "winecfg", "/v", version], timeout=120)

    def run(self, program: str | Path, *args: str, timeout: float = 600) -> Ran:
        """Runs a Windows program (a host path or a C:\\ path) and waits for the prefix to be idle."""
        return self._run([self.wine, str(program), *args], timeout=timeout)

    def kill(self) -> None:
        subprocess.run(["wineserver", "-k"], env=self.env, timeout=60, check=False)

    # -- what is in the prefix ---------------------------------------------------------------------------
    @property
    def drive_c(self) -> Path:
        return self.prefix / "drive_c"

    def host_path(self, windows_path: str) -> Path:
        """``C:\\a\\b`` in the prefix, as a path on this machine."""
        p = PureWindowsPath(windows_path)
        if p.drive.upper() != "C:":
            raise ValueError(f"only C: is mapped: {windows_path}")
        return self.drive_c.joinpath(*p.parts[1:])

    @property
    def user_profile(self) -> Path:
        users = [p for p in (self.drive_c / "users").iterdir() if p.name not in ("Public", "Default")]
        if len(users) != 1:
            raise RuntimeError(f"expected one user profile in the prefix, found {[u.name for u in users]}")
        return users[0]

    @property
    def local_appdata(self) -> Path:
        return self.user_profile / "AppData" / "Local"

    @property
    def program_data(self) -> Path:
        return self.drive_c / "ProgramData"

    def start_menu(self, all_users: bool) -> Path:
        base = self.program_data if all_users else self.user_profile / "AppData" / "Roaming"
        return base / "Microsoft" / "Windows" / "Start Menu" / "Programs"

    def desktop(self, all_users: bool) -> Path:
        return self.drive_c / "users" / "Public" / "Desktop" if all_users else self.user_profile / "Desktop"

    def shortcuts(self, all_users: bool) -> tuple[Path, Path]:
        """The Start-menu and desktop shortcuts the installer makes (村站通.lnk)."""
        return self.start_menu(all_users) / APP_ZH / f"{APP_ZH}.lnk", self.desktop(all_users) / f"{APP_ZH}.lnk"

    def registry(self, machine: bool) -> dict[str, dict[str, str | int]]:
        """HKLM (``system.reg``) or HKCU (``user.reg``) as wine keeps it: key -> value name -> value."""
        return parse_reg((self.prefix / ("system.reg" if machine else "user.reg")).read_text(encoding="utf-8",
                                                                                            errors="replace"))


_STRING = re.compile(r'^"((?:[^"\\]|\\.)*)"=(.*)$')


def _unescape(text: str) -> str:
    """wine's .reg escapes: \\\\, \\", \\n, \\xHHHH (a character by its code, up to four hex digits)."""
    out = []
    i = 0
    while i < len(text):
        c = text[i]
        if c != "\\" or i + 1 == len(text):
            out.append(c)
            i += 1
            continue
        n = text[i + 1]
        if n == "x":
            m = re.match(r"[0-9a-fA-F]{1,4}", text[i + 2:])
            if m:
                out.append(chr(int(m.group(0), 16)))
                i += 2 + len(m.group(0))
                continue
        out.append({"n": "\n", "r": "\r", "t": "\t", "0": "\0"}.get(n, n))
        i += 2
    return "".join(out)


def parse_reg(text: str) -> dict[str, dict[str, str | int]]:
    """The keys of a wine registry file with their string and DWORD values (others are kept as their text)."""
    keys: dict[str, dict[str, str | int]] = {}
    current: dict[str, str | int] | None = None
    for raw in text.splitlines():
        line = raw.rstrip()
        if line.startswith("["):
            name = line[1:line.index("]")]
            current = keys.setdefault(_unescape(name), {})
            continue
        if current is None:
            continue
        m = _STRING.match(line)
        if not m:
            continue
        name, value = _unescape(m.group(1)), m.group(2)
        if value.startswith('"') and value.endswith('"'):
            current[name] = _unescape(value[1:-1])
        elif value.startswith("dword:"):
            current[name] = int(value[6:], 16)
        else:
            current[name] = value
    return keys
