"""Table models fed with frozen rows: residents found, and a resident's cases."""

from __future__ import annotations

from app.services.views import CaseSummary, ResidentSummary
from app.ui.tables import RowsModel


class ResidentTableModel(RowsModel[ResidentSummary]):
    HEADERS = ("姓名", "性别", "年龄", "身份证号", "电话", "村组", "标签")
    SAMPLES = ("欧阳建国", "男", "100", "330127********002X", "0571-******45", "枫树岭村10组", "")

    def cells(self, r: ResidentSummary) -> tuple[str, ...]:
        return (r.name, r.gender.label_zh if r.gender else "", "" if r.age is None else str(r.age), r.id_masked,
                r.phone_masked, f"{r.village_name}{r.group}", "、".join(r.tags))


class CaseTableModel(RowsModel[CaseSummary]):
    HEADERS = ("办件编号", "事项", "状态", "受理时间", "承诺期限")
    SAMPLES = ("QX01-20261123-0001", "社会保障卡申领/补换", "已受理（超期）", "2026-11-23 18:14", "2026-11-23")

    def cells(self, c: CaseSummary) -> tuple[str, ...]:
        due = c.due_date.isoformat() if c.due_date else ""
        return (c.case_no, c.item_name, c.state.label_zh + ("（超期）" if c.overdue else ""),
                c.received_at.replace("T", " ")[:16], due)

    def alarming(self, c: CaseSummary) -> bool:
        return c.overdue
