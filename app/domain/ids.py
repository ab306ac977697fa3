"""Identifiers made offline: UUIDv7 record ids and a hybrid logical clock for ordering changes."""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass


def new_id(*, now_ms: int | None = None) -> str:
    """A UUIDv7 (RFC 9562) as text: time-ordered, globally unique without a network."""
    ms = int(time.time() * 1000) if now_ms is None else now_ms
    return _uuid7(ms, int.from_bytes(os.urandom(10), "big"))


_STABLE = uuid.UUID("5b1d3c1e-7a0e-4f5e-9c2a-6e0f3d8a4b71")  # StationDesk's namespace for uuid5


def stable_id(*parts: str) -> str:
    """The same id for the same parts at every station (uuid5): a record two stations may both make offline
    (a points account, its opening entry, an expiry of one lot) is made once, however often it is made."""
    return str(uuid.uuid5(_STABLE, "/".join(parts)))


def new_ids(count: int) -> list[str]:
    """``count`` UUIDv7s made at once (bulk imports): one clock reading, one read of the random source."""
    ms = int(time.time() * 1000)
    blob = os.urandom(10 * count)
    return [_uuid7(ms, int.from_bytes(blob[i:i + 10], "big")) for i in range(0, 10 * count, 10)]


def _uuid7(ms: int, rand: int) -> str:
    value = (ms & 0xFFFF_FFFF_FFFF) << 80
    value |= 0x7 << 76  # version
    value |= ((rand >> 64) & 0x0FFF) << 64  # rand_a: 12 bits
    value |= 0b10 << 62  # variant
    value |= rand & 0x3FFF_FFFF_FFFF_FFFF  # rand_b: 62 bits
    h = f"{value:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


@dataclass(frozen=True, order=True, slots=True)
class Hlc:
    """A hybrid logical clock reading: wall milliseconds, a counter, and the node that made it."""

    wall_ms: int
    counter: int
    node: str

    def encode(self) -> str:
        # Fixed width so that text order is time order (SQLite and PostgreSQL compare it as text).
        return f"{self.wall_ms:013d}.{self.counter:05d}.{self.node}"

    @classmethod
    def decode(cls, text: str) -> Hlc:
        wall, counter, node = text.split(".", 2)
        return cls(int(wall), int(counter), node)


class HybridClock:
    """Issues strictly increasing HLC readings for one node, even if the wall clock steps back.

    ``observe`` merges a reading seen from elsewhere (sync), so that causally later changes
    always carry larger stamps.
    """

    def __init__(self, node: str, *, last: Hlc | None = None,
                 wall: Callable[[], float] = time.time) -> None:
        self._node = node
        self._wall = wall
        self._last = last or Hlc(0, 0, node)
        self._lock = threading.Lock()

    @property
    def last(self) -> Hlc:
        return self._last

    def now(self) -> Hlc:
        with self._lock:
            wall = int(self._wall() * 1000)
            if wall > self._last.wall_ms:
                self._last = Hlc(wall, 0, self._node)
            else:
                self._last = Hlc(self._last.wall_ms, self._last.counter + 1, self._node)
            return self._last

    def observe(self, remote: Hlc) -> Hlc:
        with self._lock:
            wall = int(self._wall() * 1000)
            top = max(wall, self._last.wall_ms, remote.wall_ms)
            if top == self._last.wall_ms == remote.wall_ms:
                counter = max(self._last.counter, remote.counter) + 1
            elif top == self._last.wall_ms:
                counter = self._last.counter + 1
            elif top == remote.wall_ms:
                counter = remote.counter + 1
            else:
                counter = 0
            self._last = Hlc(top, counter, self._node)
            return self._last
