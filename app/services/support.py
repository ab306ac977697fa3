"""The support bundle: one zip a town technician can take away on a USB stick or receive by message, to see
what went wrong at a station — its logs, the versions of everything, its settings and a check of its
database — without any resident's personal data.

What goes in: ``logs/`` (every log file of the data folder, ID-card and phone numbers masked line by line),
``versions.json`` (the program, Python, SQLite and the libraries, the operating system, the schema revision),
``settings.json`` (the data folder and its mode, the station's settings without secrets, the screen settings
file, the row count of each table, the backups on hand, free disk space) and ``check.json`` (the integrity
check: the database file, the audit chain, case numbers, attachments and the money chain).

What never goes in: the database itself, attachments, scans, printed documents, backups, the key store
(``keys/``: the sync credential and the station's other secrets; only their names and how they are kept go
in, and a secret's value found in a log line is masked like a number)."""

from __future__ import annotations

import json
import platform
import shutil
import sys
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from app import __version__
from app.domain.errors import DomainError
from app.domain.staff import Actor, Permission
from app.persistence.database import describe
from app.services.backups import backups
from app.services.context import ServiceContext
from app.services.masking import mask_personal

_LIBRARIES = ("SQLAlchemy", "alembic", "reportlab", "pydantic", "httpx", "orjson", "platformdirs", "pypinyin",
              "argon2-cffi", "openpyxl", "PySide6-Essentials", "PySide6-Addons")
LOG_LIMIT_BYTES = 20 * 1024 * 1024  # the newest logs up to this size: a bundle stays small enough to send


@dataclass(frozen=True, slots=True)
class SupportBundle:
    path: Path
    files: tuple[str, ...]  # the names inside the zip
    check_ran: bool  # the integrity check needs the station head's account


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return ""


def _logs(folder: Path) -> list[Path]:
    """The data folder's log files, newest first, up to the size limit."""
    if not folder.is_dir():
        return []
    found = sorted((p for p in folder.rglob("*") if p.is_file() and ".log" in p.name),
                   key=lambda p: p.stat().st_mtime, reverse=True)
    kept: list[Path] = []
    total = 0
    for p in found:
        total += p.stat().st_size
        if total > LOG_LIMIT_BYTES and kept:
            break
        kept.append(p)
    return kept


def _secrets(ctx: ServiceContext) -> tuple[str, ...]:
    """The values in the station's key store, to be masked wherever they turn up (a log line quoting a request's
    headers, say). One that cannot be read here is not in any file of this PC to be masked either."""
    found = []
    for name in ctx.keys.names():
        try:
            value = ctx.keys.get(name)
        except DomainError:
            continue
        if value and len(value) >= 8:  # a short one would mask ordinary words
            found.append(value)
    return tuple(sorted(found, key=len, reverse=True))


def _mask_secrets(text: str, secrets: tuple[str, ...]) -> str:
    for value in secrets:
        text = text.replace(value, "[secret]")
    return text


def _key_store(ctx: ServiceContext) -> dict[str, Any]:
    """How the station keeps its secrets and which it has (names only): a station that lost its credential
    (restored onto another PC) shows here."""
    return {"kept_by": ctx.keys.kind, "names": ctx.keys.names()}


def _backups(data_dir: Path) -> list[dict[str, Any]]:
    """The backups on hand, as the backups list names them (not opened: a bundle is quick to write)."""
    return [{"name": str(b.path.relative_to(data_dir / "backups")), "kind": b.kind, "reason": b.reason,
             "bytes": b.size, "made_at": b.made_at.isoformat(timespec="seconds")}
            for b in backups(data_dir, check=False)]


def _check(ctx: ServiceContext, actor: Actor) -> dict[str, Any]:
    from app.services.maintenance import check

    report = check(ctx, actor=actor)
    # Findings name case numbers, audit numbers and the like; an attachment's file name (it may carry a
    # person's name) is left out.
    return {"ok": report.ok, "audit_entries": report.audit_entries, "cases": report.cases,
            "attachments": report.attachments, "chain_links": report.chain_links,
            "findings": [{"area": f.area, "code": f.code,
                          "params": {k: v for k, v in f.params if k != "file"}} for f in report.findings]}


def write_support_bundle(ctx: ServiceContext, *, actor: Actor, dest: Path, data_location: tuple[str, str] = ("", ""),
                         extra_versions: Mapping[str, str] | None = None) -> SupportBundle:
    """Write the support bundle into folder ``dest`` (or as file ``dest`` when it ends in .zip).

    Any staff member may write one; the integrity check inside runs only for the station head's account (it
    reads every record), and the bundle says so when it did not. ``data_location`` is the data folder's
    (path, mode) as the program found it; ``extra_versions`` what the caller knows besides (e.g. Qt's)."""
    data_dir = ctx.data_dir
    if data_dir is None:
        raise DomainError("storage.not_sqlite")
    now = ctx.now()
    target = dest if dest.suffix.lower() == ".zip" else dest / f"stationdesk-support-{now:%Y%m%d-%H%M%S}.zip"
    if target.exists():
        raise DomainError("support.exists", path=str(target))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise DomainError("support.cannot_write", path=str(target.parent), detail=e.strerror or str(e)) from e
    db = describe(ctx.db)
    versions = {"stationdesk": __version__, "python": sys.version.split()[0], "platform": platform.platform(),
                "machine": platform.machine(), "frozen": bool(getattr(sys, "frozen", False)),
                "sqlite": db["sqlite"], "schema_revision": db["revision"],
                **{name: _version(name) for name in _LIBRARIES}, **dict(extra_versions or {})}
    disk = shutil.disk_usage(data_dir)
    ui_settings = data_dir / "ui-settings.ini"
    settings = {"data_folder": data_location[0] or str(data_dir), "data_mode": data_location[1],
                "station_settings": db["meta"], "key_store": _key_store(ctx), "tables": db["tables"],
                "ui_settings": (ui_settings.read_text(encoding="utf-8", errors="replace")
                                if ui_settings.is_file() else ""),
                "backups": _backups(data_dir),
                "disk_free_mb": disk.free // (1024 * 1024), "disk_total_mb": disk.total // (1024 * 1024),
                "written_at": now.isoformat(timespec="seconds"), "written_by_staff_no": actor.staff_no}
    check_ran = actor.can(Permission.STATION_ADMIN)
    check = _check(ctx, actor) if check_ran else {
        "ok": None, "skipped": "the integrity check needs the station head's account / 完整性检查需要站长账号"}
    names = []
    hidden = _secrets(ctx)
    tmp = target.with_name(target.name + ".part")
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as z:
            for name, content in (("versions.json", versions), ("settings.json", settings), ("check.json", check)):
                z.writestr(name, _mask_secrets(json.dumps(content, ensure_ascii=False, indent=2), hidden))
                names.append(name)
            logs = data_dir / "logs"
            for path in _logs(logs):
                name = "logs/" + path.relative_to(logs).as_posix()
                with path.open(encoding="utf-8", errors="replace") as f:
                    z.writestr(name, "".join(mask_personal(_mask_secrets(line, hidden)) for line in f))
                names.append(name)
        tmp.replace(target)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise DomainError("support.cannot_write", path=str(target), detail=e.strerror or str(e)) from e
    return SupportBundle(path=target, files=tuple(names), check_ran=check_ran)
