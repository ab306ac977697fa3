"""A realistic demo town: villages, a roster of residents with valid ID numbers, staff and some cases.

The roster is written as a CSV with the headers villages use and imported through the normal import,
so the demo exercises the same path a real station does. The bench reuses :func:`roster_rows`.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from app.domain.cases import Outcome
from app.domain.idcard import IdCard
from app.domain.identity import id_check_char
from app.domain.staff import Actor, Post, Role
from app.services import cases as case_svc
from app.services.context import ServiceContext
from app.services.imports import ImportReport, import_residents
from app.services.residents import find_residents
from app.services.rosters import write_csv
from app.services.staff import add_staff, authenticate
from app.services.station import StationView, VillageSpec, init_station

DEMO_TOWN = ("330127101", "青溪镇")
DEMO_VILLAGES = (("V01", "青溪村"), ("V02", "石门村"), ("V03", "枫树岭村"), ("V04", "下姜村"),
                 ("V05", "白马村"), ("V06", "桐子坞村"))
DEMO_STATION = ("QX01", "青溪村便民服务站", "V01")
DEMO_PASSWORD = "demo2026"  # the README tells newcomers; never used outside the demo station
DEMO_STAFF = (("zhanzhang", "王秀英", "001", Role.HEAD, Post.A),
              ("xiaoli", "李晓丽", "002", Role.CLERK, Post.A),
              ("laozhou", "周建国", "003", Role.CLERK, Post.B))
ROSTER_HEADER = ["户号", "姓名", "公民身份号码", "性别", "与户主关系", "所属村", "组", "住址", "联系电话", "人员类别"]

_SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
             "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
             "单解仇朴查区")
_GIVEN = ("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华建国红梅玉兰海燕志强永福春花秋菊冬生小龙德才金凤"
          "文彬淑珍家豪子轩雨涵思远梓涵浩然欣怡佳琪宇航振华宏伟卫东")
_COUNTY = "330127"  # address code of the demo county: ID numbers start with it


@dataclass(frozen=True, slots=True)
class DemoResult:
    station: StationView
    roster: Path
    imported: ImportReport
    cases: int


def valid_id(rng: random.Random, birth: date, male: bool, county: str = _COUNTY) -> str:
    seq = rng.randrange(0, 500) * 2 + (1 if male else 0)
    body = f"{county}{birth:%Y%m%d}{seq:03d}"
    return body + id_check_char(body)


def _name(rng: random.Random, surname: str | None = None) -> str:
    s = surname or rng.choice(_SURNAMES)
    n = rng.choice((1, 2, 2))
    return s + "".join(rng.choice(_GIVEN) for _ in range(n))


def roster_rows(count: int, *, seed: int = 1, villages: tuple[tuple[str, str], ...] = DEMO_VILLAGES,
                today: date | None = None) -> Iterator[list[str]]:
    """Roster rows in :data:`ROSTER_HEADER` order, grouped by household, with unique valid ID numbers."""
    rng = random.Random(seed)
    today = today or date(2026, 11, 1)
    used: set[str] = set()
    made = 0
    household = 0
    while made < count:
        household += 1
        village = villages[household % len(villages)]
        group = f"{rng.randint(1, 12)}组"
        surname = rng.choice(_SURNAMES)
        address = f"{village[1]}{group}{rng.randint(1, 120)}号"
        head_birth = today - timedelta(days=rng.randint(25 * 365, 85 * 365))
        members: list[tuple[str, date, bool, str | None]] = [("户主", head_birth, True, surname)]
        if rng.random() < 0.85:
            members.append(("配偶", head_birth + timedelta(days=rng.randint(-1500, 1500)), False, None))
        for _ in range(rng.choice((0, 1, 1, 2, 2, 3))):
            child = head_birth + timedelta(days=rng.randint(20 * 365, 32 * 365))
            if child < today:
                male = rng.random() < 0.5
                members.append(("子" if male else "女", child, male, surname))
        for relation, birth, male, family in members:
            if made >= count:
                break
            number = valid_id(rng, birth, male)
            while number in used:
                number = valid_id(rng, birth, male)
            used.add(number)
            age = today.year - birth.year
            tags = []
            if age >= 80:
                tags.append("高龄")
            if rng.random() < 0.03:
                tags.append("低保")
            if rng.random() < 0.02:
                tags.append("残疾")
            phone = f"1{rng.choice('3578')}{rng.randint(0, 9)}{rng.randint(0, 99999999):08d}" if age >= 16 else ""
            yield [f"{village[0]}-{household:06d}", _name(rng, family), number, "男" if male else "女", relation,
                   village[1], group, address, phone, "、".join(tags)]
            made += 1


def build_demo(ctx: ServiceContext, *, residents: int = 3000, seed: int = 1) -> DemoResult:
    """Set up the demo station in an empty data folder and fill it."""
    town_code, town_name = DEMO_TOWN
    station_code, station_name, village = DEMO_STATION
    view = init_station(ctx, town_code=town_code, town_name=town_name,
                        villages=[VillageSpec(c, n) for c, n in DEMO_VILLAGES], station_code=station_code,
                        station_name=station_name, village_code=village, admin_username=DEMO_STAFF[0][0],
                        admin_name=DEMO_STAFF[0][1], admin_password=DEMO_PASSWORD, phone="0571-64812345",
                        supervision_phone="12345")
    head = authenticate(ctx, username=DEMO_STAFF[0][0], password=DEMO_PASSWORD)
    for username, name, staff_no, role, post in DEMO_STAFF[1:]:
        add_staff(ctx, actor=head, username=username, display_name=name, staff_no=staff_no, role=role, post=post,
                  password=DEMO_PASSWORD)
    assert ctx.data_dir is not None
    roster = ctx.data_dir / "demo-roster.csv"
    rows = list(roster_rows(residents, seed=seed, today=ctx.now().date()))
    write_csv(roster, ROSTER_HEADER, rows)
    report = import_residents(ctx, actor=head, path=roster)
    clerk = authenticate(ctx, username=DEMO_STAFF[1][0], password=DEMO_PASSWORD)
    made = _demo_cases(ctx, clerk, seed)
    _demo_points(ctx, head, clerk, seed, [r[2] for r in rows if r[5] == DEMO_VILLAGES[0][1] and r[4] == "户主"])
    return DemoResult(station=view, roster=roster, imported=report, cases=made)


def _demo_cases(ctx: ServiceContext, clerk: Actor, seed: int) -> int:
    rng = random.Random(seed)
    people = [r for q in ("wang", "li", "zh", "ch") for r in find_residents(ctx, query=q, limit=10).residents]
    plan = [("S08", "complete"), ("S12", "complete"), ("S19", "forward"), ("S22", "accept"), ("S07", "accept"),
            ("S36", "return"), ("S27", "consult"), ("S41", "complete"), ("S17", "forward"), ("S47", "complete")]
    made = 0
    for (code, step), person in zip(plan, rng.sample(people, k=min(len(plan), len(people))), strict=False):
        item = ctx.catalog.get(code)
        if item is None:
            continue
        if step == "consult":
            case_svc.record_consultation(ctx, actor=clerk, applicant_id=person.id, item_code=code)
            made += 1
            continue
        form = {f.key: _demo_value(f.kind.value, f.choices) for f in item.fields if f.required}
        result = case_svc.accept_case(ctx, actor=clerk, applicant_id=person.id, item_code=code,
                                      received_materials=[m.code for m in item.materials], form=form)
        made += 1
        case_id = result.case.id
        if step in ("forward", "complete") and item.mode.value in ("forward", "proxy"):
            case_svc.forward_case(ctx, actor=clerk, case_id=case_id)
        if step == "complete":
            case_svc.complete_case(ctx, actor=clerk, case_id=case_id, outcome=Outcome.GRANTED, note="当场办结")
        if step == "return":
            case_svc.return_case(ctx, actor=clerk, case_id=case_id, reason="申请书缺少签字，请本人签字后补交")
    return made


DEMO_GOODS = (("G01", "洗衣粉（1千克）", "袋", 10, 30), ("G02", "食用油（5升）", "桶", 40, 10),
              ("G03", "毛巾", "条", 5, 50), ("G04", "大米（5千克）", "袋", 30, 20), ("G05", "牙膏", "支", 8, 40),
              ("G06", "酱油", "瓶", 6, 0))  # (code, name, unit, points, stock): soy sauce is sold out


def _demo_points(ctx: ServiceContext, head: Actor, clerk: Actor, seed: int, heads: list[str]) -> None:
    """The points supermarket's shelves, a few households of the station's village with points credited
    through the whole path (declared, reviewed, publicly noticed, credited), and two declarations waiting."""
    from app.services import points as pts

    for code, name, unit, price, stock in DEMO_GOODS:
        pts.save_goods(ctx, actor=head, code=code, name=name, unit=unit, price=price)
        if stock:
            pts.move_stock(ctx, actor=head, code=code, quantity=stock, note="开业进货")
    rng = random.Random(seed)
    people = [find_residents(ctx, query=id_number).residents[0] for id_number in heads[:10]]  # heads of households
    real_now = ctx.now
    start = real_now() - timedelta(days=12)
    awards = (("T14", None), ("T05", None), ("T07", None), ("T17", "2"), ("T06", None), ("T11", None))
    try:
        ctx.now = lambda: start
        for person in people[:8]:
            for code, hours in rng.sample(awards, k=3):
                decl = pts.declare(ctx, actor=clerk, resident_id=person.id, indicator=code, hours=hours,
                                   declared_by="村民小组长", note="村民小组推荐")
                pts.review(ctx, actor=head, declaration_id=decl.id, approve=True)
        ctx.now = lambda: start + timedelta(days=1)
        pts.post_notice(ctx, actor=head)
    finally:
        ctx.now = real_now
    pts.settle(ctx, actor=clerk)
    for person, code in zip(people[8:10], ("T07", "T10"), strict=False):
        pts.declare(ctx, actor=clerk, resident_id=person.id, indicator=code, declared_by="本人",
                    note="本周参加村道清扫" if code == "T07" else "庭院整洁，村民小组检查达标")


def _demo_value(kind: str, choices: tuple[str, ...]) -> str:
    return {
        "choice": choices[0] if choices else "", "integer": "3", "money": "100.00", "date": "2026-11-02",
        "bank_account": "6217001234567890123", "phone": "13812345678", "year_month": "2026-10",
        "account_no": "100234567", "plate": "浙A12345", "decision_no": "330127100012345678",
        "id_number": "11010519491231002X", "boolean": "是", "textarea": "演示说明", "text": "演示",
    }.get(kind, "演示")


def demo_id_cards(ctx: ServiceContext) -> list[IdCard]:
    """Cards for the demo station's simulated reader: a resident already registered, then a newcomer."""
    with ctx.read() as uow:
        row = uow.repos.residents.first_live()
    cards = []
    if row is not None:
        cards.append(IdCard(name=row["name"], gender="男" if row["gender"] == "M" else "女", ethnicity="汉",
                            birth_date=row["birth_date"], address=row["address"], id_number=row["id_number"],
                            issued_by="淳安县公安局"))
    body = "33012719880808046"
    cards.append(IdCard(name="方晓燕", gender="女", ethnicity="汉", birth_date=date(1988, 8, 8),
                        address="浙江省淳安县青溪镇石门村5组12号", id_number=body + id_check_char(body),
                        issued_by="淳安县公安局"))
    return cards
