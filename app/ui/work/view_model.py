"""Today's work: the lists a station keeps an eye on, and moving a case on (转报, 办结, 补正) from there."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import TypeVar

from PySide6.QtCore import QObject, Signal

from app.domain.cases import OPEN_STATES, CaseState
from app.domain.staff import Actor
from app.services.cases import CaseView, complete_case, forward_case, list_cases, return_case
from app.services.context import ServiceContext
from app.services.handover import hand_over, my_open_cases
from app.services.ratings import FollowUp, close_follow_up, list_follow_ups
from app.services.replication import not_at_town
from app.services.staff import list_staff
from app.services.views import CaseSummary
from app.ui.errors import message_for
from app.ui.i18n import label, tr
from app.ui.tasks import TaskRunner

T = TypeVar("T")


def _moved(what: str) -> Callable[[CaseView], str]:
    return lambda view: tr("{case_no}　{what}（{state}）").format(
        case_no=view.case_no, what=what, state=label(view.state))


class WorkList(StrEnum):
    TODAY = "today"        # received today: cases and consultations
    WAITING = "waiting"    # forwarded to the town, waiting for its result
    OVERDUE = "overdue"    # past the promised date
    OPEN = "open"          # everything not closed
    FOLLOW_UPS = "follow_ups"  # bad ratings to look into and answer (整改回访)
    MINE = "mine"          # my open cases, to hand over at the end of a shift (交接班)
    SEARCH = "search"      # older cases by number, resident or item

    @property
    def heading(self) -> str:
        return {"today": tr("今天的办件"), "waiting": tr("等镇里结果"), "overdue": tr("已超期"),
                "open": tr("全部未办结"), "follow_ups": tr("差评回访"), "mine": tr("交接班"),
                "search": tr("查找")}[self.value]




class WorkViewModel(QObject):
    rows_changed = Signal(object, str)  # tuple[CaseSummary, ...], the list they belong to
    done = Signal(str)  # a sentence for the status line
    colleagues_loaded = Signal(object)  # tuple[StaffView, ...]
    failed = Signal(str)

    def __init__(self, ctx: ServiceContext, runner: TaskRunner, lang: str = "zh", *,
                 actor: Actor | None = None) -> None:
        super().__init__()
        self._ctx = ctx
        self._runner = runner
        self._lang = lang
        self.actor = actor
        self.current = WorkList.TODAY
        self.text = ""
        self.not_at_town: frozenset[str] = frozenset()  # cases with a change the town has not got yet

    def load(self, which: WorkList | None = None, text: str | None = None) -> None:
        if which is not None:
            self.current = which
        if text is not None:
            self.text = text
        ctx, which_now, query, actor = self._ctx, self.current, self.text, self.actor

        def fetch() -> tuple[CaseSummary, ...] | tuple[FollowUp, ...]:
            if which_now is WorkList.FOLLOW_UPS:
                return list_follow_ups(ctx)
            if which_now is WorkList.MINE:
                return my_open_cases(ctx, actor=actor) if actor is not None else ()
            if which_now is WorkList.TODAY:
                return list_cases(ctx, day=ctx.now().date())
            if which_now is WorkList.WAITING:
                return list_cases(ctx, states=[CaseState.FORWARDED])
            if which_now is WorkList.OVERDUE:
                return list_cases(ctx, overdue=True)
            if which_now is WorkList.OPEN:
                return list_cases(ctx, states=OPEN_STATES)
            return list_cases(ctx, text=query) if query.strip() else ()

        def with_marks() -> tuple[tuple[CaseSummary, ...] | tuple[FollowUp, ...], frozenset[str]]:
            rows = fetch()
            ids = [r.id for r in rows if isinstance(r, CaseSummary)]
            return rows, not_at_town(ctx, table="cases", row_ids=ids)

        def arrived(found: tuple[tuple[CaseSummary, ...] | tuple[FollowUp, ...], frozenset[str]]) -> None:
            self.not_at_town = found[1]
            self.rows_changed.emit(found[0], which_now.value)

        self._runner.submit(with_marks, arrived, self._on_error)

    # -- moving a case on --------------------------------------------------------------------
    def forward(self, case_id: str) -> None:
        self._act(lambda actor: forward_case(self._ctx, actor=actor, case_id=case_id), _moved(tr("已转报镇里")))

    def complete(self, case_id: str) -> None:
        self._act(lambda actor: complete_case(self._ctx, actor=actor, case_id=case_id), _moved(tr("已办结")))

    def send_back(self, case_id: str, reason: str) -> None:
        if not reason.strip():
            self.failed.emit(tr("退回补正要写明原因：请在“原因”框里写清还缺什么、哪里要改，再按 F11。"))
            return
        self._act(lambda actor: return_case(self._ctx, actor=actor, case_id=case_id, reason=reason.strip()),
                  _moved(tr("已退回补正")))

    def load_colleagues(self) -> None:
        """Who can take over: this station's other active staff."""
        actor, ctx = self.actor, self._ctx
        if actor is None:
            return
        self._runner.submit(lambda: tuple(s for s in list_staff(ctx, actor=actor)
                                          if s.active and s.id != actor.staff_id),
                            self.colleagues_loaded.emit, self._on_error)

    def hand_over(self, to_username: str, note: str) -> None:
        self._act(lambda actor: hand_over(self._ctx, actor=actor, to_username=to_username, note=note),
                  lambda h: tr("已交接给 {name}：{n} 件未办结的办件由他/她接着办。").format(
                      name=h.to_name, n=len(h.cases)))

    def close_follow_up(self, follow_up_id: str, note: str) -> None:
        self._act(lambda actor: close_follow_up(self._ctx, actor=actor, follow_up_id=follow_up_id, note=note),
                  lambda _: tr("差评回访已关闭，处理情况已记下。"))

    def _act(self, call: Callable[[Actor], T], say: Callable[[T], str]) -> None:
        """Run a staff action on the database thread, say what was done, and refresh the list."""
        actor = self.actor
        if actor is None:
            self.failed.emit(tr("请先登录。"))
            return

        def finished(result: T) -> None:
            self.done.emit(say(result))
            self.load()

        self._runner.submit(lambda: call(actor), finished, self._on_error)

    def _on_error(self, error: BaseException) -> None:
        self.failed.emit(message_for(error, self._lang))
