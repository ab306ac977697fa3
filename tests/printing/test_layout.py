"""Layout from frozen data alone (no database): long lists grow a slip, break A4 pages with repeated headers."""

from __future__ import annotations

import re
from datetime import date

import pytest

from app.domain.documents import DocumentKind, Paper
from app.printing import fonts
from app.printing.render import render
from app.printing.thermal import wrap
from app.services.paper import (
    AcceptanceReceipt,
    DailyLedger,
    LedgerRow,
    Letterhead,
    MaterialRow,
    PersonLine,
    PointsAward,
    PrintJob,
    Redemption,
    RedemptionLine,
    Stamp,
)
from tests.printing.pdfcheck import fonts_of, page_sizes_mm, qr_codes, squeezed, text_of

HEAD = Letterhead("青溪村便民服务站", ("青溪镇人民政府",), "请妥善保管本单据。", "0571-64812345", "12345")


def _stamp(kind: DocumentKind) -> Stamp:
    return Stamp(kind, f"QX01-{kind.prefix}2026-000042", "2026-11-23T10:00:00", "李晓丽")


def _receipt(materials: int) -> AcceptanceReceipt:
    rows = tuple(MaterialRow(f"第{i}项材料" + "（含各类附件及说明）" * (i % 3), True, 1, "原件及复印件", True)
                 for i in range(1, materials + 1))
    return AcceptanceReceipt("QX01-20261123-0042", "S31", "惠民殡葬补贴/丧葬补助" * 3, "民政", "受理转报",
                             PersonLine("爱新觉罗启星", "130503********0016", "138****5678"), None, rows, "李晓丽",
                             "002", "2026-11-23T10:00:00", date(2026, 12, 21), 20, "0571-64812345")


@pytest.mark.parametrize("paper", [Paper.THERMAL_80, Paper.THERMAL_58])
def test_a_slip_grows_in_length_with_thirty_materials_and_keeps_every_one(paper: Paper) -> None:
    short = render(PrintJob(HEAD, _stamp(DocumentKind.RECEIPT), paper, _receipt(3)))
    long = render(PrintJob(HEAD, _stamp(DocumentKind.RECEIPT), paper, _receipt(30)))
    (w1, h1), = page_sizes_mm(short)
    (w2, h2), = page_sizes_mm(long)
    assert w1 == w2 == pytest.approx(float(paper.value.removesuffix("mm")), abs=0.1)
    assert h2 > h1 + 100
    text = squeezed(long)
    assert all(f"第{i}项材料" in text for i in range(1, 31))
    assert "已收材料（30项）" in text
    assert qr_codes(long) == ["QX01-20261123-0042"]


def test_an_a4_receipt_with_thirty_materials_breaks_pages_and_repeats_the_table_header() -> None:
    pdf = render(PrintJob(HEAD, _stamp(DocumentKind.RECEIPT), Paper.A4, _receipt(30)))
    pages = text_of(pdf).split("\f")
    pages = [p for p in pages if p.strip()]
    assert len(pages) >= 2
    for n, page in enumerate(pages, start=1):
        flat = re.sub(r"\s+", "", page)
        assert "材料名称" in flat  # the header row again on every page
        assert f"第{n}页共{len(pages)}页" in flat


def test_a_ledger_of_a_busy_day_runs_over_pages_with_headers_page_numbers_and_totals() -> None:
    rows = tuple(LedgerRow(f"QX01-20261123-{i:04d}", "09:30", "张三", "330127********1234", "青溪村",
                           "城乡居民基本养老保险参保登记", "已受理", "李晓丽", "2026-12-01", "")
                 for i in range(1, 121))
    ledger = DailyLedger(date(2026, 11, 23), rows, (("已受理", 120),), 12345)
    pdf = render(PrintJob(HEAD, _stamp(DocumentKind.LEDGER), Paper.A4, ledger))
    sizes = page_sizes_mm(pdf)
    assert len(sizes) >= 3 and all(s == (pytest.approx(297, abs=0.5), pytest.approx(210, abs=0.5)) for s in sizes)
    pages = [re.sub(r"\s+", "", p) for p in text_of(pdf).split("\f") if p.strip()]
    assert all("办件编号" in p and "证件号码" in p for p in pages)
    assert all(f"第{n}页共{len(pages)}页" in p for n, p in enumerate(pages, start=1))
    assert "共120件" in pages[-1] and "¥123.45" in pages[-1]
    lines = text_of(pdf).splitlines()  # -layout text: a case number and a time each stay on one line
    assert any("QX01-20261123-0001" in line and "09:30" in line for line in lines)


def test_points_slips_show_a_masked_name_the_points_and_the_balance() -> None:
    award = PointsAward("a1", "张*三", "青溪村", "3组", "尊老爱幼", "照顾邻居孤寡老人一年", 20, 135, "村两委会议",
                        date(2026, 11, 20), "李晓丽")
    redemption = Redemption("r1", "张*三", "青溪村", "3组", (RedemptionLine("洗衣液", 2, 48),
                                                             RedemptionLine("香皂", 3, 8)), 135, "李晓丽",
                            "2026-11-23T10:00:00")
    for paper in (Paper.THERMAL_80, Paper.A4):
        a = squeezed(render(PrintJob(HEAD, _stamp(DocumentKind.POINTS_AWARD), paper, award)))
        assert "积分奖励通知" in a and "+20" in a and "135" in a and "张*三" in a
        r = render(PrintJob(HEAD, _stamp(DocumentKind.REDEMPTION), paper, redemption))
        text = squeezed(r)
        assert "积分兑换单" in text and "洗衣液" in text
        # 2 × 48 + 3 × 8 = 120 points: 135 before, 15 after
        assert ("合计120分" in text and "兑换后积分：15" in text) if paper.thermal else "135/15" in text
        assert all(f["emb"] == "yes" for f in fonts_of(r))


def test_wrapping_breaks_between_hanzi_keeps_latin_words_whole_and_hangs_closing_punctuation() -> None:
    font = fonts.font_name()
    lines = wrap("申请人姓名：爱新觉罗启星，联系 address Qingxi Village Road 18。", font, 10, 80)
    assert "".join(lines).replace(" ", "") == "申请人姓名：爱新觉罗启星，联系addressQingxiVillageRoad18。"
    assert not any(line.startswith(("，", "。", "：")) for line in lines)
    assert all(word in " ".join(lines).split() for word in ("Qingxi", "Village"))


def test_the_bundled_font_is_registered_once_and_a_missing_windows_font_falls_back_to_it() -> None:
    name = fonts.font_name("wqy")
    count = fonts.registrations
    assert fonts.font_name("wqy") == name and fonts.registrations == count
    if fonts.font_file("simsun") is None:
        assert fonts.font_name("simsun") == name
    assert fonts.is_registered("wqy")
