"""The printing API for the counter and the CLI: issue (numbered), reprint (补打), preview, send to a printer."""

from __future__ import annotations

import logging
from datetime import date

from app.domain.documents import DocumentKind, Paper
from app.domain.errors import DomainError
from app.domain.staff import Actor
from app.printing.render import render
from app.printing.spool import send_to_printer
from app.services import documents as svc
from app.services.context import ServiceContext
from app.services.documents import IssuedDocument
from app.services.paper import PointsPaper

log = logging.getLogger("app.printing")


def issue(ctx: ServiceContext, *, actor: Actor, kind: DocumentKind | str, subject: str | PointsPaper,
          paper: Paper | str | None = None, reprint: bool = False) -> IssuedDocument:
    """Issue the document (a new gap-free number) or, with ``reprint``, print it again as 补打 (same number)."""
    return svc.issue_document(ctx, actor=actor, kind=kind, subject=subject, render=render, paper=paper,
                              reprint=reprint)


def issue_receipt(ctx: ServiceContext, *, actor: Actor, case_id: str, paper: Paper | str | None = None,
                  reprint: bool = False) -> IssuedDocument:
    """受理回执 of an accepted case; paper from the station's setting (80mm / 58mm) unless given."""
    return issue(ctx, actor=actor, kind=DocumentKind.RECEIPT, subject=case_id, paper=paper, reprint=reprint)


def issue_notice(ctx: ServiceContext, *, actor: Actor, case_id: str, paper: Paper | str | None = None,
                 reprint: bool = False) -> IssuedDocument:
    """一次性告知单 of a consultation (or any case): A4 unless ``paper`` says 80mm / 58mm."""
    return issue(ctx, actor=actor, kind=DocumentKind.NOTICE, subject=case_id, paper=paper, reprint=reprint)


def issue_payment_receipt(ctx: ServiceContext, *, actor: Actor, case_id: str, paper: Paper | str | None = None,
                          reprint: bool = False) -> IssuedDocument:
    """收款收据 of the payment recorded for the case (``app.services.payments.record_payment``)."""
    return issue(ctx, actor=actor, kind=DocumentKind.PAYMENT, subject=case_id, paper=paper, reprint=reprint)


def issue_ledger(ctx: ServiceContext, *, actor: Actor, day: date, reprint: bool = False) -> IssuedDocument:
    return issue(ctx, actor=actor, kind=DocumentKind.LEDGER, subject=day.isoformat(), reprint=reprint)


def issue_points_slip(ctx: ServiceContext, *, actor: Actor, data: PointsPaper,
                      paper: Paper | str | None = None, reprint: bool = False) -> IssuedDocument:
    """For the points system: it passes its own frozen data (a slip, the public notice, a statement); the
    number is taken here."""
    kind, _ = svc.points_subject(data)
    return issue(ctx, actor=actor, kind=kind, subject=data, paper=paper, reprint=reprint)


def document_paper(ctx: ServiceContext, *, actor: Actor, number: str, preview: bool = False) -> IssuedDocument:
    """A document of the register by its number: itself while it waits in the reprint queue, else a 补打 copy;
    a voided one marked 作废. ``preview``: the same paper, nothing recorded."""
    return svc.document_paper(ctx, actor=actor, number=number, render=render, preview=preview)


def preview(ctx: ServiceContext, *, actor: Actor, kind: DocumentKind | str, subject: str | PointsPaper,
            paper: Paper | str | None = None) -> bytes:
    """The document as it would print, marked 样张 instead of a number; nothing is recorded."""
    from app.domain.documents import parse_kind

    chosen = parse_kind(kind) if isinstance(kind, str) else kind
    return render(svc.preview_job(ctx, actor=actor, kind=chosen, subject=subject, paper=paper))


def print_issued(ctx: ServiceContext, issued: IssuedDocument, *, printer: str = "") -> str:
    """Send an issued document to ``printer`` (or the station's printer for its paper). On success it leaves
    the reprint queue; on failure a DomainError says why and the document stays queued (nothing is lost)."""
    target = printer or issued.printer
    try:
        if not target:
            raise DomainError("print.no_printer", kind=issued.kind.label_zh)
        send_to_printer(issued.pdf, target, title=issued.number)
    except DomainError as e:  # for support; at info: the CLI prints the sentence itself
        log.info("print failed: document %s, printer %r: %s %s", issued.number, target, e.code,
                 e.params.get("reason", ""))
        raise
    svc.mark_printed(ctx, number=issued.number)
    return target
