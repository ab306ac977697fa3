"""Counter devices behind small interfaces, so real drivers plug in later and tests and the demo use
simulated ones. Reads run on their own thread (``TaskRunner``): a real card reader takes about a second."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from typing import Protocol

from app.domain.idcard import IdCard
from app.ui.i18n import N_


class CardReader(Protocol):
    """An ID card reader: ``read`` returns the card on the reader, or None when there is none."""

    name: str

    def read(self) -> IdCard | None: ...


class SimulatedCardReader:
    """Cards put on the reader in order (tests and the demo station)."""

    name = N_("模拟读卡器")

    def __init__(self, cards: Iterable[IdCard] = ()) -> None:
        self._cards: deque[IdCard] = deque(cards)

    def put(self, card: IdCard) -> None:
        self._cards.append(card)

    def read(self) -> IdCard | None:
        return self._cards.popleft() if self._cards else None


class NoCardReader:
    """No reader is set up: reading says so instead of failing."""

    name = N_("未连接读卡器")

    def read(self) -> IdCard | None:
        return None
