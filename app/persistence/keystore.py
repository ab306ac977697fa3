"""Secrets a station keeps apart from its database: the sync credential, the keys of its bundles and chains.

They live in ``keys/`` in the data folder, one file per secret, kept by the operating system:

- **Windows**: each secret is a DPAPI blob (``CryptProtectData``): of the Windows account that stored it, or of
  the machine when the data folder is the all-users one (every account of a shared counter PC reads it). A
  copy of the folder on another PC cannot be read there.
- **Linux, macOS**: a file only its owner may read (folder 0700, files 0600); a file that others could read
  is refused, as ssh refuses such a key.

``keys/`` is never part of a backup, a USB backup or a support bundle: those take the database (SQLite's
backup API), the scans (``attachments/``) and the logs (``logs/``) by name, never the whole folder. A
database opened without a data folder (the town's, some tests) keeps its secrets in memory.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import re
import secrets
import stat
import sys
from pathlib import Path
from typing import Any

from app.domain.errors import DomainError

FOLDER = "keys"
SUFFIX = ".secret"
SYNC_CREDENTIAL = "sync.credential"  # the station's credential at the town server (app/services/replication.py)

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")
_HEADER = b"stationdesk-secret 1 "  # then the kind and a newline, then the payload
_PLAIN, _DPAPI_USER, _DPAPI_MACHINE = b"plain", b"dpapi-user", b"dpapi-machine"
_WINDOWS = sys.platform == "win32"
_POSIX = os.name == "posix"
_OTHERS = stat.S_IRWXG | stat.S_IRWXO  # group and others: what a secret, its folder, a station file never grant


class KeyStore:
    """Secrets this station keeps apart from its database (the sync credential, the keys of its bundles and
    chains). ``all_users``: the data folder is the one every Windows account of the PC shares, so a secret is
    sealed for the machine rather than for the account storing it (ignored elsewhere)."""

    def __init__(self, data_dir: Path | None, *, all_users: bool = False) -> None:
        self.folder = data_dir / FOLDER if data_dir is not None else None
        self.all_users = all_users
        self._memory: dict[str, str] = {}

    @property
    def kind(self) -> str:
        """How the secrets are kept: ``memory``, ``file`` (owner only), ``dpapi-user`` or ``dpapi-machine``."""
        if self.folder is None:
            return "memory"
        if not _WINDOWS:
            return "file"
        return "dpapi-machine" if self.all_users else "dpapi-user"

    def get(self, name: str) -> str | None:
        """The secret, or None when none is kept under ``name``. Raises ``keys.too_open`` (a file others could
        read) or ``keys.unreadable`` (sealed on another PC or by another account, or not one of ours)."""
        path = self._path(name)
        if path is None:
            return self._memory.get(name)
        try:
            body = _read_own(path)
        except FileNotFoundError:
            return None
        except OSError as e:
            raise DomainError("keys.unreadable", name=name, path=str(path), detail=e.strerror or str(e)) from e
        if not body.startswith(_HEADER):
            raise DomainError("keys.unreadable", name=name, path=str(path), detail="not a StationDesk secret")
        kind, _, payload = body.removeprefix(_HEADER).partition(b"\n")
        if kind == _PLAIN:
            data = payload
        elif kind in (_DPAPI_USER, _DPAPI_MACHINE) and _WINDOWS:
            try:
                data = _unprotect(payload, _entropy(name))
            except OSError as e:
                raise DomainError("keys.unreadable", name=name, path=str(path),
                                  detail=f"Windows could not unseal it ({e})") from e
        else:
            raise DomainError("keys.unreadable", name=name, path=str(path),
                              detail=f"sealed as {kind.decode(errors='replace')!r}")
        try:
            value = data.decode("utf-8")
        except UnicodeDecodeError as e:
            raise DomainError("keys.unreadable", name=name, path=str(path), detail="not text") from e
        if _WINDOWS and kind != (_DPAPI_MACHINE if self.all_users else _DPAPI_USER):
            # A folder brought from Linux (plain), or one that became the all-users folder (sealed for one
            # account): sealed as this folder wants from now on. Reading does not fail when that cannot be done.
            with contextlib.suppress(DomainError):
                self.put(name, value)
        return value

    def put(self, name: str, value: str) -> None:
        """Keep ``value`` under ``name``, replacing what was there: written to a temporary file, flushed to
        the disk, then renamed over the old one (a power cut leaves the old secret or the new one)."""
        path = self._path(name)
        if path is None:
            self._memory[name] = value
            return
        data = value.encode("utf-8")
        if _WINDOWS:
            sealed = _protect(data, _entropy(name), machine=self.all_users)
            body = _HEADER + (_DPAPI_MACHINE if self.all_users else _DPAPI_USER) + b"\n" + sealed
        else:
            body = _HEADER + _PLAIN + b"\n" + data
        tmp = path.with_name(f".{name}.{secrets.token_hex(4)}.tmp")
        try:
            self._make_folder()
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
            try:
                os.write(fd, body)
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp, path)
            _fsync_folder(path.parent)
        except OSError as e:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
            raise DomainError("keys.cannot_write", path=str(path), detail=e.strerror or str(e)) from e

    def delete(self, name: str) -> None:
        """Forget the secret kept under ``name`` (nothing happens when there is none)."""
        path = self._path(name)
        if path is None:
            self._memory.pop(name, None)
            return
        try:
            path.unlink()
            _fsync_folder(path.parent)
        except FileNotFoundError:
            return
        except OSError as e:
            raise DomainError("keys.cannot_write", path=str(path), detail=e.strerror or str(e)) from e

    def names(self) -> list[str]:
        """The names of the secrets kept (not their values), sorted."""
        if self.folder is None:
            return sorted(self._memory)
        try:
            found = [p.name[: -len(SUFFIX)] for p in self.folder.iterdir()
                     if p.name.endswith(SUFFIX) and not p.name.startswith(".") and p.is_file()]
        except FileNotFoundError:
            return []
        return sorted(n for n in found if _NAME.fullmatch(n))

    # -- helpers -----------------------------------------------------------------------------------------
    def _path(self, name: str) -> Path | None:
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise ValueError(f"a secret's name is letters, digits, '.', '_' or '-' (not {name!r})")
        return self.folder / f"{name}{SUFFIX}" if self.folder is not None else None

    def _make_folder(self) -> None:
        assert self.folder is not None
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if _POSIX and stat.S_IMODE(self.folder.stat().st_mode) & _OTHERS:
            os.chmod(self.folder, 0o700)  # made before this release, or under a loose umask


def station_keys(data_dir: Path | None) -> KeyStore:
    """The key store of the station in ``data_dir``: sealed for the machine when that is the all-users folder."""
    if data_dir is None or not _WINDOWS:
        return KeyStore(data_dir)
    from app.paths import shared_by_all_users

    return KeyStore(data_dir, all_users=shared_by_all_users(data_dir))


def owner_only(path: Path) -> None:
    """POSIX: take group's and others' rights from an existing file (a station file made before this release,
    or a copy on a disk that has owners). Windows: the folder's ACLs decide (the installer sets them)."""
    if not _POSIX:
        return
    with contextlib.suppress(OSError):  # gone meanwhile, or a stick without owners (FAT)
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & _OTHERS:
            os.chmod(path, mode & ~_OTHERS)


def _read_own(path: Path) -> bytes:
    """A secret file's bytes; on POSIX only a regular file that its owner alone may read."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0))
    try:
        st = os.fstat(fd)
        if _POSIX and (not stat.S_ISREG(st.st_mode) or st.st_mode & _OTHERS):
            raise DomainError("keys.too_open", path=str(path), mode=oct(stat.S_IMODE(st.st_mode)))
        chunks = []
        while chunk := os.read(fd, 65536):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _fsync_folder(folder: Path) -> None:
    """The rename itself on the disk (POSIX; Windows has no handle to a folder for this)."""
    if not _POSIX:
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _entropy(name: str) -> bytes:
    # Binds a blob to its name: one secret's file copied over another's does not unseal as that one.
    return b"StationDesk secret " + name.encode("utf-8")


# -- DPAPI (Windows) through ctypes: crypt32 is part of every Windows, so no new dependency ------------------

_CRYPTPROTECT_UI_FORBIDDEN = 0x1
_CRYPTPROTECT_LOCAL_MACHINE = 0x4


class _Blob(ctypes.Structure):
    _fields_ = [("cbData", ctypes.c_uint32), ("pbData", ctypes.POINTER(ctypes.c_ubyte))]


def _blob(data: bytes) -> tuple[_Blob, Any]:
    buffer = (ctypes.c_ubyte * max(len(data), 1)).from_buffer_copy(data or b"\0")
    return _Blob(len(data), ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ubyte))), buffer


def _dpapi(name: str, data: bytes, entropy: bytes, flags: int) -> bytes:
    windll = getattr(ctypes, "WinDLL")  # noqa: B009 - Windows only: not in the type stubs elsewhere
    crypt32, kernel32 = windll("crypt32", use_last_error=True), windll("kernel32", use_last_error=True)
    function = getattr(crypt32, name)
    sealing = name == "CryptProtectData"
    # CryptProtectData(in, description, entropy, reserved, prompt, flags, out); CryptUnprotectData takes a
    # pointer to where it would put the description instead (NULL: not wanted).
    function.argtypes = [ctypes.POINTER(_Blob), ctypes.c_wchar_p if sealing else ctypes.c_void_p,
                         ctypes.POINTER(_Blob), ctypes.c_void_p, ctypes.c_void_p, ctypes.c_uint32,
                         ctypes.POINTER(_Blob)]
    function.restype = ctypes.c_int
    kernel32.LocalFree.argtypes = [ctypes.c_void_p]
    kernel32.LocalFree.restype = ctypes.c_void_p
    source, _keep_source = _blob(data)
    extra, _keep_extra = _blob(entropy)
    out = _Blob()
    if not function(ctypes.byref(source), "StationDesk" if sealing else None, ctypes.byref(extra), None, None,
                    flags | _CRYPTPROTECT_UI_FORBIDDEN, ctypes.byref(out)):
        code = getattr(ctypes, "get_last_error")()  # noqa: B009 - Windows only, as above
        raise OSError(code, f"{name} failed (Windows error {code})")
    try:
        return ctypes.string_at(out.pbData, out.cbData)
    finally:
        kernel32.LocalFree(ctypes.cast(out.pbData, ctypes.c_void_p))


def _protect(data: bytes, entropy: bytes, *, machine: bool) -> bytes:
    return _dpapi("CryptProtectData", data, entropy, _CRYPTPROTECT_LOCAL_MACHINE if machine else 0)


def _unprotect(blob: bytes, entropy: bytes) -> bytes:
    # The blob says whose it is (an account's or the machine's): no flag needed to unseal it.
    return _dpapi("CryptUnprotectData", blob, entropy, 0)
