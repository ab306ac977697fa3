"""The sync protocol, shared by the station and the town server: pydantic models of what travels, and its
version. The server publishes them in its OpenAPI description (``/openapi.json``).

A station pushes its outbox in batches (``PushBatch`` → ``PushAck``) and pulls the town's changes after its
cursor (``PullPage``). Every change carries its unique id: the server applies each exactly once."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from app.services.replication import Change

PROTOCOL_VERSION = 1
API = "/api/v1"


class WireChange(BaseModel):
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


class PushBatch(BaseModel):
    protocol: int = PROTOCOL_VERSION
    batch_id: str
    changes: list[WireChange] = Field(max_length=5000)


class PushAck(BaseModel):
    protocol: int = PROTOCOL_VERSION
    batch_id: str
    accepted: list[str]
    inserted: int
    updated: int
    kept: int
    conflicts: int
    head: int


class PullPage(BaseModel):
    protocol: int = PROTOCOL_VERSION
    changes: list[WireChange]
    cursor: int
    more: bool


class EnrolRequest(BaseModel):
    protocol: int = PROTOCOL_VERSION
    station_code: str
    enrol_code: str


class EnrolReply(BaseModel):
    protocol: int = PROTOCOL_VERSION
    station_code: str
    credential: str


class Health(BaseModel):
    protocol: int = PROTOCOL_VERSION
    head: int


class Problem(BaseModel):
    """An error as the server says it: its code and the sentence in Chinese and English."""

    code: str
    zh: str
    en: str
