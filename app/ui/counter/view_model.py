"""The counter's view model: find the resident, choose the item, accept the case — all service calls on the
database thread (``TaskRunner``), frozen results back as signals."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from app.domain.cases import CaseState
from app.domain.catalog import ServiceItem
from app.domain.errors import DomainError, ValidationFailed
from app.domain.idcard import IdCard
from app.domain.staff import Actor
from app.messages import render
from app.services.attachments import add_attachment
from app.services.cases import AcceptResult, ProxyInput, accept_case, get_case, record_consultation
from app.services.context import ServiceContext
from app.services.documents import IssuedDocument
from app.services.drafts import CounterDraft, clear_draft, load_draft, save_draft
from app.services.items import find_items, quick_items, toggle_favourite
from app.services.ratings import rate_case
from app.services.residents import (
    ResidentDetail,
    SearchResult,
    find_residents,
    get_resident,
    register_resident,
    reveal_id_number,
)
from app.services.station import station_view
from app.services.views import CaseSummary, ResidentSummary
from app.ui.devices import CardReader, NoCardReader
from app.ui.errors import message_for
from app.ui.i18n import tr
from app.ui.look import settings_file
from app.ui.paper import PREVIEW_WIDTH, PaperOut, pdf_pages
from app.ui.tasks import TaskRunner

log = logging.getLogger(__name__)


def _issue_paper(ctx: ServiceContext, *, actor: Actor, case_id: str, receipt: bool) -> IssuedDocument:
    """The case's 受理回执, or its 一次性告知单 (a consultation). On the database thread: the printing code
    loads there (app/ui/opening.py warms it up while staff log in), never on the GUI thread."""
    from app.printing.documents import issue_notice, issue_receipt

    issue = issue_receipt if receipt else issue_notice
    return issue(ctx, actor=actor, case_id=case_id)


class CounterViewModel(QObject):
    results_changed = Signal(object)  # SearchResult
    resident_loaded = Signal(object)  # ResidentDetail
    items_changed = Signal(object, bool, str)  # items, True for the frequent items, the text they match
    item_loaded = Signal(object)  # ServiceItem
    accepted = Signal(object)  # AcceptResult
    form_problems = Signal(object)  # dict field key -> message
    station_loaded = Signal(object)  # StationView
    registered = Signal(object)  # ResidentSummary
    register_problems = Signal(object)  # dict field key -> message
    card_unknown = Signal(object)  # IdCard of someone not registered yet
    revealed = Signal(str, str)  # resident id, full ID number (shown for a short while, audited)
    draft_found = Signal(object)  # CounterDraft left by a crash or a power cut
    favourite_toggled = Signal(str, bool)  # item code, pinned now
    paper_ready = Signal(object, object)  # IssuedDocument of the case just done, its pages as images
    printed = Signal(str)  # the sentence saying it went to the printer
    print_failed = Signal(str)  # what to do; the document stays in the reprint queue
    rated = Signal(object)  # RatingResult
    rating_failed = Signal(str)
    due_provisional = Signal(str)  # after an accept whose promised date is an estimate: what to tell the resident
    failed = Signal(str)
    no_printer = Signal(object, str)  # a document, why: no printer here (the view offers to save a PDF)

    def __init__(self, ctx: ServiceContext, runner: TaskRunner, lang: str = "zh", *,
                 actor: Actor | None = None, reader: CardReader | None = None,
                 devices: TaskRunner | None = None) -> None:
        super().__init__()
        self._ctx = ctx
        self._runner = runner
        self.lang = lang
        self.actor = actor
        self.reader: CardReader = reader or NoCardReader()
        self._devices = devices or runner
        self.paper: IssuedDocument | None = None  # the last case's receipt or notice, for F10
        self._asked_to_print = False  # the last print was F10 (not a silent print at accept)
        self._out = PaperOut(ctx, runner, self._devices, done=self.printed.emit, failed=self.print_failed.emit,
                             lang=lang,
                             no_printer=self._on_no_printer)
        # The document camera's photos go into the station's data folder (never the program's).
        self.camera_folder: Path | None = ctx.data_dir / "camera" if ctx.data_dir else None
        self._query = ""
        self._item_query = ""
        self.frequent: tuple[ServiceItem, ...] = ()  # Alt+1 … Alt+9: pinned (★) first, then the most frequent
        self.favourites: frozenset[str] = frozenset()
        self.resident: ResidentDetail | None = None
        self._searching = False  # a search is on the database thread
        self._searched = ""  # the text of that search

    # -- who ---------------------------------------------------------------------------------
    # Search on every key press, at once (a lookup takes about a millisecond even with a million
    # residents), but never queue them: while one search runs, only the newest text waits, and it runs
    # as soon as that one is back. A fast typist never waits for searches of text already gone.
    def search_typed(self, text: str) -> None:
        self._query = text
        if not self._searching:
            self._search(text)

    def search_now(self) -> None:
        if not self._searching:
            self._search(self._query)
        else:
            self._searched = ""  # make sure the newest text is searched when the running one is back

    def _search(self, query: str) -> None:
        self._searching, self._searched, ctx = True, query, self._ctx
        self._runner.submit(lambda: find_residents(ctx, query=query), self._on_search_done,
                            self._on_search_error)

    def _on_search_done(self, result: SearchResult) -> None:
        self._searching = False
        if result.query == self._query:
            self.results_changed.emit(result)
        elif self._query != self._searched:
            self._search(self._query)  # the text changed meanwhile: search what is there now

    def _on_search_error(self, error: BaseException) -> None:
        self._searching = False
        self._on_error(error)

    def resident_chosen(self, resident_id: str) -> None:
        ctx = self._ctx
        self._runner.submit(lambda: get_resident(ctx, resident_id=resident_id), self._on_resident_done,
                            self._on_error)

    def _on_resident_done(self, detail: ResidentDetail) -> None:
        self.resident = detail
        self.resident_loaded.emit(detail)

    # -- what --------------------------------------------------------------------------------
    def prepare(self) -> None:
        """Load the catalogue and this station's frequent items before the first resident arrives."""
        ctx = self._ctx
        self._runner.submit(lambda: station_view(ctx), self.station_loaded.emit, self._on_error)
        self.load_quick_items()
        self._load_draft()

    def set_actor(self, actor: Actor) -> None:
        """The staff member who logged in (the counter is built before the login): their pinned items and any
        draft they left come back."""
        self.actor = actor
        self.load_quick_items()
        self._load_draft()

    def _load_draft(self) -> None:
        if self.actor is not None:
            ctx, staff_id = self._ctx, self.actor.staff_id
            self._runner.submit(lambda: load_draft(ctx, staff_id), self._on_draft_loaded, self._on_error)

    def _on_draft_loaded(self, draft: CounterDraft | None) -> None:
        if draft is not None:
            self.draft_found.emit(draft)

    # -- drafts: nothing typed is lost ---------------------------------------------------------
    def save_draft(self, draft: CounterDraft) -> None:
        ctx = self._ctx
        self._runner.submit(lambda: save_draft(ctx, draft), lambda _: None, self._on_error)

    def clear_draft(self) -> None:
        if self.actor is not None:
            ctx, staff_id = self._ctx, self.actor.staff_id
            self._runner.submit(lambda: clear_draft(ctx, staff_id), lambda _: None, self._on_error)

    # -- a new resident, the ID card reader --------------------------------------------------
    def register(self, values: Mapping[str, str]) -> None:
        if self.actor is None:
            self.failed.emit(tr("请先登录。"))
            return
        ctx, actor, v = self._ctx, self.actor, dict(values)
        self._runner.submit(lambda: register_resident(ctx, actor=actor, name=v["name"], id_number=v["id_number"],
                                                      village=v["village"], phone=v["phone"], group=v["group"],
                                                      address=v["address"]),
                            self._on_registered, self._on_register_error)

    def _on_registered(self, summary: ResidentSummary) -> None:
        self.registered.emit(summary)
        self.resident_chosen(summary.id)

    def _on_register_error(self, error: BaseException) -> None:
        if isinstance(error, ValidationFailed):
            self.register_problems.emit({key: message_for(p, self.lang) for key, p in error.problems.items()})
        else:
            self._on_error(error)

    def reveal(self, purpose: str) -> None:
        """The chosen resident's full ID number, for a staff member allowed to see it (audited with the purpose)."""
        if self.resident is None or self.actor is None:
            self.failed.emit(tr("请先找到并选中居民（F2）。"))
            return
        ctx, actor, resident_id = self._ctx, self.actor, self.resident.resident.id
        self._runner.submit(lambda: reveal_id_number(ctx, actor=actor, resident_id=resident_id, purpose=purpose),
                            lambda number: self.revealed.emit(resident_id, number), self._on_error)

    def read_card(self) -> None:
        """Read the card on the reader (on the device thread): a known resident is chosen at once, someone
        new is offered for registration with the card's details filled in."""
        reader, ctx = self.reader, self._ctx

        def found(card: IdCard | None) -> None:
            if card is None:
                text = tr("{reader}上没有读到身份证：请把证件平放在读卡器上再按 F12。")
                self.failed.emit(text.format(reader=tr(reader.name)))
                return
            self._runner.submit(lambda: (card, find_residents(ctx, query=card.id_number)), self._on_card_found,
                                self._on_error)

        self._devices.submit(reader.read, found, self._on_error)

    def _on_card_found(self, found: tuple[IdCard, SearchResult]) -> None:
        card, result = found
        if len(result.residents) == 1:
            self.resident_chosen(result.residents[0].id)
        else:
            self.card_unknown.emit(card)

    def load_quick_items(self) -> None:
        ctx = self._ctx
        staff_id = self.actor.staff_id if self.actor is not None else ""
        self._runner.submit(lambda: quick_items(ctx, staff_id=staff_id), self._on_quick_done, self._on_error)

    def toggle_favourite(self, item_code: str) -> None:
        if self.actor is None:
            return
        ctx, staff_id = self._ctx, self.actor.staff_id

        def done(pinned: bool) -> None:
            self.favourite_toggled.emit(item_code, pinned)
            self.load_quick_items()

        self._runner.submit(lambda: toggle_favourite(ctx, staff_id=staff_id, item_code=item_code), done,
                            self._on_error)

    def _on_quick_done(self, quick: tuple[tuple[ServiceItem, bool], ...]) -> None:
        self.favourites = frozenset(item.code for item, pinned in quick if pinned)
        self._on_frequent_done(tuple(item for item, _ in quick))

    def _on_frequent_done(self, items: tuple[ServiceItem, ...]) -> None:
        self.frequent = items
        if not self._item_query:
            self.items_changed.emit(items, True, "")

    def item_typed(self, text: str) -> None:
        self._item_query = text
        if not text.strip():
            self.items_changed.emit(self.frequent, True, "")
            return
        ctx = self._ctx
        self._runner.submit(lambda: (text, find_items(ctx, query=text)), self._on_items_done, self._on_error)

    def _on_items_done(self, found: tuple[str, tuple[ServiceItem, ...]]) -> None:
        text, items = found
        if text == self._item_query:
            self.items_changed.emit(items, False, text)

    @staticmethod
    def fee_for(item: ServiceItem, form: Mapping[str, object]) -> int:
        """The fee to show before accepting, in fen, for the form as filled so far: the catalogue's fee rule
        decides (S07: 首次申领 free, a replacement ¥20); refresh it when the rule's field changes."""
        return item.fee_for(form)

    def item_chosen(self, code: str) -> None:
        ctx = self._ctx
        self._runner.submit(lambda: ctx.catalog.offered(code), self.item_loaded.emit, self._on_error)

    # -- accept ------------------------------------------------------------------------------
    def open_consultation(self, item_code: str) -> CaseSummary | None:
        """This station's open consultation of the chosen resident for the item (materials were missing):
        accepting now continues it under the same number."""
        if self.resident is None:
            return None
        return next((c for c in self.resident.open_cases
                     if c.item_code == item_code and c.state is CaseState.CONSULTATION), None)

    def notice(self, *, item_code: str, received: list[str]) -> None:
        """F8: the one-time notice (一次性告知) of everything still missing, recorded as a consultation. It
        never accepts the case and needs nothing from the form."""
        if self.resident is None or self.actor is None:
            self.failed.emit(tr("请先找到并选中办事的居民（F2）。"))
            return
        ctx, actor, applicant = self._ctx, self.actor, self.resident.resident.id

        def record() -> tuple[AcceptResult, list[str], IssuedDocument | str]:
            result = record_consultation(ctx, actor=actor, applicant_id=applicant, item_code=item_code,
                                         received_materials=received)
            try:
                issued: IssuedDocument | str = _issue_paper(ctx, actor=actor, case_id=result.case.id, receipt=False)
            except Exception as e:
                log.exception("the notice of %s was not made", result.case.case_no)
                issued = tr("咨询已记下，但告知单没有生成：{problem}").format(problem=message_for(e, self.lang))
            return result, [], issued

        self._runner.submit(record, self._on_accepted_with_scans, self._on_accept_error)

    def accept(self, *, item_code: str, received: list[str], form: Mapping[str, object],
               proxy: ProxyInput | None = None, scans: Sequence[tuple[Path, str]] = ()) -> None:
        if self.resident is None or self.actor is None:
            self.failed.emit(tr("请先找到并选中办事的居民（F2）。"))
            return
        ctx, actor, applicant = self._ctx, self.actor, self.resident.resident.id
        values, files = dict(form), list(scans)
        earlier = self.open_consultation(item_code)
        consultation_id = earlier.id if earlier is not None else None

        def accept_and_store() -> tuple[AcceptResult, list[str], IssuedDocument | str]:
            result = accept_case(ctx, actor=actor, applicant_id=applicant, item_code=item_code,
                                 received_materials=received, form=values, proxy=proxy,
                                 consultation_id=consultation_id)
            failed: list[str] = []
            issued: IssuedDocument | str
            try:  # the receipt (or the one-time notice) with its number; the case is recorded either way
                issued = _issue_paper(ctx, actor=actor, case_id=result.case.id, receipt=result.accepted)
            except Exception as e:
                log.exception("the paper of %s was not made", result.case.case_no)
                issued = tr("办件已记下，但回执/告知单没有生成：{problem}").format(problem=message_for(e, self.lang))
            if not files:
                return result, failed, issued
            for path, material in files:
                try:
                    add_attachment(ctx, actor=actor, case_id=result.case.id, path=path, material_code=material)
                except DomainError as e:
                    failed.append(tr("{file}：{problem}").format(file=path.name, problem=message_for(e, self.lang)))
            return replace(result, case=get_case(ctx, case_id=result.case.id)), failed, issued

        self._runner.submit(accept_and_store, self._on_accepted_with_scans, self._on_accept_error)

    def _on_accepted_with_scans(self, outcome: tuple[AcceptResult, list[str], IssuedDocument | str]) -> None:
        result, failed, issued = outcome
        self._on_accepted(result)
        if isinstance(issued, str):
            self.failed.emit(issued)
        else:
            self.paper = issued
            # The pages are drawn on the devices thread: rendering a PDF would stall the window.
            self._devices.submit(lambda: pdf_pages(issued.pdf, PREVIEW_WIDTH),
                                 lambda pages: self.paper_ready.emit(issued, pages), self._on_error)
            if issued.silent:  # the station prints its receipts at once (print-settings silent_receipts)
                assert self.actor is not None
                self._asked_to_print = False
                self._out.print(issued, self.actor)
        if failed:  # the case is recorded; say which scans were not stored
            self.failed.emit(tr("办件已记下，但这些扫描件没有存上，请在办件记录里补传：") + tr("；").join(failed))

    # -- paper -------------------------------------------------------------------------------
    @property
    def settings_path(self) -> Path | None:
        """This PC's screen settings (where a PDF was last saved)."""
        return settings_file(self._ctx.data_dir) if self._ctx.data_dir else None

    def _on_no_printer(self, paper: IssuedDocument, problem: str) -> None:
        """No printer here: the counter says so; a print asked for with F10 is offered as a PDF to save
        (a silent print at accept is not: the resident is still in front of the clerk)."""
        self.print_failed.emit(problem)
        if self._asked_to_print:
            self.no_printer.emit(paper, problem)

    def save_paper(self, paper: IssuedDocument, folder: Path) -> None:
        """The document as a PDF in the folder the clerk chose (no printer here)."""
        self._out.save(paper, folder)

    def print_paper(self, *, to_file: Path | None = None) -> None:
        """F10: the receipt or notice to the printer, on the devices thread. Printed once already, the
        next press prints a 补打 copy under the same number."""
        if self.paper is None or self.actor is None:
            self.print_failed.emit(tr("先办完一件，再打印（F10）。"))
            return
        self._asked_to_print = True
        self._out.print(self.paper, self.actor, to_file=to_file)

    def rate(self, case_id: str, level: int) -> None:
        if self.actor is None:
            self.rating_failed.emit(tr("请先登录。"))
            return
        ctx, actor = self._ctx, self.actor
        self._runner.submit(lambda: rate_case(ctx, actor=actor, case_id=case_id, level=level), self.rated.emit,
                            lambda e: self.rating_failed.emit(message_for(e, self.lang)))

    def due_warning(self, result: AcceptResult) -> str:
        """The warning for an accepted case whose promised date runs into a year without holiday data ("" if none)."""
        case = result.case
        if not (result.accepted and case.due_provisional and case.due_date is not None):
            return ""
        return render("calendar.due_provisional", {"due": case.due_date.isoformat(),
                                                   "years": tr("、").join(map(str, case.due_unconfirmed))}, self.lang)

    def _on_accepted(self, result: AcceptResult) -> None:
        self.paper = None
        self.clear_draft()
        self.accepted.emit(result)
        warning = self.due_warning(result)
        if warning:
            self.due_provisional.emit(warning)
        # The card's case list now includes this case.
        if self.resident is not None:
            self.resident_chosen(self.resident.resident.id)

    def _on_accept_error(self, error: BaseException) -> None:
        if isinstance(error, ValidationFailed) and error.code == "form.invalid":
            self.form_problems.emit({key: message_for(problem, self.lang)
                                     for key, problem in error.problems.items()})
        else:
            self._on_error(error)

    def _on_error(self, error: BaseException) -> None:
        self.failed.emit(message_for(error, self.lang))
