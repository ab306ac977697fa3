"""The sync's merge rules as plain functions: which version of a record wins where two nodes changed it.

- **Last writer wins** (most records): the version with the later ``updated_hlc`` wins whole; a reading of
  the hybrid clock names its node, so two nodes never tie.
- **Field by field** (the town's shared records: residents, households, staff): each field — or group of
  fields that change together — comes from the version that changed it last (``field_hlc`` says which
  version of each field a row holds; a field not named is as old as the row).

The same result whichever side merges, in any order. Persistence applies these; the town's trust rules
(:mod:`app.domain.trust`) judge what a station tried to change with them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

# Records merged field by field (the town's shared records, changed at any station); the others row by row.
FIELD_MERGED: frozenset[str] = frozenset({"residents", "households", "staff"})

# The columns every synced record has, which say which version a row is rather than what it holds.
SYNC_COLUMNS: frozenset[str] = frozenset({"id", "origin", "created_hlc", "updated_hlc", "deleted", "field_hlc"})

# Fields that change together (a value and what is derived from it): merged as one.
GROUPS: dict[str, tuple[tuple[str, ...], ...]] = {
    "residents": (("name", "name_initials"), ("phone", "phone_rev"),
                  ("id_type", "id_number", "id_rev", "birth_date", "gender")),
}

Lost = tuple[str, Any, Any]  # (field, losing value, winning value)


def node_of(stamp: str) -> str:
    """The node a hybrid-clock reading names (``0001764…​.00003.<node>``), "" when it names none."""
    return stamp.split(".", 2)[-1] if stamp.count(".") >= 2 else ""


def field_groups(table_name: str, columns: Sequence[str]) -> list[tuple[str, ...]]:
    """The groups a record's fields merge in: the table's own groups, then every other field on its own."""
    grouped = [g for g in GROUPS.get(table_name, ()) if all(c in columns for c in g)]
    inside = {c for g in grouped for c in g}
    return grouped + [(c,) for c in columns if c not in inside and c not in SYNC_COLUMNS]


def field_stamps(row: Mapping[str, Any]) -> dict[str, str]:
    """A row's ``field_hlc`` as a dict (a malformed one counts as no stamps at all)."""
    try:
        found = json.loads(row.get("field_hlc") or "{}")
    except (TypeError, ValueError):
        return {}
    return {str(k): str(v) for k, v in found.items()} if isinstance(found, dict) else {}


def merge_fields(table_name: str, ours: Mapping[str, Any], theirs: Mapping[str, Any]
                 ) -> tuple[dict[str, Any], list[Lost]]:
    """Two versions of a shared record merged field by field: each field (or group of fields that go
    together) from the version that changed it last. The same result whichever side merges, in any order.
    Returns the merged row and the values that lost where both sides had changed a field (field, losing
    value, winning value), for the town administrator to look at."""
    our_stamps = field_stamps(ours)
    their_stamps = field_stamps(theirs)
    merged = dict(ours)
    stamps: dict[str, str] = {}
    lost: list[Lost] = []
    for group in field_groups(table_name, [c for c in ours if c in theirs]):
        lead = next((c for c in group if c in ("name", "phone", "id_number")), group[0])  # what a person reads
        ours_at = max(str(our_stamps.get(c, "")) for c in group) or str(ours["created_hlc"])
        theirs_at = max(str(their_stamps.get(c, "")) for c in group) or str(theirs["created_hlc"])
        winner, loser = (theirs, ours) if theirs_at > ours_at else (ours, theirs)
        for c in group:
            merged[c] = winner[c]
        stamp = max(ours_at, theirs_at)
        if any(str(our_stamps.get(c, "")) or str(their_stamps.get(c, "")) for c in group):
            for c in group:
                stamps[c] = stamp
        # A clash: both sides changed it, at different stations (one station's later edit of its own earlier
        # one is not a clash). Without a common version to compare with, a station's edit made after it had
        # seen the other one is reported too: the town looks and closes it.
        loser_at = theirs_at if winner is ours else ours_at
        loser_changed = any((their_stamps if winner is ours else our_stamps).get(c) for c in group)
        if loser_changed and winner[lead] != loser[lead] and node_of(loser_at) != node_of(stamp):
            lost.append((lead, loser[lead], winner[lead]))
    merged["field_hlc"] = json.dumps({k: v for k, v in stamps.items() if v}, sort_keys=True, separators=(",", ":"))
    merged["updated_hlc"] = max(str(ours["updated_hlc"]), str(theirs["updated_hlc"]))
    merged["deleted"] = bool(ours.get("deleted")) or bool(theirs.get("deleted"))
    return merged, lost


def last_writer(ours: Mapping[str, Any], theirs: Mapping[str, Any]) -> Mapping[str, Any]:
    """Row by row: the version with the later ``updated_hlc`` (ours when they are the same version)."""
    return theirs if str(theirs.get("updated_hlc", "")) > str(ours.get("updated_hlc", "")) else ours


def merged_result(table_name: str, ours: Mapping[str, Any], theirs: Mapping[str, Any]) -> Mapping[str, Any]:
    """What a node holding ``ours`` keeps after ``theirs`` arrives, by the record's merge rule (published
    files — the catalogue, the calendar — are ordered by version instead, by their caller)."""
    if table_name in FIELD_MERGED:
        if str(theirs.get("updated_hlc", "")) == str(ours.get("updated_hlc", "")):
            return ours
        return merge_fields(table_name, ours, {**ours, **theirs})[0]
    return last_writer(ours, theirs)
