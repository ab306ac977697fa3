"""The audit log's hash chain: each entry seals the one before it, so edits and deletions show.

A seal is keyed (HMAC-SHA256 under a key the station keeps apart from its database: app.services.seals), so
someone who edits the database and seals the entries again with the published algorithm is found out too. An
earlier release's entries are plain SHA-256 (``key_id`` ""); once a station seals with a key, an unkeyed entry
after that point is itself a break.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64


def canonical(payload: Mapping[str, Any]) -> str:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def seal(prev_hash: str, payload: Mapping[str, Any], key: bytes | None = None) -> str:
    text = (prev_hash + "\n" + canonical(payload)).encode("utf-8")
    if key is None:
        return hashlib.sha256(text).hexdigest()
    return hmac.new(key, text, hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class ChainBreak:
    seq: int
    # "hash" (entry edited), "link" (entry missing or reordered), "gap" (sequence hole), "key_missing" (sealed
    # with a key this PC does not hold: cannot be checked here), "unkeyed" (a plain seal where a keyed one belongs)
    reason: str


def verify_chain(entries: Iterable[tuple[int, str, str, Mapping[str, Any]] | tuple[int, str, str, Mapping[str, Any],
                                                                                  str]],
                 keys: Mapping[str, bytes] | None = None, *, keyed_after: int | None = None) -> list[ChainBreak]:
    """Check (seq, prev_hash, hash, payload[, key_id]) rows in order; return every break found. ``keys``: the
    keys by id; ``keyed_after``: entries after this number must be keyed (None: no rule)."""
    breaks: list[ChainBreak] = []
    expected_prev = GENESIS
    expected_seq: int | None = None
    for entry in entries:
        seq, prev_hash, hash_, payload = entry[:4]
        key_id = str(entry[4]) if len(entry) > 4 else ""
        if expected_seq is not None and seq != expected_seq:
            breaks.append(ChainBreak(seq, "gap"))
        if prev_hash != expected_prev:
            breaks.append(ChainBreak(seq, "link"))
        if key_id:
            key = (keys or {}).get(key_id)
            if key is None:
                breaks.append(ChainBreak(seq, "key_missing"))
            elif not hmac.compare_digest(seal(prev_hash, payload, key), hash_):
                breaks.append(ChainBreak(seq, "hash"))
        elif keyed_after is not None and seq > keyed_after:
            breaks.append(ChainBreak(seq, "unkeyed"))
        elif seal(prev_hash, payload) != hash_:
            breaks.append(ChainBreak(seq, "hash"))
        expected_prev = hash_
        expected_seq = seq + 1
    return breaks
