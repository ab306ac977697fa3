"""Table models fed with frozen rows: residents found, and a resident's cases."""

from __future__ import annotations

from app.domain.cases import CaseState
from app.domain.identity import Gender
from app.services.views import CaseSummary, ResidentSummary
from app.ui.i18n import N_, label, tr
from app.ui.tables import RowsModel


class ResidentTableModel(RowsModel[ResidentSummary]):
    HEADERS = (N_("姓名"), N_("性别"), N_("年龄"), N_("身份证号"), N_("电话"), N_("村组"), N_("标签"))

    def samples(self) -> tuple[str, ...]:
        return ("欧阳建国", label(Gender.FEMALE), "100", "330127********002X", "0571-******45", "枫树岭村10组", "")

    def cells(self, r: ResidentSummary) -> tuple[str, ...]:
        return (r.name, label(r.gender) if r.gender else "", "" if r.age is None else str(r.age), r.id_masked,
                r.phone_masked, f"{r.village_name}{r.group}", tr("、").join(r.tags))


class CaseTableModel(RowsModel[CaseSummary]):
    # What was done and where it stands first: the pane is narrow, the number is at the end.
    HEADERS = (N_("事项"), N_("状态"), N_("受理时间"), N_("承诺期限"), N_("办件编号"))
    not_at_town: frozenset[str] = frozenset()  # set before the rows: those cases say so

    def samples(self) -> tuple[str, ...]:
        return ("社会保障卡申领/补换", label(CaseState.FORWARDED) + tr("（未到镇里）"), "2026-11-23 18:14",
                "2026-11-23", "QX01-20261123-0001")

    def cells(self, c: CaseSummary) -> tuple[str, ...]:
        due = c.due_date.isoformat() if c.due_date else ""
        state = label(c.state) + (tr("（超期）") if c.overdue else "") + \
            (tr("（未到镇里）") if c.id in self.not_at_town else "")
        return (c.item_name, state, c.received_at.replace("T", " ")[:16], due, c.case_no)

    def alarming(self, c: CaseSummary) -> bool:
        return c.overdue
