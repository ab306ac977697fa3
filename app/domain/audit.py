"""The audit log's hash chain: each entry seals the one before it, so edits and deletions show."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64


def canonical(payload: Mapping[str, Any]) -> str:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def seal(prev_hash: str, payload: Mapping[str, Any]) -> str:
    return hashlib.sha256((prev_hash + "\n" + canonical(payload)).encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class ChainBreak:
    seq: int
    reason: str  # "hash" (entry edited), "link" (entry missing or reordered), "gap" (sequence hole)


def verify_chain(entries: Iterable[tuple[int, str, str, Mapping[str, Any]]]) -> list[ChainBreak]:
    """Check (seq, prev_hash, hash, payload) rows in order; return every break found."""
    breaks: list[ChainBreak] = []
    expected_prev = GENESIS
    expected_seq: int | None = None
    for seq, prev_hash, hash_, payload in entries:
        if expected_seq is not None and seq != expected_seq:
            breaks.append(ChainBreak(seq, "gap"))
        if prev_hash != expected_prev:
            breaks.append(ChainBreak(seq, "link"))
        if seal(prev_hash, payload) != hash_:
            breaks.append(ChainBreak(seq, "hash"))
        expected_prev = hash_
        expected_seq = seq + 1
    return breaks
