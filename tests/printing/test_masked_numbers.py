"""An ID number shows its first 6 and last 4 only, everywhere it leaves the database: the views the screens
show, the receipt and the form read back from the PDF, free text on paper and the logs; 18 and 15 digits alike,
and a residence permit of a Hong Kong, Macao or Taiwan resident, which shows as that document."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from app.domain.documents import DocumentKind
from app.domain.identity import IdType, id_check_char
from app.printing.documents import issue, issue_receipt
from app.services.cases import ProxyInput, accept_case, get_case, list_cases
from app.services.demo import _demo_value
from app.services.residents import find_residents, get_resident, register_resident
from app.services.support import mask_personal
from tests.conftest import StationFixture
from tests.helpers import make_id, make_legacy_id
from tests.printing.pdfcheck import assert_no_full_numbers, squeezed

ID = make_id(date(1956, 3, 14), male=True, seq=7)
PROXY_ID = make_id(date(1990, 8, 1), male=False, seq=3)
_PERMIT_BODY = "81000019880606002"
PERMIT = _PERMIT_BODY + id_check_char(_PERMIT_BODY)
SHAPE_18 = re.compile(r"^\d{6}\*{8}\d{3}[0-9X]$")


def _first6_last4(number: str) -> str:
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def _accept(station: StationFixture, resident: str, item_code: str = "S22", **kw: Any) -> str:
    item = station.ctx.catalog.item(item_code)  # 高龄津贴申领: it has an application form
    form = {f.key: _demo_value(f.kind.value, f.choices) for f in item.fields if f.required}
    case = accept_case(station.ctx, actor=station.clerk, applicant_id=resident, item_code=item_code,
                       received_materials=[m.code for m in item.materials], form=form, **kw)
    return case.case.id


def test_the_views_the_screens_show_mask_the_number_to_its_first_6_and_last_4(station: StationFixture) -> None:
    person = register_resident(station.ctx, actor=station.head, name="张三丰", id_number=ID, village="V02")
    assert person.id_masked == _first6_last4(ID) and SHAPE_18.match(person.id_masked)
    found = find_residents(station.ctx, query=ID[-4:]).residents
    assert [r.id_masked for r in found if r.id == person.id] == [_first6_last4(ID)]
    assert get_resident(station.ctx, resident_id=person.id).resident.id_masked == _first6_last4(ID)
    case_id = _accept(station, person.id, proxy=ProxyInput(name="李四", id_number=PROXY_ID, relation="儿子"))
    view = get_case(station.ctx, case_id=case_id)
    assert view.applicant.id_masked == _first6_last4(ID)
    assert view.proxy is not None and view.proxy.id_masked == _first6_last4(PROXY_ID)
    assert [c.applicant_id_masked for c in list_cases(station.ctx)] == [_first6_last4(ID)]


def test_a_legacy_15_digit_number_is_kept_as_18_and_shown_as_first_6_and_last_4(station: StationFixture) -> None:
    legacy = make_legacy_id(date(1948, 2, 29), male=True, seq=21)
    person = register_resident(station.ctx, actor=station.head, name="爱新觉罗启星", id_number=legacy, village="V03")
    assert len(person.id_masked) == 18 and person.id_masked.startswith(legacy[:6]) and "*" * 8 in person.id_masked
    assert legacy[6:12] not in person.id_masked[6:]


def test_the_receipt_and_the_form_print_first_6_and_last_4_and_the_permit_by_its_name(
        station: StationFixture) -> None:
    person = register_resident(station.ctx, actor=station.head, name="陈家明", id_number=PERMIT, village="V02")
    assert person.id_type is IdType.HMT_RESIDENCE_PERMIT
    assert person.id_masked == "810000********" + PERMIT[-4:]
    case_id = _accept(station, person.id, proxy=ProxyInput(name="李四", id_number=PROXY_ID, relation="朋友"))
    receipt = issue_receipt(station.ctx, actor=station.clerk, case_id=case_id)
    text = squeezed(receipt.pdf)
    assert "810000********" + PERMIT[-4:] in text and _first6_last4(PROXY_ID) in text
    assert_no_full_numbers(receipt.pdf, PERMIT, PROXY_ID, PERMIT[6:14], PROXY_ID[6:14])
    form = issue(station.ctx, actor=station.clerk, kind=DocumentKind.FORM, subject=case_id)
    text = squeezed(form.pdf)
    assert "港澳台居民居住证" in text and "810000********" + PERMIT[-4:] in text
    assert_no_full_numbers(form.pdf, PERMIT, PERMIT[6:14])


def test_a_number_typed_into_free_text_reaches_the_paper_masked_in_both_lengths(station: StationFixture) -> None:
    legacy = make_legacy_id(date(1958, 9, 30), male=False, seq=12)
    person = register_resident(station.ctx, actor=station.head, name="王五", id_number=ID, village="V02",
                               address=f"石门村3组 旧证{legacy} 新证{PROXY_ID}")
    form = issue(station.ctx, actor=station.clerk, kind=DocumentKind.FORM, subject=_accept(station, person.id))
    text = squeezed(form.pdf)
    assert legacy not in text and PROXY_ID not in text
    assert _first6_last4(legacy) in text and _first6_last4(PROXY_ID) in text


def test_a_log_line_masks_both_lengths_as_the_screens_do() -> None:
    legacy = make_legacy_id(date(1958, 9, 30), male=False, seq=12)
    line = mask_personal(f"sync failed for {ID} and {legacy}\n")
    assert line == f"sync failed for {_first6_last4(ID)} and {_first6_last4(legacy)}\n"
