"""The town administrator on the server's console, against a real PostgreSQL: the catalogue and the points rules
published as versions (a bad or older file refused in words, nothing written), staff made and disabled for a
station, and the 好差评 view across stations. What the town publishes reaches a station on its next sync."""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from app.domain.errors import Conflict, DomainError, NotFound, PermissionDenied
from app.domain.ids import stable_id
from app.domain.staff import Actor, Post, Role
from app.messages import MESSAGES
from app.paths import resource
from app.persistence.database import Database
from app.services import replication as rep
from app.services import town_admin as town
from app.services.cases import accept_case
from app.services.context import ServiceContext, open_context
from app.services.points import points_rules
from app.services.ratings import rate_case
from app.services.residents import register_resident
from app.services.staff import authenticate
from tests.helpers import make_id
from tests.server.test_replication import PASSWORD, _pull, _push, _station

ROOT = Path(__file__).resolve().parents[2]
ADMIN = Actor(staff_id="", username="console:test", display_name="镇管理员", staff_no="", role=Role.TOWN_ADMIN,
              post=Post.A, station_code="")


def _console(db_url: str, *args: str, password: str | None = None) -> subprocess.CompletedProcess[str]:
    """The server's console as the town administrator runs it (``python -m app.server --db URL …``)."""
    env = {**os.environ, "STATIONDESK_PASSWORD": password} if password else dict(os.environ)
    return subprocess.run([sys.executable, "-m", "app.server", "--db", db_url, *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)


@pytest.fixture
def town_db(pg_url: str) -> Iterator[ServiceContext]:
    ctx = ServiceContext(db=Database.open_url(pg_url))
    try:
        yield ctx
    finally:
        ctx.db.dispose()


@pytest.fixture
def qx01(tmp_path: Path, town_db: ServiceContext) -> Iterator[ServiceContext]:
    """A station whose records (its town, villages, catalogue and head) have reached the town."""
    ctx = _station(tmp_path / "qx01", "QX01", "V01", "zhanzhang")
    _push(ctx, town_db, "QX01")
    try:
        yield ctx
    finally:
        ctx.db.dispose()


def _sync(station: ServiceContext, town_db: ServiceContext, code: str) -> None:
    _push(station, town_db, code)
    _pull(station, town_db, code)


def _town_n(tmp_path: Path, version: str, **change: Any) -> Path:
    """The shipped town-n file at another version, with a ninth item (N09) and a changed N06."""
    data = json.loads(resource("catalog", "town-n.json").read_text(encoding="utf-8"))
    data["version"] = version
    n09 = copy.deepcopy(next(i for i in data["items"] if i["code"] == "N06"))
    n09.update(code="N09", name="农资代购预约", short_name="农资代购", keywords=["农资", "化肥"])
    data["items"].append(n09)
    n06 = next(i for i in data["items"] if i["code"] == "N06")
    n06["materials"].append({"code": "M09", "name": "取件短信或取件码", "required": True, "copies": 1,
                             "form": "original_checked"})
    data.update(change)
    path = tmp_path / f"town-n-{version}.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def _rules_file(tmp_path: Path, version: str) -> Path:
    data = json.loads(resource("points", "town-standard.json").read_text(encoding="utf-8"))
    data["version"] = version
    data["indicators"][0]["points"] = 15  # T01: 10 → 15
    data["indicators"].append({"code": "T18", "category": "志愿服务", "name": "参加森林防火巡查", "points": 4,
                               "cap": 12, "cap_period": "month"})
    path = tmp_path / f"rules-{version}.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def _audited(ctx: ServiceContext) -> list[str]:
    with ctx.read() as uow:
        return [e["action"] for e in uow.audit_entries()]


# ---------------------------------------------------------------- the catalogue


def test_a_catalogue_published_on_the_console_reaches_a_station_on_its_next_sync(
        tmp_path: Path, town_db: ServiceContext, qx01: ServiceContext, pg_url: str) -> None:
    done = _console(pg_url, "catalog", "publish", str(_town_n(tmp_path, "2026.2")))
    assert done.returncode == 0, done.stderr
    assert "已发布 town-n 2026.2（9 项）" in done.stdout

    _sync(qx01, town_db, "QX01")
    # The station as it opens next (the command line, or the window started again) works with the new list.
    fresh = open_context(qx01.data_dir or Path())
    try:
        catalog = fresh.catalog
        assert "town-n@2026.2" in catalog.version
        assert catalog.item("N09").name == "农资代购预约"
        assert "M09" in [m.code for m in catalog.item("N06").materials]
        assert len(catalog.items) == 47 + 9
    finally:
        fresh.db.dispose()

    versions = _console(pg_url, "catalog", "versions").stdout
    assert re.search(r"town-n\ttown\t2026\.2\t9 项\t镇里发布 \S+ \S+ console:\S+\t在用", versions), versions
    assert re.search(r"standard-47\tstandard\t2026\.2\t47 项\t来自 QX01\t在用", versions), versions
    assert "town.catalog_published" in _audited(town_db)


def test_a_running_station_uses_the_new_catalogue_right_after_the_sync(
        tmp_path: Path, town_db: ServiceContext, qx01: ServiceContext) -> None:
    assert qx01.catalog.get("N09") is None  # read once before the sync, as a running window has
    town.publish_catalog(town_db, actor=ADMIN, paths=[_town_n(tmp_path, "2026.2")])
    _sync(qx01, town_db, "QX01")
    assert qx01.catalog.get("N09") is not None


def test_a_station_set_up_after_a_publication_does_not_bring_the_old_catalogue_back(
        tmp_path: Path, town_db: ServiceContext, qx01: ServiceContext) -> None:
    town.publish_catalog(town_db, actor=ADMIN, paths=[_town_n(tmp_path, "2026.2")])
    late = _station(tmp_path / "qx02", "QX02", "V02", "shimen")  # set up today, from the program's files
    try:
        _sync(late, town_db, "QX02")
        _sync(qx01, town_db, "QX01")
        assert [v.version for v in town.catalog_versions(town_db) if v.in_force and v.file_id == "town-n"] == [
            "2026.2"]
    finally:
        late.db.dispose()


def test_a_bad_catalogue_file_is_refused_in_words_and_nothing_is_written(
        tmp_path: Path, town_db: ServiceContext, qx01: ServiceContext, pg_url: str) -> None:
    head = rep.server_head(town_db)
    broken = _town_n(tmp_path, "2026.2")
    data = json.loads(broken.read_text(encoding="utf-8"))
    data["items"][0]["time_limit_days"] = "三天"
    data["items"][1]["code"] = "N01"  # twice
    broken.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    done = _console(pg_url, "catalog", "publish", str(broken))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "目录文件 town-n-2026.2.json 有 2 处错误" in done.stderr and "items[1].code" in done.stderr
    assert "has 2 problem(s)" in done.stderr

    not_json = tmp_path / "town-n-bad.json"
    not_json.write_text('{"format": "stationdesk.catalog/1",', encoding="utf-8")
    done = _console(pg_url, "catalog", "publish", str(not_json))
    assert done.returncode == 1 and "有 1 处错误" in done.stderr and "JSON 格式错误" in done.stderr

    # The same version again, or an older one: refused, so that a station never goes back.
    same = _console(pg_url, "catalog", "publish", str(_town_n(tmp_path, "2026.1")))
    assert same.returncode == 1 and "town-n 的版本 2026.1 不比已有的 2026.1 新" in same.stderr
    assert "is not newer than 2026.1" in same.stderr

    # A station's local file is not the town's to publish; a second standard file would leave every station
    # with two.
    local = _town_n(tmp_path, "2026.3", scope="local", catalog_id="local-qx01")
    local.write_text(re.sub(r'"code": "N(\d\d)"', r'"code": "L\1"', local.read_text(encoding="utf-8")),
                     encoding="utf-8")
    with pytest.raises(DomainError) as refused:
        town.publish_catalog(town_db, actor=ADMIN, paths=[local])
    assert refused.value.code == "town_admin.catalog_local"
    second = tmp_path / "standard-2027.json"
    data = json.loads(resource("catalog", "standard-47.json").read_text(encoding="utf-8"))
    second.write_text(json.dumps({**data, "catalog_id": "standard-2027", "version": "2027.1"}), encoding="utf-8")
    with pytest.raises(DomainError) as two:
        town.publish_catalog(town_db, actor=ADMIN, paths=[second])
    assert two.value.code == "catalog.second_standard"
    assert rep.server_head(town_db) == head and "town.catalog_published" not in _audited(town_db)
    assert [v.version for v in town.catalog_versions(town_db) if v.file_id == "town-n"] == ["2026.1"]


def test_versions_are_compared_as_people_read_them_and_only_the_town_admin_publishes(
        tmp_path: Path, town_db: ServiceContext, qx01: ServiceContext) -> None:
    assert town.version_key("2026.10") > town.version_key("2026.9") > town.version_key("2026.1")
    assert town.version_key("2027") > town.version_key("2026.12")
    clerk = Actor(staff_id="x", username="clerk", display_name="窗口", staff_no="002", role=Role.HEAD,
                  post=Post.A, station_code="QX01")
    with pytest.raises(PermissionDenied):
        town.publish_catalog(town_db, actor=clerk, paths=[_town_n(tmp_path, "2026.2")])
    first = town.publish_catalog(town_db, actor=ADMIN, paths=[_town_n(tmp_path, "2026.9")])
    assert first.changes == 1 and [(v.file_id, v.version, v.size) for v in first.versions] == [("town-n", "2026.9", 9)]
    town.publish_catalog(town_db, actor=ADMIN, paths=[_town_n(tmp_path, "2026.10")])
    with pytest.raises(Conflict) as older:
        town.publish_catalog(town_db, actor=ADMIN, paths=[_town_n(tmp_path, "2026.9.1")])
    assert older.value.params["newest"] == "2026.10"
    assert [(v.version, v.in_force) for v in town.catalog_versions(town_db) if v.file_id == "town-n"] == [
        ("2026.9", False), ("2026.10", True)]


# ---------------------------------------------------------------- the points rules


def test_points_rules_published_on_the_console_are_the_rules_a_station_uses_after_its_sync(
        tmp_path: Path, town_db: ServiceContext, qx01: ServiceContext, pg_url: str) -> None:
    assert points_rules(qx01).version == "2026.1"
    done = _console(pg_url, "rules", "publish", str(_rules_file(tmp_path, "2026.2")))
    assert done.returncode == 0, done.stderr
    assert "已发布积分规则 town-points 2026.2（18 个指标）" in done.stdout
    _sync(qx01, town_db, "QX01")
    rules = points_rules(qx01)  # read from the database each time: no restart needed
    assert rules.version == "2026.2"
    codes = {i.code: i for i in rules.indicators}
    assert codes["T01"].points == 15 and codes["T18"].name == "参加森林防火巡查"

    again = _console(pg_url, "rules", "publish", str(_rules_file(tmp_path, "2026.2")))
    assert again.returncode == 1 and "已经发布过了" in again.stderr
    older = _console(pg_url, "rules", "publish", str(_rules_file(tmp_path, "2025.9")))
    assert older.returncode == 1 and "不比已有的 2026.2 新" in older.stderr
    bad = tmp_path / "rules-bad.json"
    bad.write_text(json.dumps({"format": "stationdesk.points/1", "rules_id": "town-points", "scope": "town",
                               "version": "2026.3"}), encoding="utf-8")
    refused = _console(pg_url, "rules", "publish", str(bad))
    assert refused.returncode == 1 and "积分规则文件 rules-bad.json 有" in refused.stderr
    assert "Traceback" not in refused.stderr
    listed = _console(pg_url, "rules", "versions").stdout
    assert re.search(r"town-points\ttown\t2026\.2\t18 项\t镇里发布 .*\t在用", listed), listed
    assert "2026.3" not in listed
    assert "town.rules_published" in _audited(town_db)


# ---------------------------------------------------------------- staff


def test_staff_added_at_the_town_signs_in_at_the_station_and_a_disabled_one_cannot(
        tmp_path: Path, town_db: ServiceContext, qx01: ServiceContext, pg_url: str) -> None:
    added = _console(pg_url, "staff", "add", "--station", "qx01", "--username", "liming", "--name", "李明",
                     "--role", "clerk", "--post", "B", password="counter-2026")
    assert added.returncode == 0, added.stderr
    assert "已为站点 QX01 添加 李明（liming，工号 002，窗口工作人员，B岗）" in added.stdout
    _sync(qx01, town_db, "QX01")
    actor = authenticate(qx01, username="liming", password="counter-2026")
    assert (actor.station_code, actor.role, actor.post) == ("QX01", Role.CLERK, Post.B)

    listed = _console(pg_url, "staff", "list", "--station", "QX01").stdout
    assert "QX01\t001\tzhanzhang" in listed and "QX01\t002\tliming\t李明\t窗口工作人员\tB岗\t在用" in listed

    disabled = _console(pg_url, "staff", "disable", "liming")
    assert disabled.returncode == 0 and "已停用 李明" in disabled.stdout
    _sync(qx01, town_db, "QX01")
    with pytest.raises(DomainError) as refused:
        authenticate(qx01, username="liming", password="counter-2026")
    assert refused.value.code == "login.failed"
    assert "002\tliming\t李明\t窗口工作人员\tB岗\t已停用" in _console(pg_url, "staff", "list").stdout
    assert "没有改动" in _console(pg_url, "staff", "disable", "liming").stdout

    # Enabled again: the station lets them in after its next sync.
    town.set_staff_active(town_db, actor=ADMIN, username="liming", active=True)
    _sync(qx01, town_db, "QX01")
    assert authenticate(qx01, username="liming", password="counter-2026").username == "liming"
    actions = _audited(town_db)
    assert {"town.staff_added", "town.staff_disabled", "town.staff_enabled"} <= set(actions)


def test_an_account_the_town_disabled_stays_disabled_when_the_station_changed_it_meanwhile(
        tmp_path: Path, town_db: ServiceContext, qx01: ServiceContext) -> None:
    from app.services.security import hash_password

    view, _ = town.add_staff(town_db, actor=ADMIN, station_code="QX01", username="liming", display_name="李明",
                             role=Role.CLERK, post=Post.B, password="counter-2026")
    _sync(qx01, town_db, "QX01")
    town.set_staff_active(town_db, actor=ADMIN, username="liming", active=False)
    # Meanwhile, offline, the station re-hashes the password (as a sign-in does when the hashing rules change):
    # a later version of the whole row, but of another field.
    rehashed = hash_password("counter-2026")
    with qx01.uow() as uow:
        uow.change("staff", view.id, {"password_hash": rehashed})
        uow.commit()
    _sync(qx01, town_db, "QX01")
    _sync(qx01, town_db, "QX01")
    for ctx in (qx01, town_db):
        with ctx.uow() as uow:
            row = uow.repos.staff.by_username("liming")
        assert row is not None and (row["active"], row["password_hash"]) == (False, rehashed)
    with pytest.raises(DomainError):
        authenticate(qx01, username="liming", password="counter-2026")


def test_staff_are_checked_by_the_stations_own_rules(
        town_db: ServiceContext, qx01: ServiceContext, pg_url: str) -> None:
    weak = _console(pg_url, "staff", "add", "--station", "QX01", "--username", "wang", "--name", "王芳",
                    password="1111")
    assert weak.returncode == 1 and "密码" in weak.stderr and "Traceback" not in weak.stderr
    taken = _console(pg_url, "staff", "add", "--station", "QX01", "--username", "zhanzhang", "--name", "张",
                     password="counter-2026")
    assert taken.returncode == 1 and "zhanzhang" in taken.stderr
    nowhere = _console(pg_url, "staff", "add", "--station", "QX99", "--username", "wang", "--name", "王芳",
                       password="counter-2026")
    assert nowhere.returncode == 1 and "镇里没有站点 QX99" in nowhere.stderr
    no_password = _console(pg_url, "staff", "add", "--station", "QX01", "--username", "wang", "--name", "王芳")
    assert no_password.returncode == 1 and "Traceback" not in no_password.stderr
    with pytest.raises(NotFound):
        town.set_staff_active(town_db, actor=ADMIN, username="nobody", active=False)
    view, _ = town.add_staff(town_db, actor=ADMIN, station_code="QX01", username="wang", display_name="王芳",
                             role=Role.HEAD, post=Post.B, password="counter-2026", staff_no="S7")
    assert view.staff_no == "S7" and [s.username for s in town.list_staff(town_db, actor=ADMIN)] == [
        "zhanzhang", "wang"]


# ---------------------------------------------------------------- 好差评 across stations


NAMES = ["赵一", "钱二", "孙三", "李四", "周五", "吴六", "郑七", "王八"]


def _rated_cases(ctx: ServiceContext, head: str, levels: list[int], village: str, seq: int) -> None:
    actor = authenticate(ctx, username=head, password=PASSWORD)
    item = ctx.catalog.item("S08")
    for n, level in enumerate(levels):
        person = register_resident(ctx, actor=actor, name=NAMES[seq + n], village=village,
                                   id_number=make_id(date(1970, 1, 1 + n), True, seq=seq + n))
        case = accept_case(ctx, actor=actor, applicant_id=person.id, item_code="S08",
                           received_materials=[m.code for m in item.materials]).case
        rate_case(ctx, actor=actor, case_id=case.id, level=level, comment="等太久" if level <= 2 else "")


def test_the_town_sees_good_and_bad_ratings_of_every_station_and_the_bad_ones_awaiting_follow_up(
        tmp_path: Path, town_db: ServiceContext, qx01: ServiceContext, pg_url: str) -> None:
    qx02 = _station(tmp_path / "qx02", "QX02", "V02", "shimen")
    try:
        _rated_cases(qx01, "zhanzhang", [5, 5, 4, 1], "V01", 0)
        _rated_cases(qx02, "shimen", [5, 3, 2], "V02", 4)
        _push(qx01, town_db, "QX01")
        _push(qx02, town_db, "QX02")

        report = town.ratings_report(town_db, actor=ADMIN)
        by = {s.station_code: s for s in report.stations}
        assert [n for _, n in by["QX01"].counts] == [2, 1, 0, 0, 1]
        assert (by["QX01"].total, by["QX01"].bad, by["QX01"].bad_share) == (4, 1, 0.25)
        assert (by["QX02"].bad, by["QX02"].awaiting, by["QX02"].overdue) == (1, 1, 0)
        assert sorted((f.station_code, f.level.label_zh) for f in report.awaiting) == [
            ("QX01", "非常不满意"), ("QX02", "不满意")]

        month = datetime.now().strftime("%Y-%m")
        out = _console(pg_url, "report", "ratings", "--month", month)
        assert out.returncode == 0, out.stderr
        assert "QX01\t2\t1\t0\t0\t1\t4\t25.0%\t1" in out.stdout
        assert "QX02\t1\t0\t1\t1\t0\t3\t33.3%\t1" in out.stdout
        assert "待整改回访的差评" in out.stdout and "等太久" in out.stdout
        only = _console(pg_url, "report", "ratings", "--station", "qx02").stdout
        assert "QX02\t" in only and "QX01\t" not in only
        other_month = town.ratings_report(town_db, actor=ADMIN, month="2020-01")
        assert all(s.total == 0 for s in other_month.stations) and other_month.awaiting == ()
        bad = _console(pg_url, "report", "ratings", "--month", "2026-13")
        assert bad.returncode == 1 and "月份“2026-13”不对" in bad.stderr
        assert _audited(town_db).count("town.catalog_published") == 0  # a report changes nothing
    finally:
        qx02.db.dispose()


# ---------------------------------------------------------------- words


def test_every_code_the_town_admin_raises_has_a_message_in_both_languages() -> None:
    source = (ROOT / "app" / "services" / "town_admin.py").read_text(encoding="utf-8")
    codes = set(re.findall(r'(?:Error|Conflict|NotFound|_check_newer)\(\s*"([a-z_]+\.[a-z_.]+)"', source))
    console = (ROOT / "app" / "server" / "__main__.py").read_text(encoding="utf-8")
    codes |= set(re.findall(r'DomainError\("([a-z_]+\.[a-z_.]+)"', console))
    assert {"town_admin.catalog_version_not_newer", "town_admin.unknown_station", "town_admin.no_password"} <= codes
    for code in codes:
        zh, en = MESSAGES[code]
        assert zh and en


def test_the_town_adds_and_renames_villages_that_stations_take_and_cannot_change(
        tmp_path: Path, town_db: ServiceContext, qx01: ServiceContext, pg_url: str) -> None:
    new, changes = town.save_village(town_db, actor=ADMIN, code="V07", name="新村")
    assert new and changes == 1
    town.save_village(town_db, actor=ADMIN, code="V02", name="石门新村")
    _pull(qx01, town_db)
    with qx01.db.engine.connect() as conn:
        names = dict(conn.execute(text("SELECT code, name FROM villages")).all())
    assert names["V07"] == "新村" and names["V02"] == "石门新村"
    shown = _console(pg_url, "town", "show")
    assert shown.returncode == 0 and "V07\t新村\t来自 镇里" in shown.stdout and "QX01" in shown.stdout, shown.stdout
    # The town's own change ends any station's bringing of villages: a new one from a station is refused.
    with qx01.uow() as uow:
        uow.add("villages", {"id": stable_id("village", "V99"), "town_code": "330127101", "code": "V99",
                             "name": "假村"})
        uow.commit()
    done = _push(qx01, town_db, "QX01")
    assert [(r.table, r.code) for r in done.refused] == [("villages", "trust.town_record")]
    listed = _console(pg_url, "security", "--seen")
    assert listed.returncode == 0 and "QX01" in listed.stdout and "已把 1 条标为已看过" in listed.stdout
    assert "共 0 条未看过的安全事件" in _console(pg_url, "security").stdout
    with pytest.raises(Conflict):
        town.set_town(town_db, actor=ADMIN, code="330127999", name="别的镇")
