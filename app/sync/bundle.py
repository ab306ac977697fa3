"""USB bundles for stations with no network: the station writes what it has not sent to a signed file on a
USB stick; the town imports it on the server and writes a signed reply with what the station should pull; the
station imports the reply. The same exactly-once rules as over the network: the station marks its changes
sent only when a reply acknowledges them, and applies the reply's changes with its cursor.

A bundle is JSON, signed with HMAC-SHA256 under a key both ends hold: the one the town issued at enrolment,
which the town derives again from its master secret (kept apart from its database, so its database alone is
not enough to forge a bundle); for a station enrolled by an earlier release, the SHA-256 of its credential.
A bundle changed after it was written, or made for another station, is refused with a plain message."""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

from app.domain.errors import DomainError
from app.messages import render
from app.services import checking, recovery, seals
from app.services import replication as rep
from app.services.context import ServiceContext
from app.services.screening import Refusal
from app.sync.protocol import PROTOCOL_VERSION, WireChange

FORMAT = "stationdesk.bundle/1"
MAX_CHANGES = 200_000


def _key_of_credential(credential: str) -> bytes:
    return hashlib.sha256(credential.encode()).hexdigest().encode()


def _sign(body: dict[str, Any], key: bytes) -> str:
    text = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()


def _write(path: Path, body: dict[str, Any], key: bytes) -> None:
    signed = {**body, "signature": _sign(body, key)}
    tmp = path.with_name(path.name + ".part")
    try:
        tmp.write_text(json.dumps(signed, ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)  # a stick pulled out half-way leaves the old file or none, never half a bundle
    except OSError as e:
        raise DomainError("bundle.cannot_write", path=str(path), reason=e.strerror or str(e)) from e


def _read(path: Path) -> dict[str, Any]:
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise DomainError("bundle.unreadable", path=str(path)) from e
    if not isinstance(body, dict) or body.get("format") != FORMAT:
        raise DomainError("bundle.unreadable", path=str(path))
    if body.get("protocol") != PROTOCOL_VERSION:
        raise DomainError("sync.protocol", theirs=str(body.get("protocol")), ours=str(PROTOCOL_VERSION))
    return body


def _verify(body: dict[str, Any], key: bytes, path: Path) -> None:
    given = str(body.get("signature", ""))
    unsigned = {k: v for k, v in body.items() if k != "signature"}
    if not hmac.compare_digest(given, _sign(unsigned, key)):
        raise DomainError("bundle.tampered", path=str(path))


# ---------------------------------------------------------------- the station


def _station_key(ctx: ServiceContext, credential: str) -> bytes:
    """The key this station signs its bundles with: the one the town issued at enrolment (derived from the
    town's master secret, so the town's database alone cannot forge it); an earlier release's station, the hash
    of its credential (enrol it again to move to the issued key)."""
    return seals.bundle_key(ctx) or _key_of_credential(credential)


def export_bundle(ctx: ServiceContext, path: Path) -> int:
    """Write everything not yet acknowledged by the town, with this station's cursor, where its chain and audit
    log stand, and — after a restore from an older backup — its request for its numbers and own records back;
    returns how many changes."""
    settings = rep.sync_settings(ctx)
    if settings is None:
        raise DomainError("sync.not_enrolled")
    changes = rep.outbox(ctx, limit=MAX_CHANGES)
    anchor = checking.current_anchor(ctx)
    body = {"format": FORMAT, "protocol": PROTOCOL_VERSION, "kind": "push", "station": rep.station_code(ctx),
            "cursor": rep.cursor(ctx), "changes": [WireChange.of(c).model_dump() for c in changes],
            "recover": recovery.pending(ctx),
            "anchor": {"chain_seq": anchor.chain_seq, "chain_hash": anchor.chain_hash,
                       "audit_seq": anchor.audit_seq, "audit_hash": anchor.audit_hash}}
    _write(path, body, _station_key(ctx, settings[1]))
    checking.keep_anchor(ctx, anchor)
    return len(changes)


def import_reply(ctx: ServiceContext, path: Path) -> rep.Applied:
    """Apply the town's reply: mark acknowledged changes sent, apply the town's changes, move the cursor."""
    settings = rep.sync_settings(ctx)
    if settings is None:
        raise DomainError("sync.not_enrolled")
    body = _read(path)
    station = rep.station_code(ctx)
    if body.get("kind") != "reply" or body.get("station") != station:
        raise DomainError("bundle.not_ours", path=str(path), station=station, theirs=str(body.get("station")))
    _verify(body, _station_key(ctx, settings[1]), path)
    if int(body["after"]) > rep.cursor(ctx):
        raise DomainError("bundle.gap", path=str(path), after=str(body["after"]), cursor=str(rep.cursor(ctx)))
    restored = recovery.pending(ctx) and "marks" in body
    if restored:  # past every number the town has seen before anything else
        recovery.take_marks(ctx, recovery.marks_from_json(body["marks"]))
    rep.mark_pushed(ctx, [str(x) for x in body["accepted"]])
    rep.note_refusals(ctx, [(str(r.get("change_id", "")), str(r.get("table", "")), str(r.get("row_id", "")),
                             str(r.get("zh") or r.get("code", ""))) for r in body.get("refused", [])
                            if isinstance(r, dict)])
    changes = [WireChange.model_validate(c).change() for c in body["changes"]]
    done = rep.apply_pulled(ctx, changes=changes, cursor=max(int(body["cursor"]), rep.cursor(ctx)))
    if restored:
        recovery.recovered(ctx)
    town = body.get("town_anchor")
    if isinstance(town, dict):
        checking.keep_anchor(ctx, checking.Anchor(int(town.get("chain_seq", 0)), str(town.get("chain_hash", "")),
                                                  int(town.get("audit_seq", 0)), str(town.get("audit_hash", "")),
                                                  "town", str(town.get("at", ""))), confirmed_by_town=True)
    rep.note_sync(ctx)
    return done


# ---------------------------------------------------------------- the town server


def _refused(r: Refusal) -> dict[str, Any]:
    params = dict(r.params)
    return {"change_id": r.change_id, "table": r.table, "row_id": r.row_id, "code": r.code, "params": params,
            "zh": render(r.code, params, "zh"), "en": render(r.code, params, "en")}


def import_bundle(ctx: ServiceContext, path: Path, reply: Path, *, limit: int = MAX_CHANGES) -> rep.Applied:
    """On the server: check the station's bundle, apply it exactly once, and write the reply (what it
    acknowledged, and the town's changes after the station's cursor)."""
    body = _read(path)
    if body.get("kind") != "push":
        raise DomainError("bundle.unreadable", path=str(path))
    station = str(body.get("station", ""))
    key = rep.station_key(ctx, station)
    _verify(body, key, path)
    changes = [WireChange.model_validate(c).change() for c in body["changes"]]
    marks = recovery.recover_station(ctx, station=station) if body.get("recover") is True else None
    done = rep.receive(ctx, station_code=station, changes=changes)
    anchor = body.get("anchor")
    if isinstance(anchor, dict):
        recovery.record_anchor(ctx, station=station, anchor=anchor, restored=marks is not None)
    town = recovery.town_anchor(ctx, station=station)
    after = int(body.get("cursor", 0))
    rep.note_pulled(ctx, station=station, upto=after)  # it holds the town's log up to its cursor
    page, cursor, _more = rep.log_page(ctx, after=after, limit=limit, station=station)
    out: dict[str, Any] = {
        "format": FORMAT, "protocol": PROTOCOL_VERSION, "kind": "reply", "station": station,
        "accepted": list(done.accepted), "after": after, "cursor": cursor,
        "refused": [_refused(r) for r in done.refused],
        "changes": [WireChange.of(c).model_dump() for c in page],
        "town_anchor": {"chain_seq": town.chain_seq, "chain_hash": town.chain_hash, "audit_seq": town.audit_seq,
                        "audit_hash": town.audit_hash, "at": town.at}}
    if marks is not None:
        out["marks"] = recovery.marks_as_json(marks)
    _write(reply, out, key)
    return done
