"""``render(job) -> PDF bytes``: one entry for every document, chosen by the job's content."""

from __future__ import annotations

from app.printing.closing import render_day_close
from app.printing.fonts import font_name
from app.printing.forms import render_form, render_ledger
from app.printing.money import render_payment, render_points_award, render_redemption
from app.printing.notices import render_correction, render_notice, render_rejection
from app.printing.points import render_points_notice, render_points_statement
from app.printing.receipt import render_receipt
from app.services.cases import OneTimeNotice
from app.services.paper import (
    AcceptanceReceipt,
    ApplicationForm,
    CorrectionNotice,
    DailyLedger,
    DayCloseSheet,
    PaymentReceipt,
    PointsAward,
    PointsNoticeSheet,
    PointsStatementSheet,
    PrintJob,
    Redemption,
    RejectionNotice,
)


def render(job: PrintJob) -> bytes:
    """The document as a PDF, fonts embedded as subsets. Pure: no database, no Qt, no files written."""
    font = font_name(job.head.font)
    body, head, stamp, paper = job.body, job.head, job.stamp, job.paper
    if isinstance(body, AcceptanceReceipt):
        return render_receipt(body, head, stamp, font, paper)
    if isinstance(body, OneTimeNotice):
        return render_notice(body, head, stamp, font, paper)
    if isinstance(body, CorrectionNotice):
        return render_correction(body, head, stamp, font)
    if isinstance(body, RejectionNotice):
        return render_rejection(body, head, stamp, font)
    if isinstance(body, PaymentReceipt):
        return render_payment(body, head, stamp, font, paper)
    if isinstance(body, PointsAward):
        return render_points_award(body, head, stamp, font, paper)
    if isinstance(body, Redemption):
        return render_redemption(body, head, stamp, font, paper)
    if isinstance(body, ApplicationForm):
        return render_form(body, head, stamp, font)
    if isinstance(body, DailyLedger):
        return render_ledger(body, head, stamp, font)
    if isinstance(body, PointsNoticeSheet):
        return render_points_notice(body, head, stamp, font)
    if isinstance(body, PointsStatementSheet):
        return render_points_statement(body, head, stamp, font)
    if isinstance(body, DayCloseSheet):
        return render_day_close(body, head, stamp, font)
    raise TypeError(f"no renderer for {type(body).__name__}")
