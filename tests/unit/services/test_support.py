"""The support bundle: what a technician needs, and no resident's personal data."""

from __future__ import annotations

import json
import os
import zipfile
from datetime import date
from pathlib import Path

import pytest

from app.domain.errors import DomainError
from app.persistence.database import describe
from app.services.cases import accept_case
from app.services.replication import save_sync_settings
from app.services.residents import register_resident
from app.services.support import mask_personal, write_support_bundle
from tests.conftest import StationFixture
from tests.helpers import make_id


@pytest.mark.parametrize(("line", "masked"), [
    ("id 330127199001011234 ok", "id 330127********1234 ok"),
    ("id 33012719900101123X ok", "id 330127********123X ok"),
    ("身份证330127199001011234，电话13812345678。", "身份证330127********1234，电话138****5678。"),
    ("old 330127900101123 id", "old 330127*****1123 id"),  # first 6 and last 4, as a 15-digit number shows
    ("mobile 13812345678", "mobile 138****5678"),
    # not personal: case numbers, times, counts and longer digit runs are left alone
    ("case QX01-20261124-0007 at 2026-11-24T09:15:02", "case QX01-20261124-0007 at 2026-11-24T09:15:02"),
    ("seq 12345678901234567890 done", "seq 12345678901234567890 done"),
    ("hlc 00001764000000000-0001.ab12cd", "hlc 00001764000000000-0001.ab12cd"),
])
def test_id_card_and_mobile_numbers_are_masked_in_logs(line: str, masked: str) -> None:
    assert mask_personal(line) == masked


def _contents(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name).decode("utf-8") for name in z.namelist()}


def test_the_bundle_holds_logs_versions_settings_and_a_check_but_no_personal_data(station: StationFixture,
                                                                                     tmp_path: Path) -> None:
    ctx = station.ctx
    id_number = make_id(date(1961, 3, 9), False)
    person = register_resident(ctx, actor=station.head, name="赵春梅", id_number=id_number, village="V01",
                               phone="13905710001")
    item = ctx.catalog.item("S08")
    accept_case(ctx, actor=station.head, applicant_id=person.id, item_code="S08",
                received_materials=[m.code for m in item.materials])
    save_sync_settings(ctx, url="https://town.example", credential="very-secret-credential-value")
    logs = station.data_dir / "logs"
    logs.mkdir(exist_ok=True)
    (logs / "counter.log").write_text(f"INFO accepted for {id_number} phone 13905710001\n", encoding="utf-8")
    (logs / "counter.log.1").write_text("INFO an older line\n", encoding="utf-8")

    bundle = write_support_bundle(ctx, actor=station.head, dest=tmp_path / "usb",
                                  data_location=(str(station.data_dir), "per-user"), extra_versions={"qt": "6.x"})

    assert bundle.path.parent == tmp_path / "usb" and bundle.path.suffix == ".zip"
    assert bundle.check_ran
    files = _contents(bundle.path)
    assert set(files) == {"versions.json", "settings.json", "check.json", "logs/counter.log", "logs/counter.log.1"}
    versions = json.loads(files["versions.json"])
    assert versions["schema_revision"] and versions["sqlite"] and versions["qt"] == "6.x"
    settings = json.loads(files["settings.json"])
    assert settings["data_mode"] == "per-user"
    assert settings["tables"]["cases"] == 1 and settings["tables"]["residents"] == 1
    assert settings["station_settings"]["sync.url"] == "https://town.example"
    check = json.loads(files["check.json"])
    assert check["ok"] is True and check["cases"] == 1
    everything = "\n".join(files.values())
    for personal in (person.name, id_number, "13905710001", "very-secret-credential-value"):
        assert personal not in everything
    assert f"{id_number[:6]}********{id_number[-4:]}" in files["logs/counter.log"]


def test_a_clerk_gets_a_bundle_without_the_check(station: StationFixture, tmp_path: Path) -> None:
    bundle = write_support_bundle(station.ctx, actor=station.clerk, dest=tmp_path / "out.zip")
    assert bundle.path == tmp_path / "out.zip" and not bundle.check_ran
    check = json.loads(_contents(bundle.path)["check.json"])
    assert check["ok"] is None and "站长" in check["skipped"]


def test_an_existing_file_is_not_overwritten_and_an_unwritable_place_is_said_in_words(
        station: StationFixture, tmp_path: Path) -> None:
    target = tmp_path / "out.zip"
    target.write_bytes(b"the technician's own file")
    with pytest.raises(DomainError) as e:
        write_support_bundle(station.ctx, actor=station.head, dest=target)
    assert e.value.code == "support.exists"
    assert target.read_bytes() == b"the technician's own file"
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(DomainError) as e:
        write_support_bundle(station.ctx, actor=station.head, dest=blocker / "usb")
    assert e.value.code == "support.cannot_write"


def test_the_key_store_never_enters_the_bundle_only_its_names_and_a_secret_in_a_log_is_masked(
        station: StationFixture, tmp_path: Path) -> None:
    ctx = station.ctx
    credential = "Zk3-very-secret-credential-value-of-43-chars"
    save_sync_settings(ctx, url="https://town.example", credential=credential)
    ctx.keys.put("bundle.key", "another-secret-the-station-keeps")
    assert (station.data_dir / "keys").is_dir()
    logs = station.data_dir / "logs"
    logs.mkdir(exist_ok=True)
    (logs / "counter.log").write_text(f"DEBUG sent Authorization: Bearer {credential} to the town\n",
                                      encoding="utf-8")

    bundle = write_support_bundle(ctx, actor=station.head, dest=tmp_path / "usb")

    files = _contents(bundle.path)
    assert not any(name.startswith("keys/") or "secret" in name for name in files)
    everything = "\n".join(files.values())
    for secret in (credential, "another-secret-the-station-keeps"):
        assert secret not in everything
    assert "Authorization: Bearer [secret] to the town" in files["logs/counter.log"]
    settings = json.loads(files["settings.json"])
    assert settings["key_store"]["kept_by"] == ("file" if os.name == "posix" else "dpapi-user")
    assert {"bundle.key", "sync.credential", "seal.current"} <= set(settings["key_store"]["names"])
    seal_key = ctx.keys.get(f"seal.key.{ctx.keys.get('seal.current')}")  # the key the station seals with
    assert seal_key and seal_key not in everything
    assert "sync.credential" not in settings["station_settings"]
    assert settings["station_settings"]["sync.enrolled_at"]


def test_describe_holds_no_credential_and_the_station_database_never_did(station: StationFixture) -> None:
    credential = "Zk3-very-secret-credential-value-of-43-chars"
    save_sync_settings(station.ctx, url="https://town.example", credential=credential)
    described = describe(station.ctx.db)
    assert credential not in json.dumps(described, ensure_ascii=False)
    assert described["meta"]["sync.url"] == "https://town.example"  # type: ignore[index]
    with station.ctx.read() as uow:
        assert uow.meta_get("sync.credential") is None
