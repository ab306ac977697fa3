"""Printed documents: a gap-free number per station and kind, reprints (补打) that keep it, voids that are kept.

The services never draw: ``issue_document`` takes the ``render`` function of ``app.printing`` and calls it
inside the transaction that takes the number, so a document that could not be drawn returns its number
(no gaps) and a number never exists without its paper.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from app.domain.cases import CaseAction, CaseState, require_reason
from app.domain.catalog import MaterialForm
from app.domain.documents import (
    DocumentKind,
    Paper,
    check_paper,
    format_document_no,
    looks_like_document_no,
    parse_document_no,
    parse_kind,
    scrub_numbers,
)
from app.domain.errors import Conflict, DomainError, NotFound
from app.domain.forms import FieldKind, format_money
from app.domain.identity import mask_id, mask_phone
from app.domain.money import PaymentMethod
from app.domain.staff import Actor, Permission
from app.persistence.uow import UnitOfWork
from app.services.cases import RETURN_MARK, CaseView, MaterialLine, iso_time, notice_for, own_case_view
from app.services.context import ServiceContext
from app.services.integrity import chain
from app.services.paper import (
    AcceptanceReceipt,
    ApplicationForm,
    Body,
    CorrectionNotice,
    DailyLedger,
    FormRow,
    LedgerRow,
    Letterhead,
    MaterialRow,
    PaymentLine,
    PaymentReceipt,
    PersonLine,
    PointsAward,
    PointsNoticeSheet,
    PointsPaper,
    PrintJob,
    Redemption,
    RejectionNotice,
    Stamp,
    content_from_json,
    content_to_json,
)
from app.services.payments import PaymentView, mask_account, payment_view
from app.services.print_settings import PrintTemplate, template_in
from app.services.recovery import numbers_safe

Render = Callable[[PrintJob], bytes]
_CASE_KINDS = (DocumentKind.RECEIPT, DocumentKind.NOTICE, DocumentKind.CORRECTION, DocumentKind.REJECTION,
               DocumentKind.PAYMENT, DocumentKind.FORM)


@dataclass(frozen=True, slots=True)
class IssuedDocument:
    """A document just issued or reprinted: its number and the PDF to preview, print or save."""

    number: str
    kind: DocumentKind
    paper: Paper
    pdf: bytes
    reprint: bool
    issued_at: str
    printer: str  # the station's printer for this paper ("" = none chosen)
    silent: bool  # print without asking (station setting; receipts only)
    voided: bool = False  # a voided document's copy: marked 作废 across the paper


@dataclass(frozen=True, slots=True)
class DocumentView:
    number: str
    kind: DocumentKind
    paper: Paper
    state: str  # issued | voided
    subject_id: str
    case_no: str
    issued_at: str
    issued_by: str
    reprints: int
    last_reprint_at: str | None
    printed_at: str | None
    void_reason: str
    voided_at: str | None


@dataclass(frozen=True, slots=True)
class _Subject:
    kind: DocumentKind
    subject_type: str
    subject_id: str
    case_id: str | None
    build: Callable[[], Body]


# ---------------------------------------------------------------- issuing


def issue_document(ctx: ServiceContext, *, actor: Actor, kind: DocumentKind | str, subject: str | PointsPaper,
                   render: Render, paper: Paper | str | None = None,
                   reprint: bool = False) -> IssuedDocument:
    """Issue a document for ``subject`` (a case number or id; a day ``2026-11-23`` for the ledger; the points
    system's own data for points slips; or a document number, which always means a reprint).

    A subject that already has a document of this kind is refused unless ``reprint``: the reprint keeps the
    number and is marked 补打 with its time. After a void the next issue takes a new number."""
    actor.require(Permission.CASE_HANDLE)
    kind = parse_kind(kind) if isinstance(kind, str) else kind
    with ctx.uow() as uow:
        found: _Subject | None
        if isinstance(subject, str) and looks_like_document_no(subject):
            row = _document_row(ctx, uow, subject.strip())
            if row["kind"] != kind.value:
                raise Conflict("document.kind_mismatch", number=row["number"], kind=DocumentKind(row["kind"]).label_zh)
            # A document that kept its content is printed again from it; an older one is drawn again.
            found = None if row["content_json"] else _subject(ctx, uow, actor, kind, _subject_ref(uow, row))
            existing: Mapping[str, Any] | None = row
            reprint = True
        else:
            found = _subject(ctx, uow, actor, kind, subject)
            existing = next((r for r in uow.repos.documents.for_subject(kind.value, found.subject_id)
                             if r["state"] == "issued"), None)
        template = template_in(ctx, uow)
        now = iso_time(ctx.now())
        if reprint:
            if existing is None:
                raise NotFound("document.nothing_to_reprint", kind=kind.label_zh)
            if existing["state"] != "issued":
                raise Conflict("document.voided", number=existing["number"])
            chosen = check_paper(kind, paper or existing["paper"])
            issued_by = uow.repos.staff.by_id(existing["issued_by"])
            stamp = Stamp(kind=kind, number=existing["number"], issued_at=existing["issued_at"],
                          issued_by=issued_by["display_name"] if issued_by else "", reprint_at=now)
            uow.change("documents", existing["id"], {"reprints": existing["reprints"] + 1, "last_reprint_at": now})
            action = "document.reprinted"
            subject_id = existing["subject_id"]
            if existing["content_json"]:  # the same words as the first time; the font is today's setting
                head, body = content_from_json(kind, existing["content_json"])
                head = replace(head, font=template.font)
            else:
                assert found is not None
                head, body = _letterhead(template), found.build()
        else:
            assert found is not None
            if existing is not None:
                raise Conflict("document.already_issued", number=existing["number"], kind=kind.label_zh)
            head, body = _letterhead(template), found.build()
            subject_id = found.subject_id
            chosen = check_paper(kind, paper or _default_paper(kind, template))
            station = ctx.station_code(uow)
            year = ctx.now().year
            numbers_safe(uow)  # a restored station takes no new number until the town has answered
            seq = uow.repos.sequences.next(station, f"doc.{kind.value}", f"{year}")
            number = format_document_no(station, kind, year, seq)
            doc_id = uow.add("documents", {
                "station_code": station, "kind": kind.value, "number": number, "subject_type": found.subject_type,
                "subject_id": found.subject_id, "case_id": found.case_id, "paper": chosen.value,
                "state": "issued", "issued_at": now, "issued_by": actor.staff_id,
                "content_json": content_to_json(kind, head, body)})
            chain(uow, station, "documents", doc_id, now)  # a receipt's words can no longer change unseen
            stamp = Stamp(kind=kind, number=number, issued_at=now, issued_by=actor.display_name)
            action = "document.issued"
        uow.audit(staff_id=actor.staff_id, action=action, target_type="document", target_id=stamp.number,
                  detail={"kind": kind.value, "paper": chosen.value, "subject": subject_id}, at=ctx.now())
        job = PrintJob(head=head, stamp=stamp, paper=chosen, body=body)
        pdf = render(job)  # inside the transaction: if drawing fails, the number is given back
        uow.commit()
    printer = template.receipt_printer if chosen.thermal else template.a4_printer
    return IssuedDocument(number=stamp.number, kind=kind, paper=chosen, pdf=pdf, reprint=stamp.reprint,
                          issued_at=stamp.issued_at, printer=printer,
                          silent=template.silent_receipts and kind is DocumentKind.RECEIPT)


def preview_job(ctx: ServiceContext, *, actor: Actor, kind: DocumentKind, subject: str | PointsPaper,
                paper: Paper | str | None = None) -> PrintJob:
    """The job a document would print, numbered ``样张`` (specimen): for a preview before anything is issued."""
    actor.require(Permission.CASE_HANDLE)
    with ctx.read() as uow:
        found = _subject(ctx, uow, actor, kind, subject, preview=True)
        template = template_in(ctx, uow)
        stamp = Stamp(kind=kind, number="样张", issued_at=iso_time(ctx.now()), issued_by=actor.display_name)
        return PrintJob(head=_letterhead(template), stamp=stamp,
                        paper=check_paper(kind, paper or _default_paper(kind, template)), body=found.build())


def _default_paper(kind: DocumentKind, template: PrintTemplate) -> Paper:
    if kind in (DocumentKind.RECEIPT, DocumentKind.PAYMENT, DocumentKind.POINTS_AWARD, DocumentKind.REDEMPTION):
        return Paper(template.receipt_paper)
    return check_paper(kind, None)


def _letterhead(t: PrintTemplate) -> Letterhead:
    return Letterhead(station_name=t.station_name, header_lines=t.header_lines, footer=t.footer, phone=t.phone,
                      supervision_phone=t.supervision_phone, font=t.font)


def _document_row(ctx: ServiceContext, uow: UnitOfWork, number: str) -> dict[str, Any]:
    parse_document_no(number)
    row = uow.repos.documents.by_number(number)
    if row is None or row["deleted"] or row["station_code"] != ctx.station_code(uow):
        raise NotFound("document.not_found", number=number)
    return dict(row)


def _subject_ref(uow: UnitOfWork, row: dict[str, Any]) -> str:
    """What to rebuild a document from when it is reprinted by its own number."""
    if row["subject_type"] == "points":
        raise DomainError("document.points_without_content", number=row["number"])
    if row["subject_type"] == "day":
        return str(row["subject_id"])
    return str(row["case_id"])


_POINTS_KINDS = (DocumentKind.POINTS_AWARD, DocumentKind.REDEMPTION, DocumentKind.POINTS_NOTICE,
                 DocumentKind.POINTS_STATEMENT)


def points_subject(data: PointsPaper) -> tuple[DocumentKind, str]:
    """The kind a piece of the points system's data prints as, and what it is the document of."""
    if isinstance(data, PointsAward):
        return DocumentKind.POINTS_AWARD, data.award_id
    if isinstance(data, Redemption):
        return DocumentKind.REDEMPTION, data.redemption_id
    if isinstance(data, PointsNoticeSheet):
        return DocumentKind.POINTS_NOTICE, data.notice_id
    return DocumentKind.POINTS_STATEMENT, f"{data.account_id}@{data.printed_at}"  # each printing is its own


def _subject(ctx: ServiceContext, uow: UnitOfWork, actor: Actor, kind: DocumentKind,
             subject: str | PointsPaper, *, preview: bool = False) -> _Subject:
    if not isinstance(subject, str):  # the points system's own data: it knows what it prints
        expected, ident = points_subject(subject)
        if kind is not expected:
            raise DomainError("document.bad_subject", kind=kind.label_zh)
        return _Subject(kind, "points", ident, None, lambda: subject)
    if kind in _POINTS_KINDS:
        raise DomainError("document.points_from_points_system", number=subject)
    if kind is DocumentKind.LEDGER:
        day = _parse_day(subject)
        return _Subject(kind, "day", day.isoformat(), None, lambda: _ledger(ctx, uow, day))
    if kind is DocumentKind.DAY_CLOSE:
        from app.services.closing import build_sheet, stored_sheet

        closed_day = _parse_day(subject)
        if preview and not uow.repos.money.is_closed(ctx.station_code(uow), closed_day):
            sheet = build_sheet(ctx, uow, closed_day)  # a specimen of a day not closed yet
        else:
            sheet = stored_sheet(ctx, uow, closed_day)  # a numbered report only for a closed day
        return _Subject(kind, "day", closed_day.isoformat(), None, lambda: sheet)
    view = own_case_view(ctx, uow, subject)
    if kind is DocumentKind.RECEIPT:
        if view.accepted_at is None or view.state is CaseState.NOT_ACCEPTED:
            raise Conflict("document.not_accepted", case_no=view.case_no, state=view.state.label_zh)
        return _Subject(kind, "case", view.id, view.id, lambda: _receipt(ctx, uow, view))
    if kind is DocumentKind.NOTICE:
        return _Subject(kind, "case", view.id, view.id, lambda: notice_for(ctx, uow, view, actor))
    if kind is DocumentKind.CORRECTION:
        returns = [e for e in view.events if e.action == CaseAction.RETURN.value]
        if not returns:
            raise Conflict("document.no_return", case_no=view.case_no)
        # One notice per request for more materials: the n-th return of the case is its own subject.
        return _Subject(kind, "event", f"{view.id}#{len(returns)}", view.id,
                        lambda: _correction(ctx, uow, view, returns[-1].note, returns[-1].at, returns[-1].staff_name))
    if kind is DocumentKind.REJECTION:
        if view.state is not CaseState.NOT_ACCEPTED:
            raise Conflict("document.not_rejected", case_no=view.case_no, state=view.state.label_zh)
        return _Subject(kind, "case", view.id, view.id, lambda: _rejection(ctx, view))
    if kind is DocumentKind.PAYMENT:
        payment = payment_view(uow, view)
        return _Subject(kind, "payment", payment.id, view.id, lambda: _payment(uow, view, payment.id))
    if kind is DocumentKind.FORM:
        item = ctx.catalog.item(view.item_code)
        if not item.application_form:
            raise Conflict("document.no_form", item=item.name)
        return _Subject(kind, "case", view.id, view.id, lambda: _form(ctx, view))
    raise DomainError("document.bad_kind", kind=kind.value, known="、".join(k.value for k in _CASE_KINDS))


def _parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError as e:
        raise DomainError("document.bad_day", day=text) from e


# ---------------------------------------------------------------- what each document says


def _person(view: CaseView) -> PersonLine:
    a = view.applicant
    where = a.address if a.village_name and a.address.startswith(a.village_name) else " ".join(
        x for x in (a.village_name, a.group, a.address) if x)
    return PersonLine(name=a.name, id_masked=a.id_masked, phone_masked=a.phone_masked, address=scrub_numbers(where))


def _materials(lines: tuple[MaterialLine, ...]) -> tuple[MaterialRow, ...]:
    return tuple(MaterialRow(name=m.name, required=m.required, copies=m.copies, form=_form_label(m.form),
                             received=m.received) for m in lines)


def _form_label(value: str) -> str:
    try:
        return MaterialForm(value).label_zh
    except ValueError:
        return value


def _staff_no(uow: UnitOfWork, name: str) -> str:
    return next((s["staff_no"] for s in uow.repos.staff.list() if s["display_name"] == name), "")


def _receipt(ctx: ServiceContext, uow: UnitOfWork, view: CaseView) -> AcceptanceReceipt:
    item = ctx.catalog.item(view.item_code)
    template = template_in(ctx, uow)
    proxy = None
    if view.proxy:
        proxy = PersonLine(name=view.proxy.name, id_masked=view.proxy.id_masked,
                           phone_masked=view.proxy.phone_masked, relation=view.proxy.relation)
    accepted = next((e for e in reversed(view.events) if e.action == CaseAction.ACCEPT.value), None)
    staff = accepted.staff_name if accepted else view.handler
    return AcceptanceReceipt(
        case_no=view.case_no, item_code=item.code, item_name=item.name, department=item.department,
        mode=item.mode.label_zh, applicant=_person(view), proxy=proxy,
        materials=tuple(m for m in _materials(view.materials) if m.received), staff_name=staff,
        staff_no=_staff_no(uow, staff), accepted_at=view.accepted_at or view.received_at, due_date=view.due_date,
        time_limit_days=item.time_limit_days, consultation_phone=item.phone or template.phone,
        due_unconfirmed=view.due_unconfirmed)


def _correction(ctx: ServiceContext, uow: UnitOfWork, view: CaseView, note: str, at: str,
                staff: str) -> CorrectionNotice:
    item = ctx.catalog.item(view.item_code)
    reason, _, named = note.rpartition(RETURN_MARK)
    # The names as return_case joined them; a name may hold its own brackets or 、 (本人银行卡（社保卡…）).
    listed = f"、{named.removesuffix('）')}、"
    missing = tuple(m for m in _materials(view.materials) if named and f"、{m.name}、" in listed) or tuple(
        m for m in _materials(view.materials) if m.required and not m.received)
    return CorrectionNotice(case_no=view.case_no, item_code=item.code, item_name=item.name, applicant=_person(view),
                            reason=scrub_numbers(view.reason or reason), missing=missing, staff_name=staff,
                            staff_no=_staff_no(uow, staff), returned_at=at,
                            consultation_phone=item.phone or template_in(ctx, uow).phone)


def _rejection(ctx: ServiceContext, view: CaseView) -> RejectionNotice:
    item = ctx.catalog.item(view.item_code)
    last = view.events[-1] if view.events else None
    return RejectionNotice(case_no=view.case_no, item_code=item.code, item_name=item.name,
                           department=item.department, applicant=_person(view), received_at=view.received_at,
                           reason=scrub_numbers(view.reason), staff_name=last.staff_name if last else view.handler,
                           staff_no="", decided_at=view.closed_at or (last.at if last else ""))


def _payment(uow: UnitOfWork, view: CaseView, payment_id: str) -> PaymentReceipt:
    p = payment_view(uow, view, payment_id)
    cashier = uow.repos.staff.by_id(p.cashier_id)
    return PaymentReceipt(
        case_no=view.case_no, item_code=view.item_code, item_name=view.item_name, payer=_person(view),
        payee=p.payee, reference=p.reference,  # built field by field, masked by kind (payments._reference)
        lines=tuple(PaymentLine(label, fen) for label, fen in p.lines), total_fen=p.total_fen,
        total_words=p.total_words, method=_method_text(p), cashier_name=cashier["display_name"] if cashier else "",
        cashier_no=cashier["staff_no"] if cashier else "", paid_at=p.paid_at)


def _method_text(p: PaymentView) -> str:
    """How it was paid, as the receipt says it: 现金（收 ¥100.00，找零 ¥12.50）, 微信（交易号 …）."""
    if p.method is PaymentMethod.CASH and p.tendered_fen is not None:
        return f"现金（实收 {format_money(p.tendered_fen)}，找零 {format_money(p.change_fen)}）"
    if p.txn_ref:
        return f"{p.method.label_zh}（交易号 {p.txn_ref}）"
    return p.method.label_zh


def _field_text(kind: FieldKind, value: object) -> str:
    if value is None or value == "":
        return ""
    if kind is FieldKind.MONEY and isinstance(value, int):
        return format_money(value)
    if kind is FieldKind.BOOLEAN:
        return "是" if value else "否"
    if kind is FieldKind.ID_NUMBER:
        return mask_id(str(value))
    if kind is FieldKind.PHONE:
        return mask_phone(str(value))
    if kind is FieldKind.BANK_ACCOUNT:
        return mask_account(str(value))
    if isinstance(value, date):
        return f"{value.year}年{value.month}月{value.day}日"
    return scrub_numbers(str(value))


def _form(ctx: ServiceContext, view: CaseView) -> ApplicationForm:
    item = ctx.catalog.item(view.item_code)
    values = {key: value for key, _label, value in view.form}
    a = view.applicant
    facts = (FormRow("性别", a.gender.label_zh if a.gender else ""),
             FormRow("出生日期", f"{a.birth_date.year}年{a.birth_date.month}月" if a.birth_date else ""),
             FormRow("证件类型", a.id_type.label_zh),
             FormRow("所属村组", " ".join(x for x in (a.village_name, a.group) if x)))
    proxy = None
    if view.proxy:
        proxy = PersonLine(name=view.proxy.name, id_masked=view.proxy.id_masked,
                           phone_masked=view.proxy.phone_masked, relation=view.proxy.relation)
    return ApplicationForm(
        case_no=view.case_no, item_code=item.code, item_name=item.name, department=item.department,
        applicant=_person(view), applicant_facts=facts, proxy=proxy,
        fields=tuple(FormRow(f.label, _field_text(f.kind, values.get(f.key))) for f in item.fields),
        materials=_materials(view.materials), received_at=view.received_at, staff_name=view.first_staff)


def _ledger(ctx: ServiceContext, uow: UnitOfWork, day: date) -> DailyLedger:
    station = ctx.station_code(uow)
    start, end = day.isoformat(), (day + timedelta(days=1)).isoformat()
    rows = sorted(uow.repos.cases.search(station_code=station, day_from=start, day_to=end, limit=100_000),
                  key=lambda r: (r["received_at"], r["case_no"]))
    villages = ctx.village_names(uow)
    staff = {s["id"]: s["display_name"] for s in uow.repos.staff.list()}
    residents = {r["applicant_id"]: uow.repos.residents.by_id(r["applicant_id"]) for r in rows}
    paid = uow.repos.payments.for_cases([r["id"] for r in rows])
    counts: dict[str, int] = {}
    out = []
    for r in rows:
        state = CaseState(r["state"])
        counts[state.label_zh] = counts.get(state.label_zh, 0) + 1
        person = residents.get(r["applicant_id"]) or {}
        pay = paid.get(r["id"])
        out.append(LedgerRow(case_no=r["case_no"], time=str(r["received_at"])[11:16], applicant=r["applicant_name"],
                             id_masked=mask_id(r["applicant_id_number"]),
                             village=villages.get(person.get("village_code", ""), ""), item=r["item_name"],
                             state=state.label_zh, handler=staff.get(r["handler_id"], ""),
                             due_date=r["due_date"].isoformat() if r["due_date"] else "",
                             fee=format_money(pay["total_fen"]) if pay else ""))
    order = [s.label_zh for s in CaseState]
    totals = tuple((label, counts[label]) for label in order if label in counts)
    return DailyLedger(day=day, rows=tuple(out), totals=totals,
                       fees_fen=uow.repos.payments.total_between(station, start, end))


# ---------------------------------------------------------------- the register of documents


def _document_view(row: dict[str, Any] | Any, case_no: str, staff: dict[str, str]) -> DocumentView:
    return DocumentView(number=row["number"], kind=DocumentKind(row["kind"]), paper=Paper(row["paper"]),
                        state=row["state"], subject_id=row["subject_id"], case_no=case_no,
                        issued_at=row["issued_at"], issued_by=staff.get(row["issued_by"], ""),
                        reprints=row["reprints"], last_reprint_at=row["last_reprint_at"],
                        printed_at=row["printed_at"], void_reason=row["void_reason"], voided_at=row["voided_at"])


def list_documents(ctx: ServiceContext, *, kinds: tuple[DocumentKind, ...] = (), day: date | None = None,
                   unprinted: bool = False, case: str | None = None, limit: int = 200) -> tuple[DocumentView, ...]:
    """This station's documents, newest first. ``unprinted`` is the reprint queue: issued, never printed."""
    with ctx.read() as uow:
        case_id = own_case_view(ctx, uow, case).id if case else None
        rows = uow.repos.documents.search(
            station_code=ctx.station_code(uow), kinds=[k.value for k in kinds],
            day_from=day.isoformat() if day else None,
            day_to=(day + timedelta(days=1)).isoformat() if day else None, unprinted=unprinted,
            case_id=case_id, limit=limit)
        staff = {s["id"]: s["display_name"] for s in uow.repos.staff.list()}
        numbers: dict[str, str] = {}
        for r in rows:
            if r["case_id"] and r["case_id"] not in numbers:
                found = uow.repos.cases.by_id(r["case_id"])
                numbers[r["case_id"]] = found["case_no"] if found else ""
        return tuple(_document_view(r, numbers.get(r["case_id"] or "", ""), staff) for r in rows)


def void_document(ctx: ServiceContext, *, actor: Actor, number: str, reason: str) -> DocumentView:
    """Void a document (作废): it keeps its number and its row, with who, when and why. A payment receipt
    is voided by the station head."""
    text = require_reason(reason)
    actor.require(Permission.CASE_HANDLE)
    with ctx.uow() as uow:
        row = _document_row(ctx, uow, number.strip())
        if row["kind"] == DocumentKind.PAYMENT.value:
            actor.require(Permission.STATION_ADMIN)
        if row["state"] != "issued":
            raise Conflict("document.voided", number=row["number"])
        now = iso_time(ctx.now())
        uow.change("documents", row["id"], {"state": "voided", "void_reason": text, "voided_at": now,
                                            "voided_by": actor.staff_id})
        chain(uow, row["station_code"], "documents.void", row["id"], now)  # made valid again, it shows
        uow.audit(staff_id=actor.staff_id, action="document.voided", target_type="document",
                  target_id=row["number"], detail={"reason": text}, at=ctx.now())
        row.update(state="voided", void_reason=text, voided_at=now)
        staff = {s["id"]: s["display_name"] for s in uow.repos.staff.list()}
        case = uow.repos.cases.by_id(row["case_id"]) if row["case_id"] else None
        uow.commit()
    return _document_view(row, case["case_no"] if case else "", staff)


def document_paper(ctx: ServiceContext, *, actor: Actor, number: str, render: Render,
                   preview: bool = False) -> IssuedDocument:
    """A document of the register on paper again, drawn from what it said when it was issued.

    Never printed (the reprint queue): the document itself, as first issued — no paper of it exists yet, so
    it is no copy. Printed before: a 补打 copy with this printing's time, counted and audited. Voided: the same,
    marked 作废 with when and why on every page (a copy for the file can never pass for a valid one).
    ``preview``: the paper as it would print now, with nothing recorded."""
    actor.require(Permission.CASE_HANDLE)
    with ctx.read() if preview else ctx.uow() as uow:
        row = _document_row(ctx, uow, number.strip())
        kind = DocumentKind(row["kind"])
        template = template_in(ctx, uow)
        head: Letterhead
        if row["content_json"]:  # the same words as the first time; the font is today's setting
            head, body = content_from_json(kind, row["content_json"])
            head = replace(head, font=template.font)
        else:
            head = _letterhead(template)
            body = _subject(ctx, uow, actor, kind, _subject_ref(uow, row)).build()
        voided = row["state"] != "issued"
        first = row["printed_at"] is None and not voided
        now = iso_time(ctx.now())
        issued_by = uow.repos.staff.by_id(row["issued_by"])
        stamp = Stamp(kind=kind, number=row["number"], issued_at=row["issued_at"],
                      issued_by=issued_by["display_name"] if issued_by else "", reprint_at=None if first else now,
                      voided_at=row["voided_at"] if voided else None, void_reason=row["void_reason"] or "")
        if not (preview or first):
            uow.change("documents", row["id"], {"reprints": row["reprints"] + 1, "last_reprint_at": now})
            uow.audit(staff_id=actor.staff_id, action="document.reprinted", target_type="document",
                      target_id=stamp.number, detail={"kind": kind.value, "paper": row["paper"],
                                                      "subject": row["subject_id"], "voided": voided}, at=ctx.now())
        paper = Paper(row["paper"])
        pdf = render(PrintJob(head=head, stamp=stamp, paper=paper, body=body))
        if not preview:
            uow.commit()
    return IssuedDocument(number=stamp.number, kind=kind, paper=paper, pdf=pdf, reprint=stamp.reprint,
                          issued_at=stamp.issued_at,
                          printer=template.receipt_printer if paper.thermal else template.a4_printer,
                          silent=False, voided=voided)


def mark_printed(ctx: ServiceContext, *, number: str) -> None:
    """The printer took the document: it leaves the reprint queue."""
    with ctx.uow() as uow:
        row = _document_row(ctx, uow, number.strip())
        uow.change("documents", row["id"], {"printed_at": iso_time(ctx.now())})
        uow.commit()
