"""The admin CLI run as people run it: ``python -m app.cli`` in a subprocess, on a real demo station."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

CASE_NO = re.compile(r"QX01-\d{8}-\d{4}")
REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


def cli(data_dir: Path | None, *args: str, user: str = "xiaoli", password: str = "demo2026") -> Run:
    env = {**os.environ, "STATIONDESK_USER": user, "STATIONDESK_PASSWORD": password, "PYTHONIOENCODING": "utf-8"}
    env.pop("STATIONDESK_NEW_PASSWORD", None)
    if data_dir is not None:
        env["STATIONDESK_DATA_DIR"] = str(data_dir)  # never the real per-user folder
        args = ("--data-dir", str(data_dir), *args)
    proc = subprocess.run([sys.executable, "-m", "app.cli", *args], capture_output=True, text=True,
                          encoding="utf-8", env=env, cwd=REPO, timeout=300, stdin=subprocess.DEVNULL)
    return Run(proc.returncode, proc.stdout, proc.stderr)


def ok(run: Run) -> Run:
    assert run.code == 0, run.text
    assert "Traceback" not in run.text
    return run


def refused(run: Run, code: int = 1) -> Run:
    assert run.code == code, run.text
    assert "Traceback" not in run.text
    return run


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("cli") / "station"
    run = ok(cli(data_dir, "demo", "--residents", "300"))
    assert "演示站点已建好" in run.out
    return data_dir


@pytest.fixture(scope="module")
def resident_id(demo: Path) -> str:
    found = json.loads(ok(cli(demo, "residents", "find", "zs", "--json")).out)
    return str(found["residents"][0]["id"])


def test_demo_then_info_shows_the_station(demo: Path) -> None:
    run = ok(cli(demo, "info"))
    assert "青溪镇" in run.out
    assert "青溪村便民服务站（QX01）" in run.out
    assert "standard-47@" in run.out


def test_demo_refuses_to_overwrite_a_station(demo: Path) -> None:
    run = refused(cli(demo, "demo", "--residents", "10"))
    assert "QX01" in run.err


def test_catalog_list_shows_the_47_standard_and_8_town_items(demo: Path) -> None:
    assert "共 55 项" in ok(cli(demo, "catalog", "list")).out
    data = json.loads(ok(cli(demo, "--json", "catalog", "list")).out)
    codes = [i["code"] for i in data["items"]]
    assert len(codes) == 55
    assert codes[:2] == ["S01", "S02"]
    assert sum(c.startswith("N") for c in codes) == 8


def test_catalog_show_lists_the_materials_and_the_form(demo: Path) -> None:
    run = ok(cli(demo, "catalog", "show", "s07"))
    assert "S07 社会保障卡申领/补换" in run.out
    assert "30个工作日" in run.out
    assert "居民身份证" in run.out
    assert "办理原因" in run.out


def test_residents_find_by_pinyin_initials_gives_json(demo: Path, resident_id: str) -> None:
    data = json.loads(ok(cli(demo, "residents", "find", "zs", "--json")).out)
    assert isinstance(data["residents"], list) and data["residents"]
    for r in data["residents"]:
        assert "*" in r["id_masked"]
    assert resident_id in {r["id"] for r in data["residents"]}


def test_residents_find_shows_every_id_number_as_its_first_6_and_last_4_only(demo: Path) -> None:
    data = json.loads(ok(cli(demo, "residents", "find", "zs", "--json")).out)
    assert data["residents"]
    assert all(re.fullmatch(r"330127\*{8}\d{3}[0-9X]", r["id_masked"]) for r in data["residents"])
    text = ok(cli(demo, "residents", "find", "zs")).out
    assert re.search(r"330127\*{8}\d{3}[0-9X]", text)
    assert not re.search(r"(?<!\d)\d{17}[0-9X](?!\d)", text)


def test_accepting_with_all_materials_prints_the_case_number(demo: Path, resident_id: str) -> None:
    run = ok(cli(demo, "case", "accept", "--resident", resident_id, "--item", "S08", "--all-materials"))
    assert "已受理" in run.out
    assert CASE_NO.search(run.out)


def test_accepting_with_missing_materials_exits_3_with_the_one_time_notice(demo: Path, resident_id: str) -> None:
    run = refused(cli(demo, "case", "accept", "--resident", resident_id, "--item", "S07", "--material", "M01",
                      "--field", "reason=遗失"), code=3)
    assert "一次性告知" in run.out
    assert "✗ 缺 居民身份证" in run.out
    assert "社会保障卡申领（补换）登记表" in run.out
    assert CASE_NO.search(run.out)


def test_a_case_is_forwarded_completed_and_listed(demo: Path, resident_id: str) -> None:
    run = ok(cli(demo, "--json", "case", "accept", "--resident", resident_id, "--item", "S08", "--all-materials"))
    case_no = json.loads(run.out)["case"]["case_no"]
    assert "已转报" in ok(cli(demo, "case", "forward", case_no, "--to", "镇人社所")).out
    assert "已办结" in ok(cli(demo, "case", "complete", case_no)).out
    listed = json.loads(ok(cli(demo, "case", "list", "--json")).out)
    assert isinstance(listed, list)
    mine = [c for c in listed if c["case_no"] == case_no]
    assert mine and mine[0]["state"] == "completed"
    shown = ok(cli(demo, "case", "show", case_no)).out
    assert "转报至镇人社所" in shown


def test_check_passes_and_backup_writes_a_checked_file(demo: Path, tmp_path: Path) -> None:
    run = ok(cli(demo, "check", user="zhanzhang"))
    assert "检查通过" in run.out
    usb = tmp_path / "usb"
    usb.mkdir()
    run = ok(cli(demo, "--json", "backup", "--to", str(usb), user="zhanzhang"))
    path = Path(json.loads(run.out)["backup"])
    assert path.parent == usb and path.stat().st_size > 0


def test_a_clerk_may_not_run_the_check(demo: Path) -> None:
    run = refused(cli(demo, "check"))
    assert "站长" in run.err


def test_check_json_says_what_is_covered_and_an_anchor_is_read_off_a_printed_close(demo: Path) -> None:
    run = ok(cli(demo, "--json", "check", "--offline", user="zhanzhang"))
    said = json.loads(run.out)
    assert said["ok"] and {c["kind"] for c in said["covered"]} >= {"payments", "audit_log", "points_entries"}
    assert {c["kind"] for c in said["not_covered"]} >= {"cases", "residents", "staff"}
    run = refused(cli(demo, "check", "--offline", "--anchor", "99999:0123456789abcdef", user="zhanzhang"))
    assert "日结单上印的位置" in run.out and "末尾的记录被删掉了" in run.out
    run = refused(cli(demo, "check", "--anchor", "第几环", user="zhanzhang"))
    assert "看不懂" in run.err


def test_only_the_station_head_may_enrol_the_station(demo: Path) -> None:
    run = refused(cli(demo, "station", "enrol", "https://town.example.cn", "3F2A-91BC-07DE-5A10"))
    assert "站长" in run.err  # a clerk may not give this PC the town's trust


# -- bad input never shows a traceback -----------------------------------------------------------------

def test_an_unknown_item_code_is_refused_plainly(demo: Path, resident_id: str) -> None:
    run = refused(cli(demo, "case", "accept", "--resident", resident_id, "--item", "S99", "--all-materials"))
    assert run.err.strip()


def test_an_unknown_case_number_is_refused_plainly(demo: Path) -> None:
    run = refused(cli(demo, "case", "complete", "QX01-20990101-0001"))
    assert "找不到办件 QX01-20990101-0001" in run.err


def test_a_badly_written_field_is_refused_plainly(demo: Path, resident_id: str) -> None:
    run = refused(cli(demo, "case", "accept", "--resident", resident_id, "--item", "S07", "--all-materials",
                      "--field", "reason"))
    assert "key=值" in run.err


def test_a_bad_field_value_names_the_field(demo: Path, resident_id: str) -> None:
    run = refused(cli(demo, "case", "accept", "--resident", resident_id, "--item", "N01",
                      "--field", "account_no=100234567", "--field", "amount=很多"))
    assert "缴费金额" in run.err


def test_a_wrong_password_is_refused_plainly(demo: Path) -> None:
    run = refused(cli(demo, "case", "list", password="not-the-password"))
    assert "密码" in run.err
    ok(cli(demo, "case", "list"))  # a single failure does not lock the account


def test_a_data_folder_without_a_station_says_so(tmp_path: Path) -> None:
    run = refused(cli(tmp_path / "empty", "info"))
    assert "还没有建立站点" in run.err


def test_english_messages_with_lang_en(tmp_path: Path) -> None:
    run = refused(cli(tmp_path / "empty", "--lang", "en", "info"))
    assert "No station is set up here yet" in run.err
    assert "还没有" not in run.err


def test_a_usage_error_exits_2_without_a_traceback(demo: Path) -> None:
    refused(cli(demo, "case", "frobnicate"), code=2)
    refused(cli(demo, "case", "list", "--day", "yesterday"), code=2)


def test_an_internal_error_is_logged_and_the_user_gets_one_plain_line(tmp_path: Path) -> None:
    data_dir = tmp_path / "odd"
    (data_dir / "station.sqlite3").mkdir(parents=True)  # a folder where the database file should be
    run = refused(cli(data_dir, "info"), code=70)
    log = data_dir / "logs" / "cli-errors.log"
    assert str(log) in run.err
    assert "Traceback" in log.read_text(encoding="utf-8")


def test_the_error_log_rotates_instead_of_growing_for_ever(tmp_path: Path) -> None:
    data_dir = tmp_path / "odd"
    (data_dir / "station.sqlite3").mkdir(parents=True)
    logs = data_dir / "logs"
    logs.mkdir()
    (logs / "cli-errors.log").write_text("old line\n" * 120_000, encoding="utf-8")  # over 1 MB
    refused(cli(data_dir, "info"), code=70)
    assert (logs / "cli-errors.log.1").read_text(encoding="utf-8").startswith("old line")
    assert "Traceback" in (logs / "cli-errors.log").read_text(encoding="utf-8")
    assert (logs / "cli-errors.log").stat().st_size < 1_000_000


@pytest.mark.parametrize("command", [("residents", "find", "zs"), ("case", "list")])
def test_reading_personal_data_needs_a_login(demo: Path, command: tuple[str, ...]) -> None:
    run = refused(cli(demo, *command, password="not-the-password"))
    assert "张" not in run.out


def test_a_damaged_database_gets_a_plain_message_naming_the_backups_and_no_log_of_an_internal_error(
        tmp_path: Path) -> None:
    data_dir = tmp_path / "damaged"
    data_dir.mkdir()
    (data_dir / "station.sqlite3").write_bytes(b"this is not a database, it was overwritten " * 200)
    run = refused(cli(data_dir, "info"))
    assert "打不开" in run.err and str(data_dir / "backups") in run.err
    assert not (data_dir / "logs" / "cli-errors.log").exists()


def test_a_catalogue_file_that_is_not_json_or_not_utf8_is_refused_with_its_place(demo: Path, tmp_path: Path) -> None:
    broken = tmp_path / "town-n.json"
    broken.write_text('{"format": "stationdesk-catalog",\n  "items": [', encoding="utf-8")
    run = refused(cli(demo, "catalog", "install", str(broken), user="zhanzhang"))
    assert "目录文件 town-n.json 有 1 处错误" in run.err and "第 2 行" in run.err and "{count}" not in run.err
    broken.write_bytes("{\"名称\": 1}".encode("gbk"))
    run = refused(cli(demo, "catalog", "install", str(broken), user="zhanzhang"))
    assert "不是 UTF-8 编码" in run.err and "{count}" not in run.err


# -- restore: a station head signs in, only this station's backups ----------------------------------------------

@pytest.fixture(scope="module")
def backed_up(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo station with one backup by hand, built once; each test restores on its own copy."""
    data_dir = tmp_path_factory.mktemp("restore") / "station"
    ok(cli(data_dir, "demo", "--residents", "200"))
    ok(cli(data_dir, "backup", user="zhanzhang"))
    return data_dir


def _copy(template: Path, tmp_path: Path) -> tuple[Path, Path]:
    import shutil

    data_dir = tmp_path / "station"
    shutil.copytree(template, data_dir)
    [made] = list((data_dir / "backups").glob("station-*.sqlite3"))
    return data_dir, made


def _sql(path: Path, query: str, *params: object) -> list[tuple[object, ...]]:
    import sqlite3

    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(query, params).fetchall()
        conn.commit()
        return rows
    finally:
        conn.close()


def test_restore_needs_a_station_heads_sign_in_and_is_audited_in_both_files(backed_up: Path, tmp_path: Path) -> None:
    data_dir, made = _copy(backed_up, tmp_path)
    db = data_dir / "station.sqlite3"
    refused(cli(data_dir, "restore", str(made), "--yes", user=""))  # nobody signed in
    run = refused(cli(data_dir, "restore", str(made), "--yes", user="xiaoli"))
    assert "不能做这项操作" in run.err
    run = refused(cli(data_dir, "restore", str(made), "--yes", user="zhanzhang", password="not-the-password"))
    assert "密码不对" in run.err
    assert not list((data_dir / "backups").glob("before-restore-*"))
    done = json.loads(ok(cli(data_dir, "--json", "restore", str(made), "--yes", user="zhanzhang")).out)
    safety = Path(done["safety_copy"])
    assert done["by"] == "zhanzhang" and done["station"] == "QX01" and safety.exists()
    assert _sql(safety, "SELECT count(*) FROM audit_log WHERE action = 'station.restore_started'") == [(1,)]
    [(detail,)] = _sql(db, "SELECT detail FROM audit_log WHERE action = 'station.restored'")
    assert json.loads(str(detail))["safety_copy"] == safety.name
    assert _sql(db, "SELECT value FROM meta WHERE key = 'sync.recover'") == [(done["sync_recover"],)]
    ok(cli(data_dir, "check", user="zhanzhang"))


def test_an_emptied_station_file_is_reported_and_restored_by_a_head_held_in_the_backup(backed_up: Path,
                                                                                      tmp_path: Path) -> None:
    data_dir, _ = _copy(backed_up, tmp_path)
    db = data_dir / "station.sqlite3"
    db.write_bytes(b"")
    run = refused(cli(data_dir, "check", user="zhanzhang"))
    assert "打不开" in run.err and "empty" in run.err
    assert db.stat().st_size == 0  # not made into an empty station
    run = ok(cli(data_dir, "backups"))
    assert "本站的数据库文件有问题" in run.out and "← 最近一次完好" in run.out
    refused(cli(data_dir, "restore", "--last", "--yes", user="zhanzhang", password="not-the-password"))
    refused(cli(data_dir, "restore", "--last", "--yes", user="xiaoli"))  # a clerk, even as the backup knows her
    run = ok(cli(data_dir, "restore", "--last", "--yes", user="zhanzhang"))
    assert "已恢复" in run.out
    [(detail,)] = _sql(db, "SELECT detail FROM audit_log WHERE action = 'station.restored'")
    assert json.loads(str(detail))["signed_in_to"] == "backup"
    ok(cli(data_dir, "check", user="zhanzhang"))


def test_another_stations_backup_is_refused_naming_both(backed_up: Path, tmp_path: Path) -> None:
    import shutil

    data_dir, made = _copy(backed_up, tmp_path)
    theirs = tmp_path / "qx02.sqlite3"
    shutil.copyfile(made, theirs)
    _sql(theirs, "UPDATE meta SET value = 'QX02' WHERE key = 'station_code'")
    _sql(theirs, "UPDATE stations SET code = 'QX02' WHERE code = 'QX01'")
    run = refused(cli(data_dir, "restore", str(theirs), "--yes", user="zhanzhang"))
    assert "QX02 站的备份" in run.err and "QX01" in run.err
    run = refused(cli(data_dir, "--lang", "en", "restore", str(theirs), "--yes", user="zhanzhang"))
    assert "backup of station QX02, not of this station (QX01)" in run.err


def test_with_nothing_saying_which_station_lived_here_the_station_is_named(backed_up: Path, tmp_path: Path) -> None:
    data_dir, _ = _copy(backed_up, tmp_path)
    (data_dir / "station.sqlite3").write_bytes(b"")
    (data_dir / "station.json").unlink()
    run = refused(cli(data_dir, "restore", "--last", "--yes", user="zhanzhang"))
    assert "--station" in run.err
    ok(cli(data_dir, "restore", "--last", "--yes", "--station", "QX01", user="zhanzhang"))
    assert (data_dir / "station.json").exists()
