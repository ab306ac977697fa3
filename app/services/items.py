"""Choosing the item at the counter: type a code, part of the name, its pinyin initials or a keyword;
the station's most frequent items come first when nothing is typed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from app.domain.catalog import Catalog, ServiceItem
from app.persistence.search_keys import text_initials
from app.services.context import ServiceContext


@dataclass(frozen=True, slots=True)
class _Keys:
    code: str
    texts: tuple[str, ...]  # name, short name, keywords
    initials: tuple[str, ...]


_INDEX: list[tuple[Catalog, tuple[tuple[ServiceItem, _Keys], ...]]] = []  # the catalogue last indexed


def _keys(catalog: Catalog) -> tuple[tuple[ServiceItem, _Keys], ...]:
    # Kept for the catalogue object in use (compared by identity: hashing a whole catalogue per key press
    # would cost more than the search); a newly installed catalogue is a new object and is indexed anew.
    if _INDEX and _INDEX[0][0] is catalog:
        return _INDEX[0][1]
    out = []
    for item in catalog.items:
        texts = (item.name, item.short_name, *item.keywords)
        initials = tuple(dict.fromkeys(text_initials(_han(t)) for t in (item.name, item.short_name) if _han(t)))
        out.append((item, _Keys(item.code.lower(), texts, initials)))
    _INDEX[:] = [(catalog, tuple(out))]
    return _INDEX[0][1]


def _han(text: str) -> str:
    # Initials are read from the Chinese characters only: "社会保障卡申领/补换" -> sbzkslbh.
    return "".join(c for c in text if "\u3400" <= c <= "\u9fff")


def find_items(ctx: ServiceContext, *, query: str, limit: int = 20) -> tuple[ServiceItem, ...]:
    """Items matching what was typed, best first: the exact code, a code prefix, initials, then names.

    The catalogue is in memory once loaded: no database work per key press."""
    text = "".join(query.split()).lower()
    if not text:
        return ()
    ranked: list[tuple[int, int, ServiceItem]] = []
    for n, (item, keys) in enumerate(_keys(ctx.catalog)):
        if keys.code == text or (text.isdigit() and keys.code[1:].lstrip("0") == text.lstrip("0")):
            rank = 0  # "9" or "09" is S09 (the standard item before the town's N09)
        elif keys.code.startswith(text):
            rank = 1
        elif text.isascii() and any(i.startswith(text) for i in keys.initials):
            rank = 2
        elif any(t.startswith(query.strip()) for t in keys.texts):
            rank = 3
        elif any(text in t.lower() for t in keys.texts):
            rank = 4
        elif text.isascii() and len(text) >= 2 and any(text in i for i in keys.initials):
            rank = 5  # 社保卡密码 from "mm"
        else:
            continue
        ranked.append((rank, n, item))
    ranked.sort(key=lambda r: (r[0], r[1]))
    return tuple(item for _, _, item in ranked[:limit])


def frequent_items(ctx: ServiceContext, *, days: int = 90, limit: int = 9) -> tuple[ServiceItem, ...]:
    """This station's most handled items over the last ``days`` days (Alt+1 … Alt+9 at the counter)."""
    since = (ctx.now() - timedelta(days=days)).date().isoformat()
    with ctx.read() as uow:
        codes = uow.repos.cases.item_counts(ctx.station_code(uow), since, limit)
    catalog = ctx.catalog
    return tuple(item for code in codes if (item := catalog.get(code)) is not None and not item.retired)


MAX_QUICK = 9  # Alt+1 … Alt+9


def _favourites_key(staff_id: str) -> str:
    return f"favourites:{staff_id}"


def favourite_codes(ctx: ServiceContext, *, staff_id: str) -> tuple[str, ...]:
    """The items a staff member pinned (★), in the order pinned. Kept on this station's PC."""
    with ctx.read() as uow:
        value = uow.meta_get(_favourites_key(staff_id)) or ""
    return tuple(c for c in value.split(",") if c)


def toggle_favourite(ctx: ServiceContext, *, staff_id: str, item_code: str) -> bool:
    """Pin the item, or unpin it if pinned; returns whether it is pinned now."""
    code = ctx.catalog.item(item_code.strip().upper()).code  # an unknown code: the catalogue's message
    with ctx.uow() as uow:
        current = [c for c in (uow.meta_get(_favourites_key(staff_id)) or "").split(",") if c]
        pinned = code not in current
        current = [*current, code] if pinned else [c for c in current if c != code]
        uow.meta_set(_favourites_key(staff_id), ",".join(current[:MAX_QUICK]))
        uow.commit()
    return pinned


def quick_items(ctx: ServiceContext, *, staff_id: str) -> tuple[tuple[ServiceItem, bool], ...]:
    """What Alt+1 … Alt+9 choose: the staff member's pinned items (True), then the station's most frequent."""
    catalog = ctx.catalog
    pinned = [item for code in favourite_codes(ctx, staff_id=staff_id)
              if (item := catalog.get(code)) is not None and not item.retired]
    codes = {i.code for i in pinned}
    frequent = [i for i in frequent_items(ctx, limit=MAX_QUICK + len(pinned)) if i.code not in codes]
    out = [(i, True) for i in pinned] + [(i, False) for i in frequent]
    return tuple(out[:MAX_QUICK])
