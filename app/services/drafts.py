"""Drafts: a half-filled case at the counter, saved as it is typed, so a crash or a power cut loses nothing.

One draft per staff member (A and B post may share a PC), as a small JSON file in the data folder,
written to a temporary file, flushed to disk and renamed over the old one: after a power cut the file is
either the previous draft or the new one, never half of each. It is removed when the case is accepted.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from app.services.context import ServiceContext

log = logging.getLogger(__name__)
FORMAT = "stationdesk.draft/1"


@dataclass(frozen=True, slots=True)
class CounterDraft:
    staff_id: str
    resident_id: str
    resident_name: str
    item_code: str = ""
    item_name: str = ""
    received: tuple[str, ...] = ()
    form: dict[str, Any] = field(default_factory=dict)
    proxy: dict[str, str] | None = None
    saved_at: str = ""


def _path(ctx: ServiceContext, staff_id: str) -> Path | None:
    if ctx.data_dir is None:
        return None
    safe = "".join(c for c in staff_id if c.isalnum() or c == "-")
    return ctx.data_dir / "drafts" / f"{safe}.json"


def save_draft(ctx: ServiceContext, draft: CounterDraft) -> None:
    path = _path(ctx, draft.staff_id)
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {"format": FORMAT, **asdict(draft), "received": list(draft.received),
            "saved_at": ctx.now().isoformat(timespec="seconds")}
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as f:
        json.dump(body, f, ensure_ascii=False)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def load_draft(ctx: ServiceContext, staff_id: str) -> CounterDraft | None:
    """The staff member's draft, or None. A damaged file is set aside (``.bad``), never a reason to fail."""
    path = _path(ctx, staff_id)
    if path is None or not path.exists():
        return None
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
        if body.get("format") != FORMAT:
            raise ValueError(f"unknown draft format {body.get('format')!r}")
        return CounterDraft(staff_id=str(body["staff_id"]), resident_id=str(body["resident_id"]),
                            resident_name=str(body["resident_name"]), item_code=str(body.get("item_code", "")),
                            item_name=str(body.get("item_name", "")),
                            received=tuple(str(c) for c in body.get("received", ())),
                            form=dict(body.get("form") or {}), proxy=body.get("proxy"),
                            saved_at=str(body.get("saved_at", "")))
    except (ValueError, KeyError, TypeError, OSError) as e:
        log.warning("draft %s unreadable, set aside: %s", path.name, e)
        path.replace(path.with_suffix(".bad"))
        return None


def clear_draft(ctx: ServiceContext, staff_id: str) -> None:
    path = _path(ctx, staff_id)
    if path is not None:
        path.unlink(missing_ok=True)


def _fsync_dir(folder: Path) -> None:
    if os.name == "nt":  # Windows cannot open a folder for fsync; the rename is already durable there
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
