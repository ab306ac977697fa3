"""The keys a station's tamper evidence is sealed with — the chain over its money, receipts and points, and its
audit log — kept apart from its database in the key store (app/persistence/keystore.py).

Someone who edits the database could otherwise seal the records again with the published algorithm; with a
key they do not have (it is not in the file, nor in its backups), an edit shows whatever they do.

- A station makes its own key the first time it opens (``L…``); enrolled, it seals with the key the town issued
  (``T…``), which the town derives again from its master secret to check the chain in its own copy.
- The numbers sealed before a station had any key (an earlier release's plain SHA-256) are noted: an unkeyed
  seal after them is a break (someone sealing again without the key).
- At the town, every key is derived from the master secret kept in the town's key store, never in its database:
  reading the town's database (a reporting replica, say) gives no key to forge a station's bundle or chain.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from app.domain.errors import DomainError
from app.persistence.keystore import KeyStore
from app.services.context import ServiceContext

CURRENT = "seal.current"
LEGACY = "seal.legacy_until"  # {"audit": n, "chain": n}: the numbers sealed before this station had a key
BUNDLE_KEY = "sync.bundle_key"  # the key a station's USB bundles are signed with (issued by the town)
MASTER = "town.master"  # the town's master secret (on the server only)


def _name(key_id: str) -> str:
    return f"seal.key.{key_id}"


def prepare(ctx: ServiceContext) -> None:
    """At a station's opening: the key it seals with, made the first time (the numbers sealed before noted)."""
    keys = ctx.keys
    current = keys.get(CURRENT)
    secret = keys.get(_name(current)) if current else None
    if current is None or secret is None:
        # The first opening with keys — or a key store that lost its key (a copy of the station on another PC):
        # a new key from here on; what was sealed before it can be checked only where its key is.
        with ctx.read() as uow:
            audit = int(uow.conn.exec_driver_sql("SELECT coalesce(max(seq), 0) FROM audit_log").scalar_one())
            chain = int(uow.conn.exec_driver_sql("SELECT coalesce(max(seq), 0) FROM chain_links").scalar_one())
        if keys.get(LEGACY) is None:
            keys.put(LEGACY, json.dumps({"audit": audit, "chain": chain}))
        current, secret = "L" + secrets.token_hex(4), secrets.token_hex(32)
        keys.put(_name(current), secret)
        keys.put(CURRENT, current)
    ctx.db.sealer = (current, bytes.fromhex(secret))


def keys_in(store: KeyStore) -> dict[str, bytes]:
    """Every sealing key a key store holds, by id (readable without opening the station's database)."""
    out: dict[str, bytes] = {}
    for name in store.names():
        if name.startswith("seal.key."):
            value = store.get(name)
            if value:
                out[name.removeprefix("seal.key.")] = bytes.fromhex(value)
    return out


def station_keys(ctx: ServiceContext) -> dict[str, bytes]:
    """Every sealing key this station holds, by id."""
    return keys_in(ctx.keys)


@dataclass(frozen=True, slots=True)
class Legacy:
    """How far the records were sealed before this station had a key (None: no rule is known here)."""

    audit: int | None
    chain: int | None


def legacy(ctx: ServiceContext) -> Legacy:
    text = ctx.keys.get(LEGACY)
    if not text:
        return Legacy(None, None)
    found = json.loads(text)
    return Legacy(int(found.get("audit", 0)), int(found.get("chain", 0)))


def keep_town_keys(ctx: ServiceContext, *, current: str, seal_keys: Mapping[str, str], bundle_key: str) -> None:
    """At enrolment: the keys the town issued (every one it ever issued to this station, so what was sealed under
    an earlier one can still be checked); from now on the station seals with ``current``."""
    for key_id, value in seal_keys.items():
        ctx.keys.put(_name(key_id), value)
    if bundle_key:
        ctx.keys.put(BUNDLE_KEY, bundle_key)
    if current in seal_keys:
        ctx.keys.put(CURRENT, current)
        ctx.db.sealer = (current, bytes.fromhex(seal_keys[current]))


def bundle_key(ctx: ServiceContext) -> bytes | None:
    value = ctx.keys.get(BUNDLE_KEY)
    return value.encode() if value else None


# ---------------------------------------------------------------- at the town


def master(ctx: ServiceContext) -> bytes:
    """The town's master secret, made the first time (in the town's key store: never in its database)."""
    value = ctx.keys.get(MASTER)
    if value is None:
        value = secrets.token_hex(32)
        ctx.keys.put(MASTER, value)
    return bytes.fromhex(value)


def derive(secret: bytes, purpose: str, station: str, key_id: str) -> bytes:
    """A station's key for one purpose (``seal``, ``bundle``), derived from the town's master secret."""
    return hmac.new(secret, f"stationdesk/{purpose}/{station}/{key_id}".encode(), hashlib.sha256).digest()


def new_key_id() -> str:
    return "T" + secrets.token_hex(4)


def issued(ctx: ServiceContext, station: str, key_ids: list[str]) -> tuple[dict[str, str], str]:
    """The seal keys of these ids (hex) and the bundle key of the newest, for a station at its enrolment."""
    secret = master(ctx)
    seal_keys = {k: derive(secret, "seal", station, k).hex() for k in key_ids}
    return seal_keys, derive(secret, "bundle", station, key_ids[-1]).hex() if key_ids else ""


def town_keys(ctx: ServiceContext, station: str, key_ids: list[str]) -> dict[str, bytes]:
    """At the town: a station's seal keys, to check its chain in the town's copy."""
    secret = master(ctx)
    return {k: derive(secret, "seal", station, k) for k in key_ids}


def prepare_town(ctx: ServiceContext) -> None:
    """At the server's start: the town's own audit entries are sealed with a key derived from its master."""
    ctx.db.sealer = ("T0", derive(master(ctx), "seal", "TOWN", "T0"))


# ---------------------------------------------------------------- the town's recovery code


def _code_mac(key: bytes, station: str, day: str) -> str:
    import base64

    mac = hmac.new(key, f"stationdesk/restore/{station}/{day}".encode(), hashlib.sha256).digest()
    text = base64.b32encode(mac).decode().rstrip("=")[:12]
    return "-".join(text[i:i + 4] for i in range(0, 12, 4))


def recovery_code(ctx: ServiceContext, *, station: str, key_ids: list[str], until: str) -> str:
    """At the town: a code that lets a station whose accounts are lost restore a backup until ``until``
    (YYYYMMDD, that day included), read out over the phone; the station checks it without a network, with the
    key the town issued it (``20261208-K7QX-M2PA-9RTD``)."""
    if not key_ids:
        raise DomainError("seals.not_enrolled", station=station)
    key = derive(master(ctx), "seal", station, key_ids[-1])
    return f"{until}-{_code_mac(key, station, until)}"


def recovery_code_ok(keys: Mapping[str, bytes], *, station: str, code: str, today: str) -> bool:
    """At the station: the code was made by the town for this station with a key it issued (any of them), and
    has not run out (``today``: YYYYMMDD)."""
    parts = code.strip().upper().replace(" ", "").split("-")
    if len(parts) != 4 or not parts[0].isdigit() or len(parts[0]) != 8 or parts[0] < today:
        return False
    given = "-".join(parts[1:])
    return any(hmac.compare_digest(_code_mac(k, station, parts[0]), given)
               for key_id, k in keys.items() if key_id.startswith("T"))
