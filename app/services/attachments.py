"""Scanned materials attached to a case: copied into the data folder under their SHA-256, never moved."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from app.domain import files
from app.domain.errors import DomainError, NotFound
from app.domain.staff import Actor, Permission
from app.services.context import ServiceContext

MAX_BYTES = 50 * 1024 * 1024
ALLOWED = files.SUFFIXES


def _sha256(path: Path) -> tuple[str, int]:
    h = hashlib.sha256()
    size = 0
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
            size += len(block)
    return h.hexdigest(), size


def store_file(ctx: ServiceContext, path: Path) -> tuple[str, str, int]:
    """Copy a scan or photo into the data folder under its SHA-256, flushed to disk before anything points
    at it; returns (path relative to the data folder, sha256, size). The same file is stored once."""
    if ctx.data_dir is None:
        raise DomainError("storage.no_data_dir")
    if not path.is_file():
        raise DomainError("file.not_found", path=str(path))
    if path.suffix.lower() not in ALLOWED:
        raise DomainError("attachment.bad_type", name=path.name, allowed="、".join(sorted(ALLOWED)))
    digest, size = _sha256(path)
    if size > MAX_BYTES:
        raise DomainError("attachment.too_big", name=path.name, max_mb=MAX_BYTES // (1024 * 1024))
    relative = Path(files.stored_path(digest, path.suffix))
    target = ctx.data_dir / relative
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(target.suffix + ".part")
        shutil.copyfile(path, tmp)
        with tmp.open("rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, target)
    return relative.as_posix(), digest, size


def add_attachment(ctx: ServiceContext, *, actor: Actor, case_id: str, path: Path, material_code: str = "") -> str:
    """Store a scan for a case. The file is written and flushed before the record that points at it."""
    actor.require(Permission.CASE_HANDLE)
    stored, digest, size = store_file(ctx, path)
    now = ctx.now()
    with ctx.uow() as uow:
        case = uow.repos.cases.by_id(case_id) or uow.repos.cases.by_no(case_id)
        if case is None:
            raise NotFound("case.not_found", case=case_id)
        att_id = uow.add("attachments", {
            "case_id": case["id"], "material_code": material_code, "file_name": path.name[:200], "sha256": digest,
            "size": size, "stored_path": stored, "added_by": actor.staff_id,
            "added_at": now.isoformat(timespec="seconds")})
        uow.audit(staff_id=actor.staff_id, action="case.attach", target_type="case", target_id=case["id"],
                  detail={"sha256": digest, "material": material_code}, at=now)
        uow.commit()
    return att_id


def stored_file(data_dir: Path, stored_path: str, sha256: str | None = None) -> Path:
    """The file a record's ``stored_path`` names, inside the data folder — or ``attachment.bad_path`` when the
    record names anything else (a path from another node is never followed as it is: app.domain.files)."""
    problem = files.path_problem(stored_path, sha256)
    if problem is not None:
        raise DomainError("attachment.bad_path", path=stored_path[:120], reason=problem)
    return data_dir / stored_path


def verify_attachment(data_dir: Path, stored_path: str, sha256: str) -> str | None:
    """None when the stored file is intact, else "bad_path" (the record names a path that is not a stored
    file's: nothing is opened), "missing" or "changed"."""
    try:
        target = stored_file(data_dir, stored_path, sha256)
    except DomainError:
        return "bad_path"
    if not target.is_file():
        return "missing"
    return None if _sha256(target)[0] == sha256 else "changed"
