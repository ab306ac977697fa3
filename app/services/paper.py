"""What a printed document says, as frozen data: the services fill it, ``app.printing`` draws it.

Every number a person could be identified by is already masked here (ID as 110105********002X, phone as
138****5678, bank account as ****1234): nothing in these classes may hold a full ID or phone number.
The points classes are what the points system passes when it prints (it builds them itself).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import TYPE_CHECKING, Any

from app.domain.documents import DocumentKind, Paper
from app.services.cases import OneTimeNotice

if TYPE_CHECKING:
    from pydantic import TypeAdapter


@dataclass(frozen=True, slots=True)
class Letterhead:
    """The station's template (settings), as every document of the station shows it."""

    station_name: str
    header_lines: tuple[str, ...]
    footer: str
    phone: str
    supervision_phone: str
    font: str = "wqy"


@dataclass(frozen=True, slots=True)
class Stamp:
    """The document's own identity: its kind and number, who issued it when, and whether this is a reprint."""

    kind: DocumentKind
    number: str
    issued_at: str
    issued_by: str
    reprint_at: str | None = None  # set on a reprint (补打): the time of this printing
    voided_at: str | None = None  # set when the document was voided (作废): every copy of it says so
    void_reason: str = ""

    @property
    def reprint(self) -> bool:
        return self.reprint_at is not None

    @property
    def voided(self) -> bool:
        return self.voided_at is not None


@dataclass(frozen=True, slots=True)
class MaterialRow:
    name: str
    required: bool
    copies: int
    form: str  # 原件 / 复印件 …
    received: bool


@dataclass(frozen=True, slots=True)
class PersonLine:
    name: str
    id_masked: str
    phone_masked: str = ""
    relation: str = ""  # a proxy's relation to the applicant
    address: str = ""


@dataclass(frozen=True, slots=True)
class AcceptanceReceipt:
    """受理回执."""

    case_no: str
    item_code: str
    item_name: str
    department: str
    mode: str  # 即办 / 承诺件 / 受理转报 / 代办
    applicant: PersonLine
    proxy: PersonLine | None
    materials: tuple[MaterialRow, ...]
    staff_name: str
    staff_no: str
    accepted_at: str
    due_date: date | None
    time_limit_days: int
    consultation_phone: str
    due_unconfirmed: tuple[int, ...] = ()  # years without a holiday arrangement: the date is 预计


@dataclass(frozen=True, slots=True)
class CorrectionNotice:
    """补正材料通知书: what to bring, why, and by whom to ask."""

    case_no: str
    item_code: str
    item_name: str
    applicant: PersonLine
    reason: str
    missing: tuple[MaterialRow, ...]
    staff_name: str
    staff_no: str
    returned_at: str
    consultation_phone: str


@dataclass(frozen=True, slots=True)
class RejectionNotice:
    """不予受理告知书, always with the reason."""

    case_no: str
    item_code: str
    item_name: str
    department: str
    applicant: PersonLine
    received_at: str
    reason: str
    staff_name: str
    staff_no: str
    decided_at: str


@dataclass(frozen=True, slots=True)
class PaymentLine:
    label: str
    amount_fen: int


@dataclass(frozen=True, slots=True)
class PaymentReceipt:
    """收款收据: lines, the total in figures and in capitals (大写)."""

    case_no: str
    item_code: str
    item_name: str
    payer: PersonLine
    payee: str
    reference: str  # account number, decision number or masked mobile, as the item needs
    lines: tuple[PaymentLine, ...]
    total_fen: int
    total_words: str  # 大写, from app.domain.forms.money_in_words
    method: str
    cashier_name: str
    cashier_no: str
    paid_at: str


@dataclass(frozen=True, slots=True)
class PointsAward:
    """积分奖励通知, as the points system passes it: a name masked for public display, never an ID."""

    award_id: str
    name: str
    village: str
    group: str
    category: str  # 移风易俗、尊老爱幼 …
    reason: str
    points: int  # negative for a deduction
    balance: int  # after this award
    approved_by: str  # the review body (村两委会议 …)
    approved_on: date
    staff_name: str


@dataclass(frozen=True, slots=True)
class RedemptionLine:
    goods: str
    quantity: int
    unit_points: int

    @property
    def points(self) -> int:
        return self.quantity * self.unit_points


@dataclass(frozen=True, slots=True)
class Redemption:
    """积分兑换单."""

    redemption_id: str
    name: str
    village: str
    group: str
    lines: tuple[RedemptionLine, ...]
    balance_before: int
    staff_name: str
    redeemed_at: str

    @property
    def total_points(self) -> int:
        return sum(line.points for line in self.lines)

    @property
    def balance_after(self) -> int:
        return self.balance_before - self.total_points


@dataclass(frozen=True, slots=True)
class NoticeRow:
    name: str  # masked (张*三) unless the rules say otherwise; never an ID or phone number
    group: str
    category: str
    indicator: str
    points: int


@dataclass(frozen=True, slots=True)
class PointsNoticeSheet:
    """积分公示: who gets how many points for what, posted for objections before they are credited."""

    notice_id: str
    village: str
    posted_on: date
    ends_on: date
    review_body: str
    rows: tuple[NoticeRow, ...]


@dataclass(frozen=True, slots=True)
class StatementRow:
    at: str
    kind: str  # 加分 / 扣分 / 兑换 …
    points: int
    balance: int
    reason: str


@dataclass(frozen=True, slots=True)
class PointsStatementSheet:
    """积分对账单 of one household (or person): every entry with the running balance."""

    account_id: str
    holder: str
    village: str
    group: str
    kind: str  # 按户 / 按人
    balance: int
    spendable: int
    grade: str
    suspended_below: int | None  # the threshold, when the balance is under it
    pending: int
    expiring: tuple[tuple[date, int], ...]
    rows: tuple[StatementRow, ...]
    printed_at: str


@dataclass(frozen=True, slots=True)
class FormRow:
    label: str
    value: str


@dataclass(frozen=True, slots=True)
class ApplicationForm:
    """The item's application form (申请表) filled from the case, for the resident to sign."""

    case_no: str
    item_code: str
    item_name: str
    department: str
    applicant: PersonLine
    applicant_facts: tuple[FormRow, ...]  # 性别、出生日期、所属村组 …
    proxy: PersonLine | None
    fields: tuple[FormRow, ...]  # the item's own form, labels from its schema
    materials: tuple[MaterialRow, ...]
    received_at: str
    staff_name: str


@dataclass(frozen=True, slots=True)
class LedgerRow:
    case_no: str
    time: str
    applicant: str
    id_masked: str
    village: str
    item: str
    state: str
    handler: str
    due_date: str
    fee: str


@dataclass(frozen=True, slots=True)
class DailyLedger:
    """办件台账 of one day: every case received that day, and totals."""

    day: date
    rows: tuple[LedgerRow, ...]
    totals: tuple[tuple[str, int], ...]  # (状态, 件数) in a stable order
    fees_fen: int


@dataclass(frozen=True, slots=True)
class CloseCount:
    """One line of a count in the daily close: what, how many, how much (fen; 0 where no money)."""

    label: str
    count: int
    amount_fen: int = 0


@dataclass(frozen=True, slots=True)
class CloseDrawer:
    opened_by: str
    float_fen: int
    expected_fen: int
    counted_fen: int
    difference_fen: int
    closed_by: str
    approved_by: str
    note: str


@dataclass(frozen=True, slots=True)
class CloseVoid:
    """A void, refund or failure booked to the day: what it undid and on whose approval."""

    case_no: str
    receipt_no: str
    kind: str  # 作废, 退款, 代缴失败
    amount_fen: int
    reason: str
    approver: str
    late: bool


@dataclass(frozen=True, slots=True)
class DayCloseSheet:
    """日结报表: a station's day as it was when closed. Kept as it was printed: a reprint says the same."""

    day: date
    closed_at: str
    closed_by: str
    cases: tuple[CloseCount, ...]  # by item and state: "S08 社保卡补领 · 已办结"
    payments: tuple[CloseCount, ...]  # by item and method
    methods: tuple[CloseCount, ...]  # totals by method
    payments_total_fen: int
    drawers: tuple[CloseDrawer, ...]
    voids: tuple[CloseVoid, ...]
    late: tuple[CloseCount, ...]  # records made after an earlier day's close, booked here
    reprints: int
    points: tuple[CloseCount, ...]  # issued, deducted, redeemed (net of reversals), expired
    chain_seq: int  # the station's hash chain at the close: anchors it on paper
    chain_hash: str
    returned_fen: int = 0  # handed back this day (voids and refunds): payments less this is what was kept
    audit_seq: int = 0  # the audit log at the close (0: a close made before it was printed)
    audit_hash: str = ""

    @property
    def net_fen(self) -> int:
        return self.payments_total_fen - self.returned_fen


Body = (AcceptanceReceipt | OneTimeNotice | CorrectionNotice | RejectionNotice | PaymentReceipt | PointsAward
        | Redemption | ApplicationForm | DailyLedger | PointsNoticeSheet | PointsStatementSheet | DayCloseSheet)
PointsPaper = PointsAward | Redemption | PointsNoticeSheet | PointsStatementSheet  # what the points system passes


@dataclass(frozen=True, slots=True)
class PrintJob:
    """One document to draw: the station's letterhead, the number stamp, the paper and the content."""

    head: Letterhead
    stamp: Stamp
    paper: Paper
    body: Body


_BODY_TYPES: dict[DocumentKind, type[Any]] = {
    DocumentKind.RECEIPT: AcceptanceReceipt, DocumentKind.NOTICE: OneTimeNotice,
    DocumentKind.CORRECTION: CorrectionNotice, DocumentKind.REJECTION: RejectionNotice,
    DocumentKind.PAYMENT: PaymentReceipt, DocumentKind.POINTS_AWARD: PointsAward,
    DocumentKind.DAY_CLOSE: DayCloseSheet,
    DocumentKind.REDEMPTION: Redemption, DocumentKind.FORM: ApplicationForm, DocumentKind.LEDGER: DailyLedger,
    DocumentKind.POINTS_NOTICE: PointsNoticeSheet, DocumentKind.POINTS_STATEMENT: PointsStatementSheet,
}


@cache
def _adapter(kind: DocumentKind) -> TypeAdapter[tuple[Letterhead, Any]]:
    from pydantic import TypeAdapter  # only when a document is issued: not on the way to the first window

    shape: Any = tuple[Letterhead, _BODY_TYPES[kind]]  # type: ignore[valid-type]  # the kind's body, at run time
    return TypeAdapter(shape)


def close_to_json(sheet: DayCloseSheet) -> str:
    """A daily close as stored with it (day_closes.report_json), the same JSON as its document's body."""
    from pydantic import TypeAdapter

    return TypeAdapter(DayCloseSheet).dump_json(sheet).decode()


def close_from_json(text: str) -> DayCloseSheet:
    from pydantic import TypeAdapter

    return TypeAdapter(DayCloseSheet).validate_json(text)


def content_to_json(kind: DocumentKind, head: Letterhead, body: Body) -> str:
    """What a document says (letterhead and body), kept with its number so that a reprint says the same."""
    if not isinstance(body, _BODY_TYPES[kind]):
        raise TypeError(f"{kind.value} cannot hold {type(body).__name__}")
    return _adapter(kind).dump_json((head, body)).decode()


def content_from_json(kind: DocumentKind, text: str) -> tuple[Letterhead, Body]:
    head, body = _adapter(kind).validate_json(text)
    return head, body
