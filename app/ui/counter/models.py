"""Table models fed with frozen rows: residents found, and a resident's cases."""

from __future__ import annotations

from app.domain.cases import CaseState
from app.domain.identity import Gender
from app.services.residents import MatchKind
from app.services.views import CaseSummary, ResidentSummary
from app.ui.i18n import N_, label, language, tr
from app.ui.tables import RowsModel


def _sex(gender: Gender) -> str:
    """女 / 男 in Chinese; F / M in English, where the pane is narrow at the largest text."""
    return label(gender) if language() == "zh" else label(gender)[:1].upper()


class ResidentTableModel(RowsModel[ResidentSummary]):
    """Two lines a person, in two columns that are never cut: name, sex and age over the village and group;
    the masked ID number over the phone. Two people with one surname, one age and the same last four ID
    digits still read apart (village, group, phone), at every text size on a 1366-pixel screen. A row
    found by the phone rather than the ID says so."""

    HEADERS = (N_("姓名　村组"), N_("身份证号　电话"))
    LINES = 2
    MUST_SHOW = (0, 1)

    def __init__(self) -> None:
        super().__init__()
        self.matched: dict[str, MatchKind] = {}  # set before the rows: resident id → how the search found them

    def samples(self) -> tuple[str, ...]:
        return ("欧阳建国 " + tr("{gender} {age}岁").format(gender=_sex(Gender.FEMALE), age=88) + "\n枫树岭村10组",
                "330127********002X\n" + tr("电话相符 {phone}").format(phone="0571-******45"))

    def cells(self, r: ResidentSummary) -> tuple[str, ...]:
        if r.gender and r.age is not None:  # in English "F 53"
            about = f"{r.name} " + tr("{gender} {age}岁").format(gender=_sex(r.gender), age=r.age)
        else:
            about = " ".join(x for x in (r.name, label(r.gender) if r.gender else "",
                                        "" if r.age is None else tr("{age}岁").format(age=r.age)) if x)
        if self.matched.get(r.id) is MatchKind.PHONE:  # found by the phone, not the ID: the row says so
            phone = tr("电话相符 {phone}").format(phone=r.phone_masked)
        else:
            phone = tr("电话 {phone}").format(phone=r.phone_masked) if r.phone_masked else tr("电话未登记")
        return (f"{about}\n{r.village_name}{r.group}", f"{r.id_masked}\n{phone}")


class CaseTableModel(RowsModel[CaseSummary]):
    """Two lines a case in a narrow pane: what was done over its number; where it stands over its dates. The
    number tells cases apart and is never cut; the state and dates take what the pane leaves (at the largest
    English text they end in …, the whole text in a tooltip), so the pane never pushes the window wider."""

    HEADERS = (N_("事项　办件编号"), N_("状态　日期"))
    LINES = 2
    MUST_SHOW = (0,)
    not_at_town: frozenset[str] = frozenset()  # set before the rows: those cases say so

    def samples(self) -> tuple[str, ...]:
        return ("社会保障卡申领/补换\nQX01-20261123-0001",
                label(CaseState.FORWARDED) + tr("（未到镇里）") + "\n" + tr("受理 {when}").format(when="2026-11-23"))

    def cells(self, c: CaseSummary) -> tuple[str, ...]:
        state = label(c.state) + (tr("（超期）") if c.overdue else "") + \
            (tr("（未到镇里）") if c.id in self.not_at_town else "")
        dates = tr("受理 {when}").format(when=c.received_at[:10])
        if c.due_date and not c.state.is_final:
            dates += tr("　期限 {due}").format(due=c.due_date.isoformat())
        return (f"{c.item_name}\n{c.case_no}", f"{state}\n{dates}")

    def alarming(self, c: CaseSummary) -> bool:
        return c.overdue
