"""A receipt whose promised date runs into a year without holiday data says the date is provisional (预计),
read back from the PDF on 80 mm and A4; a reprint says the same."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from app.printing.documents import issue_receipt
from app.services.cases import accept_case
from app.services.residents import register_resident
from tests.conftest import StationFixture
from tests.helpers import make_id
from tests.printing.pdfcheck import squeezed


def test_a_receipt_due_in_a_year_without_holiday_data_says_the_date_is_provisional(station: StationFixture) -> None:
    person = register_resident(station.ctx, actor=station.head, name="张三", village="V01",
                               id_number=make_id(date(1980, 5, 6), True)).id
    item = station.ctx.catalog.item("S07")
    result = accept_case(station.ctx, actor=station.clerk, applicant_id=person, item_code="S07",
                         received_materials=[m.code for m in item.required_materials], form={"reason": "遗失"})
    assert result.case.due_date is not None
    due = result.case.due_date
    folder = os.environ.get("STATIONDESK_PAPER_OUT")
    for paper, reprint in (("80mm", False), ("a4", True)):
        done = issue_receipt(station.ctx, actor=station.clerk, case_id=result.case.id, paper=paper, reprint=reprint)
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            (Path(folder) / f"receipt-provisional-{paper}.pdf").write_bytes(done.pdf)
        text = squeezed(done.pdf)
        assert f"{due.year}年{due.month}月{due.day}日前（30个工作日）（预计，2027年节假日安排未载入）" in text, paper
