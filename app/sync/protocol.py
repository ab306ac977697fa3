"""The sync protocol, shared by the station and the town server: pydantic models of what travels, and its
version. The server publishes them in its OpenAPI description (``/openapi.json``).

A station pushes its outbox in batches (``PushBatch`` → ``PushAck``) and pulls the town's changes after its
cursor (``PullPage``). Every change carries its unique id: the server applies each exactly once."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field

from app.services.replication import Change, LogEntry

PROTOCOL_VERSION = 1
API = "/api/v1"


class _Strict(BaseModel):
    """Every field exactly of its type, as JSON gives it: a number sent as ``false`` or ``"7"`` is refused, not
    read as 0 or 7."""

    model_config = ConfigDict(strict=True)


class WireChange(_Strict):
    change_id: str = Field(min_length=1, max_length=36)
    table: str = Field(min_length=1, max_length=40)
    row_id: str = Field(min_length=1, max_length=40)
    op: Literal["upsert", "delete"]
    hlc: str = Field(min_length=1, max_length=40)
    row: dict[str, Any] | None
    seq: int = 0
    station_code: str = ""

    @staticmethod
    def fields_of(c: Change) -> dict[str, Any]:
        return {"change_id": c.change_id, "table": c.table, "row_id": c.row_id, "op": c.op, "hlc": c.hlc,
                "row": dict(c.row) if c.row is not None else None, "seq": c.seq, "station_code": c.station_code}

    @classmethod
    def of(cls, c: Change) -> WireChange:
        return cls(**cls.fields_of(c))

    def change(self) -> Change:
        return Change(change_id=self.change_id, table=self.table, row_id=self.row_id, op=self.op, hlc=self.hlc,
                      row=self.row, seq=self.seq, station_code=self.station_code)


def page_json(entries: Sequence[LogEntry], cursor: int, more: bool) -> bytes:
    """A ``PullPage`` written out from the town's log as it is: each row's JSON text goes in unparsed (the
    log holds exactly what was accepted), the rest by orjson — several times faster than building models."""
    parts = [orjson.dumps({"change_id": e.change_id, "table": e.table, "row_id": e.row_id, "op": e.op,
                           "hlc": e.hlc, "seq": e.seq, "station_code": e.station_code})[:-1]
             + b',"row":' + e.row_json.encode() + b"}" for e in entries]
    return (b'{"protocol":' + str(PROTOCOL_VERSION).encode() + b',"changes":[' + b",".join(parts)
            + b'],"cursor":' + str(int(cursor)).encode() + b',"more":' + (b"true" if more else b"false") + b"}")


def batch_json(batch_id: str, changes: Sequence[Change]) -> bytes:
    """A ``PushBatch`` of the station's own changes, written by orjson straight from them."""
    return orjson.dumps({"protocol": PROTOCOL_VERSION, "batch_id": batch_id, "changes": list(changes)})


class PushBatch(_Strict):
    protocol: int = PROTOCOL_VERSION
    batch_id: str = Field(max_length=64)
    changes: list[WireChange] = Field(max_length=5000)


class RefusedChange(_Strict):
    """A change the town would not take (app.domain.trust), and why, in words: acknowledged, never applied."""

    change_id: str
    table: str
    row_id: str
    code: str
    params: dict[str, str] = {}
    fields: list[str] = []
    zh: str = ""
    en: str = ""


class PushAck(_Strict):
    protocol: int = PROTOCOL_VERSION
    batch_id: str
    accepted: list[str]
    inserted: int
    updated: int
    kept: int
    conflicts: int
    head: int
    refused: list[RefusedChange] = []  # an older server sends none


class PullPage(_Strict):
    protocol: int = PROTOCOL_VERSION
    changes: list[WireChange]
    cursor: int
    more: bool


class EnrolRequest(_Strict):
    protocol: int = PROTOCOL_VERSION
    station_code: str = Field(min_length=1, max_length=20)
    enrol_code: str = Field(min_length=1, max_length=40)


class EnrolReply(_Strict):
    protocol: int = PROTOCOL_VERSION
    station_code: str
    credential: str
    # The keys the town derives for the station (app.services.seals); an older server sends none.
    key_id: str = ""
    seal_keys: dict[str, str] = {}
    bundle_key: str = ""


class AnchorReport(_Strict):
    """Where the station's chain and audit log stand, said at the end of a sync (``restored``: a new start after
    a restore from an older backup, not a cut)."""

    protocol: int = PROTOCOL_VERSION
    chain_seq: int = Field(ge=0, le=2**62)
    chain_hash: str = Field(max_length=64, pattern=r"^[0-9a-f]*$")
    audit_seq: int = Field(ge=0, le=2**62)
    audit_hash: str = Field(max_length=64, pattern=r"^[0-9a-f]*$")
    restored: bool = False


class AnchorView(_Strict):
    """What the town knows of it: the anchor the station last said, and its chain's end in the town's copy."""

    protocol: int = PROTOCOL_VERSION
    chain_seq: int
    chain_hash: str
    audit_seq: int
    audit_hash: str
    at: str
    town_chain_seq: int
    town_chain_hash: str


class RecoverReply(_Strict):
    """A restored station's high-water marks ([counter kind, period, highest number]); its own records wait for
    it in its next pull."""

    protocol: int = PROTOCOL_VERSION
    marks: list[list[str | int]]


class Health(_Strict):
    protocol: int = PROTOCOL_VERSION
    head: int


class Problem(BaseModel):
    """An error as the server says it: its code and the sentence in Chinese and English."""

    code: str
    zh: str
    en: str
