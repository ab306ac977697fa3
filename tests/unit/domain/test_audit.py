"""The audit hash chain: an edited, removed or reordered entry is found."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.domain.audit import GENESIS, seal, verify_chain

Entry = tuple[int, str, str, Mapping[str, Any]]


def _chain(n: int) -> list[Entry]:
    entries: list[Entry] = []
    prev = GENESIS
    for seq in range(1, n + 1):
        payload = {"seq": seq, "action": f"case.accepted.{seq}", "detail": "{}", "at": f"2026-11-23T09:0{seq}:00"}
        h = seal(prev, payload)
        entries.append((seq, prev, h, payload))
        prev = h
    return entries


def _reasons(entries: list[Entry]) -> list[tuple[int, str]]:
    return [(b.seq, b.reason) for b in verify_chain(entries)]


def test_an_intact_chain_has_no_breaks() -> None:
    assert verify_chain(_chain(5)) == []
    assert verify_chain([]) == []


def test_the_first_entry_links_to_the_genesis_hash() -> None:
    entries = _chain(1)
    assert entries[0][1] == GENESIS
    seq, _prev, h, payload = entries[0]
    assert _reasons([(seq, "f" * 64, h, payload)]) == [(1, "link"), (1, "hash")]


def test_an_edited_entry_breaks_its_hash() -> None:
    entries = _chain(5)
    seq, prev, h, payload = entries[2]
    entries[2] = (seq, prev, h, {**payload, "detail": '{"item": "S99"}'})
    assert _reasons(entries) == [(3, "hash")]


def test_an_edited_entry_whose_hash_was_recomputed_breaks_the_next_link() -> None:
    entries = _chain(5)
    seq, prev, _h, payload = entries[2]
    forged = {**payload, "detail": '{"item": "S99"}'}
    entries[2] = (seq, prev, seal(prev, forged), forged)
    assert _reasons(entries) == [(4, "link")]


def test_a_removed_entry_shows_as_a_broken_link_and_a_gap() -> None:
    entries = _chain(5)
    del entries[2]
    assert _reasons(entries) == [(4, "gap"), (4, "link")]


def test_a_removed_last_entry_cannot_be_seen_from_the_chain_alone() -> None:
    # Truncation at the end leaves a valid chain; the count is what the check reports beside it.
    assert verify_chain(_chain(5)[:-1]) == []


def test_reordered_entries_break_links_and_sequence() -> None:
    entries = _chain(5)
    entries[1], entries[2] = entries[2], entries[1]
    found = _reasons(entries)
    assert (3, "gap") in found
    assert (3, "link") in found
    assert (2, "link") in found
    assert all(reason != "hash" for _, reason in found)
