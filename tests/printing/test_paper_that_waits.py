"""Paper that waits, read back from the PDF: a queued document prints as itself, a printed one as 补打, a voided
one is marked 作废 on its preview and any copy (slip and A4), and each printer's test page says what it is."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from app.domain.documents import DocumentKind
from app.domain.errors import DomainError
from app.printing.documents import document_paper, issue, issue_receipt
from app.printing.printer_check import render_printer_check
from app.services.cases import record_consultation
from app.services.documents import list_documents, mark_printed, void_document
from app.services.print_settings import printer_check, set_print_setting
from app.services.residents import register_resident
from tests.conftest import StationFixture
from tests.helpers import make_id
from tests.printing.pdfcheck import fonts_of, page_sizes_mm, qr_codes, squeezed
from tests.printing.test_printed_documents import _accept

OUT = os.environ.get("STATIONDESK_PAPER_OUT")  # a folder: the PDFs are kept there to look at


def _keep(name: str, pdf: bytes) -> None:
    if OUT:
        Path(OUT).mkdir(parents=True, exist_ok=True)
        (Path(OUT) / f"{name}.pdf").write_bytes(pdf)


@pytest.fixture
def person(station: StationFixture) -> str:
    return register_resident(station.ctx, actor=station.head, name="张三丰", id_number=make_id(date(1956, 3, 14),
                             male=True, seq=7), village="V02", phone="13812345678", group="3组").id


def test_a_queued_receipt_prints_as_itself_and_once_printed_again_as_a_counted_buda_copy(
        station: StationFixture, person: str) -> None:
    case = _accept(station, person, "S08").case
    first = issue_receipt(station.ctx, actor=station.clerk, case_id=case.id)
    queued = document_paper(station.ctx, actor=station.clerk, number=first.number)
    assert not queued.reprint and "补打" not in squeezed(queued.pdf)  # nothing was on paper yet: no copy
    assert list_documents(station.ctx, case=case.case_no)[0].reprints == 0
    mark_printed(station.ctx, number=first.number)
    station.clock.advance(minutes=30)
    copy = document_paper(station.ctx, actor=station.clerk, number=first.number)
    text = squeezed(copy.pdf)
    assert copy.reprint and copy.number == first.number
    assert "【补打COPY】" in text and first.number in text and case.case_no in text
    [doc] = list_documents(station.ctx, case=case.case_no)
    assert doc.reprints == 1 and doc.last_reprint_at is not None
    _keep("receipt-80mm-buda", copy.pdf)


def test_a_preview_records_nothing_and_shows_what_the_print_would_say(station: StationFixture, person: str) -> None:
    case = _accept(station, person, "S08").case
    first = issue_receipt(station.ctx, actor=station.clerk, case_id=case.id)
    mark_printed(station.ctx, number=first.number)
    seen = document_paper(station.ctx, actor=station.clerk, number=first.number, preview=True)
    assert seen.reprint and "补打" in squeezed(seen.pdf)
    [doc] = list_documents(station.ctx, case=case.case_no)
    assert doc.reprints == 0


def test_a_voided_receipt_is_marked_void_on_its_preview_and_any_copy(station: StationFixture, person: str) -> None:
    case = _accept(station, person, "S08").case
    first = issue_receipt(station.ctx, actor=station.clerk, case_id=case.id)
    mark_printed(station.ctx, number=first.number)
    void_document(station.ctx, actor=station.clerk, number=first.number, reason="打印机卡纸")
    seen = document_paper(station.ctx, actor=station.clerk, number=first.number, preview=True)
    assert seen.voided
    _keep("receipt-80mm-void", seen.pdf)
    text = squeezed(seen.pdf)
    assert "作废VOID" in text and "打印机卡纸" in text and first.number in text
    copy = document_paper(station.ctx, actor=station.clerk, number=first.number)
    assert copy.voided and copy.reprint and "作废" in squeezed(copy.pdf) and "补打" in squeezed(copy.pdf)
    _keep("receipt-80mm-void", copy.pdf)


def test_a_voided_a4_notice_says_void_on_every_page(station: StationFixture, person: str) -> None:
    case = record_consultation(station.ctx, actor=station.clerk, applicant_id=person, item_code="S27")
    notice = issue(station.ctx, actor=station.clerk, kind=DocumentKind.NOTICE, subject=case.case.id)
    void_document(station.ctx, actor=station.clerk, number=notice.number, reason="事项选错了")
    seen = document_paper(station.ctx, actor=station.clerk, number=notice.number, preview=True)
    _keep("notice-a4-void", seen.pdf)
    text = squeezed(seen.pdf)
    pages = len(page_sizes_mm(seen.pdf))
    assert text.count("【作废VOID】") == pages  # at the head of each page (and across it, as a drawing)
    assert "事项选错了" in text
    assert all(f["emb"] == "yes" for f in fonts_of(seen.pdf))
    _keep("notice-a4-void", seen.pdf)


def test_the_receipt_printers_test_page_fits_the_paper_and_says_station_printer_time_and_a_qr(
        station: StationFixture) -> None:
    for paper, per_line in (("80mm", 24), ("58mm", 16)):
        set_print_setting(station.ctx, actor=station.head, key="receipt_paper", value=paper)
        check = printer_check(station.ctx, actor=station.clerk, which="receipt", printer="XP-80C")
        pdf = render_printer_check(check)
        [(width, _)] = page_sizes_mm(pdf)
        assert abs(width - int(paper[:2])) < 0.5
        text = squeezed(pdf)
        for expected in ("青溪村便民服务站", "打印测试页", "XP-80C", "2026-", f"每行{per_line}个汉字", "中文测试",
                         "李晓丽"):
            assert expected in text, expected
        assert ("１２３４５６７８９０" * 3)[:per_line] in text  # the ruler of 汉字 a line, on one line
        [code] = qr_codes(pdf)
        assert code.startswith("StationDesk 打印测试 青溪村便民服务站")
        _keep(f"check-{paper}", pdf)


def test_the_a4_printers_test_page_has_a_frame_a_ruler_and_a_qr(station: StationFixture) -> None:
    check = printer_check(station.ctx, actor=station.clerk, which="a4")
    pdf = render_printer_check(check)
    [(width, height)] = page_sizes_mm(pdf)
    assert (round(width), round(height)) == (210, 297)
    text = squeezed(pdf)
    for expected in ("A4打印测试页", "本机默认打印机", "100毫米", "青溪村便民服务站", "李晓丽"):
        assert expected in text, expected
    assert len(qr_codes(pdf)) == 1
    _keep("check-a4", pdf)


def test_only_the_two_printer_settings_have_a_test_page(station: StationFixture) -> None:
    with pytest.raises(DomainError) as raised:
        printer_check(station.ctx, actor=station.clerk, which="label")
    assert raised.value.code == "print.bad_choice"
