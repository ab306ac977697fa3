"""The key store: secrets kept apart from the station's database, in ``keys/`` of the data folder — a file only
its owner may read on Linux, a DPAPI blob on Windows (the account's, or the machine's for the all-users folder),
in memory without a data folder; written atomically, names checked."""

from __future__ import annotations

import ast
import os
import stat
import sys
from pathlib import Path

import pytest

from app.domain.errors import DomainError
from app.messages import MESSAGES
from app.persistence import keystore
from app.persistence.keystore import FOLDER, SUFFIX, KeyStore, station_keys

posix_only = pytest.mark.skipif(os.name != "posix", reason="owner-only file modes are POSIX's")
windows_only = pytest.mark.skipif(sys.platform != "win32", reason="DPAPI is Windows'")

SECRET = "q9Vx-3F2A91BC07DE5A10_kept-apart"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_secret_is_kept_read_back_replaced_listed_and_forgotten(tmp_path: Path) -> None:
    keys = KeyStore(tmp_path)
    assert keys.get("sync.credential") is None and keys.names() == []
    keys.put("sync.credential", SECRET)
    keys.put("bundle.key-QX01", "青溪村 key ✓")
    assert keys.get("sync.credential") == SECRET and keys.get("bundle.key-QX01") == "青溪村 key ✓"
    keys.put("sync.credential", "the new one")
    assert keys.get("sync.credential") == "the new one"
    assert keys.names() == ["bundle.key-QX01", "sync.credential"]
    keys.delete("sync.credential")
    keys.delete("sync.credential")  # twice: nothing to forget the second time
    assert keys.get("sync.credential") is None and keys.names() == ["bundle.key-QX01"]
    # Another store on the same folder (the next start) reads the same secrets.
    assert KeyStore(tmp_path).get("bundle.key-QX01") == "青溪村 key ✓"
    assert sorted(p.name for p in (tmp_path / FOLDER).iterdir()) == [f"bundle.key-QX01{SUFFIX}"]  # no temp left


@posix_only
def test_the_folder_is_its_owners_only_and_so_is_every_secret_file(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        KeyStore(tmp_path).put("sync.credential", SECRET)
    finally:
        os.umask(old)
    assert _mode(tmp_path / FOLDER) == 0o700
    assert _mode(tmp_path / FOLDER / f"sync.credential{SUFFIX}") == 0o600


@posix_only
def test_a_keys_folder_others_could_enter_is_closed_when_a_secret_is_stored(tmp_path: Path) -> None:
    (tmp_path / FOLDER).mkdir(mode=0o755)
    os.chmod(tmp_path / FOLDER, 0o755)
    KeyStore(tmp_path).put("sync.credential", SECRET)
    assert _mode(tmp_path / FOLDER) == 0o700


@posix_only
@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604])
def test_a_secret_file_others_can_read_is_refused_in_words(tmp_path: Path, mode: int) -> None:
    keys = KeyStore(tmp_path)
    keys.put("sync.credential", SECRET)
    path = tmp_path / FOLDER / f"sync.credential{SUFFIX}"
    os.chmod(path, mode)
    with pytest.raises(DomainError) as e:
        keys.get("sync.credential")
    assert e.value.code == "keys.too_open" and e.value.params["path"] == str(path)
    os.chmod(path, 0o600)
    assert keys.get("sync.credential") == SECRET


@posix_only
def test_a_secret_file_that_is_a_link_elsewhere_is_not_followed(tmp_path: Path) -> None:
    keys = KeyStore(tmp_path)
    keys.put("a", SECRET)
    os.symlink(tmp_path / FOLDER / f"a{SUFFIX}", tmp_path / FOLDER / f"b{SUFFIX}")
    with pytest.raises(DomainError) as e:
        keys.get("b")
    assert e.value.code == "keys.unreadable"


@pytest.mark.parametrize("name", ["", "../sync.credential", "a/b", "a\\b", ".hidden", "-x", "a b", "x" * 101,
                                  "sync.credential\0", "c:name"])
def test_a_name_that_could_leave_the_folder_or_hide_in_it_is_refused(tmp_path: Path, name: str) -> None:
    keys = KeyStore(tmp_path)
    for call in (lambda: keys.get(name), lambda: keys.put(name, SECRET), lambda: keys.delete(name)):
        with pytest.raises(ValueError):
            call()
    assert not (tmp_path / FOLDER).exists() or list((tmp_path / FOLDER).iterdir()) == []
    with pytest.raises(ValueError):
        KeyStore(None).put(name, SECRET)


def test_a_write_that_fails_half_way_leaves_the_old_secret_and_no_temporary_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    keys = KeyStore(tmp_path)
    keys.put("sync.credential", "the old one")

    def power_cut(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(keystore.os, "replace", power_cut)
    with pytest.raises(DomainError) as e:
        keys.put("sync.credential", "the new one")
    assert e.value.code == "keys.cannot_write" and "No space" in e.value.params["detail"]
    monkeypatch.undo()
    assert keys.get("sync.credential") == "the old one"
    assert [p.name for p in (tmp_path / FOLDER).iterdir()] == [f"sync.credential{SUFFIX}"]


def test_a_file_that_is_not_one_of_ours_is_unreadable_in_words(tmp_path: Path) -> None:
    keys = KeyStore(tmp_path)
    keys.put("sync.credential", SECRET)
    path = tmp_path / FOLDER / f"sync.credential{SUFFIX}"
    path.write_bytes(b"just some text\n")
    if os.name == "posix":
        os.chmod(path, 0o600)
    with pytest.raises(DomainError) as e:
        keys.get("sync.credential")
    assert e.value.code == "keys.unreadable"


@pytest.mark.skipif(sys.platform == "win32", reason="here Windows would try to unseal it")
def test_a_secret_sealed_by_windows_is_unreadable_elsewhere_and_says_to_enrol_again(tmp_path: Path) -> None:
    keys = KeyStore(tmp_path)
    keys.put("sync.credential", SECRET)
    path = tmp_path / FOLDER / f"sync.credential{SUFFIX}"
    path.write_bytes(b"stationdesk-secret 1 dpapi-user\n\x01\x00\x00\x00\xd0\x8c\x9d\xdf")
    if os.name == "posix":
        os.chmod(path, 0o600)
    with pytest.raises(DomainError) as e:
        keys.get("sync.credential")
    assert e.value.code == "keys.unreadable" and "dpapi-user" in e.value.params["detail"]
    assert "station enrol" in MESSAGES["keys.unreadable"][0]


def test_without_a_data_folder_secrets_are_kept_in_memory_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                               ) -> None:
    monkeypatch.chdir(tmp_path)
    keys = KeyStore(None)
    assert keys.kind == "memory"
    keys.put("sync.credential", SECRET)
    assert keys.get("sync.credential") == SECRET and keys.names() == ["sync.credential"]
    assert KeyStore(None).get("sync.credential") is None  # nothing written anywhere
    assert list(tmp_path.iterdir()) == []
    keys.delete("sync.credential")
    assert keys.names() == []


@posix_only
def test_owner_only_takes_groups_and_others_rights_from_a_file_and_leaves_the_owners(tmp_path: Path) -> None:
    path = tmp_path / "station.sqlite3"
    path.write_bytes(b"x")
    os.chmod(path, 0o664)
    keystore.owner_only(path)
    assert _mode(path) == 0o600
    keystore.owner_only(tmp_path / "none-such")  # nothing to do, no error


# -- the Windows way, its logic here with a stand-in for DPAPI (the real one: below, and the Windows workflow) --

class _FakeDpapi:
    """Seals by reversing and tagging with the entropy and the scope; fails to unseal a blob of another PC."""

    def __init__(self) -> None:
        self.sealed: list[bool] = []

    def protect(self, data: bytes, entropy: bytes, *, machine: bool) -> bytes:
        self.sealed.append(machine)
        return (b"M" if machine else b"U") + entropy + b"|" + data[::-1]

    def unprotect(self, blob: bytes, entropy: bytes) -> bytes:
        tag, _, rest = blob[1:].partition(b"|")
        if tag != entropy:
            raise OSError(13, "the data is invalid")
        return rest[::-1]


@pytest.fixture
def windows(monkeypatch: pytest.MonkeyPatch) -> _FakeDpapi:
    fake = _FakeDpapi()
    monkeypatch.setattr(keystore, "_WINDOWS", True)
    monkeypatch.setattr(keystore, "_protect", fake.protect)
    monkeypatch.setattr(keystore, "_unprotect", fake.unprotect)
    return fake


@pytest.mark.parametrize(("all_users", "kind"), [(False, "dpapi-user"), (True, "dpapi-machine")])
def test_on_windows_a_secret_is_sealed_for_the_account_or_for_the_machine_of_a_shared_folder(
        tmp_path: Path, windows: _FakeDpapi, all_users: bool, kind: str) -> None:
    keys = KeyStore(tmp_path, all_users=all_users)
    assert keys.kind == kind
    keys.put("sync.credential", SECRET)
    body = (tmp_path / FOLDER / f"sync.credential{SUFFIX}").read_bytes()
    assert body.startswith(f"stationdesk-secret 1 {kind}\n".encode()) and SECRET.encode() not in body
    assert windows.sealed == [all_users]
    assert keys.get("sync.credential") == SECRET and windows.sealed == [all_users]  # read as it is


def test_on_windows_a_blob_another_pc_sealed_is_unreadable_and_a_copied_one_does_not_pass_for_another_name(
        tmp_path: Path, windows: _FakeDpapi) -> None:
    keys = KeyStore(tmp_path)
    keys.put("sync.credential", SECRET)
    folder = tmp_path / FOLDER
    (folder / f"other{SUFFIX}").write_bytes((folder / f"sync.credential{SUFFIX}").read_bytes())
    if os.name == "posix":
        os.chmod(folder / f"other{SUFFIX}", 0o600)
    with pytest.raises(DomainError) as e:
        keys.get("other")
    assert e.value.code == "keys.unreadable" and "Windows could not unseal it" in e.value.params["detail"]


def test_on_windows_a_folder_brought_from_linux_or_made_shared_is_sealed_as_it_should_be_when_read(
        tmp_path: Path, windows: _FakeDpapi, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keystore, "_WINDOWS", False)
    KeyStore(tmp_path).put("sync.credential", SECRET)  # plain, as on Linux
    monkeypatch.setattr(keystore, "_WINDOWS", True)
    path = tmp_path / FOLDER / f"sync.credential{SUFFIX}"
    assert KeyStore(tmp_path).get("sync.credential") == SECRET
    assert path.read_bytes().startswith(b"stationdesk-secret 1 dpapi-user\n") and SECRET.encode() not in \
        path.read_bytes()
    assert KeyStore(tmp_path, all_users=True).get("sync.credential") == SECRET  # now the all-users folder
    assert path.read_bytes().startswith(b"stationdesk-secret 1 dpapi-machine\n")
    assert windows.sealed == [False, True]


def test_the_all_users_folder_and_its_demo_station_get_the_machines_seal_and_a_personal_one_the_accounts(
        tmp_path: Path, windows: _FakeDpapi, monkeypatch: pytest.MonkeyPatch) -> None:
    shared = tmp_path / "ProgramData" / "StationDesk"
    monkeypatch.setattr("app.paths.all_users_data_dir", lambda: shared)
    assert station_keys(shared).all_users and station_keys(shared / "demo").all_users
    assert not station_keys(tmp_path / "AppData" / "Local" / "StationDesk").all_users
    assert station_keys(None).kind == "memory"


def test_every_code_the_key_store_raises_has_a_message_in_both_languages() -> None:
    tree = ast.parse(Path(keystore.__file__).read_text(encoding="utf-8"))
    codes = {node.value for node in ast.walk(tree)
             if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("keys.")}
    codes |= {"keys.credential_missing"}  # raised by app/services/replication.py
    assert {"keys.unreadable", "keys.too_open", "keys.cannot_write"} <= codes
    for code in codes:
        zh, en = MESSAGES[code]
        assert zh and en


# -- the real DPAPI: runs on Windows (the Windows workflow runs this file) --------------------------------------

@windows_only
@pytest.mark.parametrize("all_users", [False, True])
def test_windows_seals_a_secret_with_dpapi_and_unseals_it_again(tmp_path: Path, all_users: bool) -> None:
    keys = KeyStore(tmp_path, all_users=all_users)
    keys.put("sync.credential", SECRET)
    body = (tmp_path / FOLDER / f"sync.credential{SUFFIX}").read_bytes()
    assert SECRET.encode() not in body and SECRET.encode("utf-16-le") not in body
    assert KeyStore(tmp_path).get("sync.credential") == SECRET
    # The blob is bound to its name: copied under another it does not unseal.
    (tmp_path / FOLDER / f"other{SUFFIX}").write_bytes(body)
    with pytest.raises(DomainError) as e:
        keys.get("other")
    assert e.value.code == "keys.unreadable"
