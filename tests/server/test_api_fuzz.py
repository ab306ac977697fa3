"""The town server's API fuzzed from its own OpenAPI description (schemathesis, in process on the ASGI app, on
a real PostgreSQL): whatever a request holds, the server never fails with a 5xx, and every refusal is a JSON
body with its code and a sentence in Chinese and English. Then the refusals a station may really meet, one by
one: a body that is not JSON, a body too big, more changes than the protocol allows, an old protocol."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from app.persistence.database import Database
from app.server.__main__ import CONSOLE
from app.server.app import MAX_BODY_BYTES, create_app
from app.services import replication as rep
from app.services.context import ServiceContext
from app.sync.protocol import API, PROTOCOL_VERSION, WireChange
from tests.server.test_http_sync import Server
from tests.server.test_replication import _station, _work

STATION = "QX01"
EXAMPLES = 40  # per operation, mode and credential: the file stays within seconds


class Town:
    """The server's app on its own database, with one enrolled station whose credential the tests hold."""

    def __init__(self, pg_url: str) -> None:
        self.ctx = ServiceContext(db=Database.open_url(pg_url))
        self.app = create_app(self.ctx)
        code = rep.enrol_station(self.ctx, actor=CONSOLE, station_code=STATION, name="青溪村")
        credential = rep.redeem_enrolment(self.ctx, station_code=STATION, enrol_code=code).credential
        self.headers = {"Authorization": f"Bearer {credential}", "X-Station": STATION,
                        "X-Protocol": str(PROTOCOL_VERSION)}


@pytest.fixture
def town(pg_url: str) -> Iterator[Town]:
    t = Town(pg_url)
    try:
        yield t
    finally:
        t.ctx.db.dispose()


def _assert_refused_in_words(response: Any) -> dict[str, Any]:
    """A refusal: 4xx, JSON with its code and both sentences (never a traceback or a bare 'detail')."""
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:500])
    body = response.json()
    assert isinstance(body, dict), body
    assert body.get("code") and body.get("zh") and body.get("en"), body
    assert "Traceback" not in response.text
    return body


def _fuzz(town: Town, op: Any, mode: GenerationMode, as_station: bool, seen: set[tuple[str, int]]) -> None:
    """Draw cases of one operation and send each: never a 5xx; every refusal in words."""
    label = f"{op.method.upper()} {op.path}"
    ours = {h.lower() for h in town.headers}

    @given(case=op.as_strategy(mode))
    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    def one(case: Any) -> None:
        if as_station:
            case.headers = {k: v for k, v in (case.headers or {}).items() if k.lower() not in ours} | town.headers
        response = case.call()
        where = (label, mode.value, as_station, response.status_code, response.text[:500])
        assert response.status_code < 500, where
        if response.status_code >= 400:
            _assert_refused_in_words(response)
        seen.add((label, response.status_code))

    try:
        one()
    except Unsatisfiable:  # nothing to break in a request without a body or a query (health)
        assert mode is GenerationMode.NEGATIVE and not (op.body or op.query), label


# Schemathesis' lazy pytest loader (``from_fixture``) does not run on pytest 9.2 (it sets a private node
# attribute pytest no longer has), and the app needs this test's database: so the schema is loaded inside the
# test, and each operation's cases are drawn with Hypothesis from ``operation.as_strategy``.
def test_no_generated_request_makes_the_server_fail(town: Town) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", town.app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {f"{op.method.upper()} {op.path}" for op in operations} >= {
        f"GET {API}/health", f"POST {API}/enrol", f"POST {API}/push", f"GET {API}/pull", f"GET {API}/stations"}
    seen: set[tuple[str, int]] = set()
    for op in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            # As generated (the credential is fuzzed too: mostly refused at the door), and as the enrolled
            # station (so that generated bodies and queries reach the replication services).
            for as_station in (False, True):
                _fuzz(town, op, mode, as_station, seen)
    # The fuzzing reached past the door: the station's pushes were taken and refused, its pulls answered.
    assert {(f"POST {API}/push", 200), (f"GET {API}/pull", 200), (f"POST {API}/push", 403),
            (f"POST {API}/push", 422)} <= seen, sorted(seen)


def test_a_station_row_that_does_not_fit_the_town_database_is_never_a_500(tmp_path: Path, town: Town,
                                                                          http: TestClient) -> None:
    station = _station(tmp_path / "a", STATION, "V01", "zhanzhang")
    try:
        _work(station, "zhanzhang", [("张三", date(1980, 5, 6))], "V01")
        changes = [WireChange.of(c).model_dump() for c in rep.outbox(station, limit=500)]
    finally:
        station.db.dispose()
    sent = iter(range(10**9))
    values = st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=False,
                       allow_infinity=False), st.text(max_size=300), st.text(alphabet="0123456789-:T", max_size=30))

    @given(n=st.integers(0, len(changes) - 1), data=st.data())
    @settings(max_examples=EXAMPLES * 3, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    def one(n: int, data: st.DataObject) -> None:
        change = json.loads(json.dumps(changes[n]))
        field = data.draw(st.sampled_from(sorted(change["row"])))
        if data.draw(st.booleans()):
            change["row"][field] = data.draw(values)
        else:
            del change["row"][field]  # a row from a release that has no such column
        change["change_id"] = f"fuzz-{next(sent)}"
        reply = http.post(f"{API}/push", json={"batch_id": "b", "changes": [change]}, headers=town.headers)
        assert reply.status_code < 500, (change["table"], field, change["row"].get(field), reply.text[:300])
        if reply.status_code >= 400:
            _assert_refused_in_words(reply)

    one()


@pytest.fixture
def http(town: Town) -> Iterator[TestClient]:
    with TestClient(town.app, base_url="http://town", raise_server_exceptions=False) as c:
        yield c


def _change(n: int, size: int = 0) -> dict[str, Any]:
    return {"change_id": f"c-{n:08d}", "table": "residents", "row_id": f"r-{n:08d}", "op": "upsert",
            "hlc": f"{n:016d}.0001", "row": {"id": f"r-{n:08d}", "note": "x" * size}}


def test_a_body_that_is_not_json_is_refused_in_words(town: Town, http: TestClient) -> None:
    for body, kind in ((b'{"batch_id": "x", "changes": [', "application/json"),  # cut short on the way
                       (b"\xff\xfe\x00garbage", "application/json"),  # not even text
                       (b"batch_id=x", "application/x-www-form-urlencoded")):  # not JSON at all
        reply = http.post(f"{API}/push", content=body, headers={**town.headers, "Content-Type": kind})
        said = _assert_refused_in_words(reply)
        assert said["code"] == "sync.bad_request" and "升级软件" in said["zh"] and "update" in said["en"], said
    assert rep.server_head(town.ctx) == 0


def test_a_body_over_the_limit_is_refused_unread_with_413(town: Town, http: TestClient) -> None:
    # A well-formed batch of a few changes whose rows are huge: refused by its size, before it is parsed.
    big = json.dumps({"batch_id": "big", "changes": [_change(n, 1024 * 1024) for n in range(17)]}).encode()
    assert len(big) > MAX_BODY_BYTES
    reply = http.post(f"{API}/push", content=big, headers={**town.headers, "Content-Type": "application/json"})
    assert reply.status_code == 413
    said = _assert_refused_in_words(reply)
    assert said["code"] == "sync.too_large" and "太大" in said["zh"] and "too big" in said["en"]
    assert "超过 16 MB" in said["zh"] and "over 16 MB" in said["en"]

    # The same sent in chunks without a length: refused as soon as it passes the limit.
    def chunks() -> Iterator[bytes]:
        for i in range(0, len(big), 1024 * 1024):
            yield big[i:i + 1024 * 1024]

    reply = http.post(f"{API}/push", content=chunks(), headers={**town.headers, "Content-Type": "application/json"})
    assert reply.status_code == 413 and reply.json()["code"] == "sync.too_large"
    assert rep.server_head(town.ctx) == 0  # nothing of it applied

    # Just under the limit is read and answered.
    # Padded with the blanks JSON allows between its parts (a batch id is echoed back, so it is short).
    fits = json.dumps({"batch_id": "fits", "changes": []}).encode()
    fits = fits[:-1] + b" " * (MAX_BODY_BYTES - len(fits)) + b"}"
    assert len(fits) == MAX_BODY_BYTES
    reply = http.post(f"{API}/push", content=fits, headers={**town.headers, "Content-Type": "application/json"})
    assert reply.status_code == 200 and reply.json()["accepted"] == [], reply.text[:300]


def test_more_changes_than_the_protocol_allows_are_refused(town: Town, http: TestClient) -> None:
    body = {"batch_id": "many", "changes": [_change(n) for n in range(5001)]}  # PushBatch takes 5,000 at most
    reply = http.post(f"{API}/push", json=body, headers=town.headers)
    said = _assert_refused_in_words(reply)
    assert reply.status_code == 422 and said["code"] == "sync.bad_request" and "changes" in said["en"], said
    assert rep.server_head(town.ctx) == 0


def test_an_old_protocol_is_refused_with_the_reason(town: Town, http: TestClient) -> None:
    old = str(PROTOCOL_VERSION - 1)
    # In the header, on every route that takes the station's credential.
    for method, path in (("POST", f"{API}/push"), ("GET", f"{API}/pull"), ("GET", f"{API}/stations")):
        reply = http.request(method, path, headers={**town.headers, "X-Protocol": old},
                             json={"batch_id": "b", "changes": []} if method == "POST" else None)
        said = _assert_refused_in_words(reply)
        assert said["code"] == "sync.protocol" and f"（{old}）" in said["zh"] and "升级软件" in said["zh"], said
        assert "update the software" in said["en"]
    # In the body of a push and of an enrolment.
    reply = http.post(f"{API}/push", json={"protocol": int(old), "batch_id": "b", "changes": [_change(1)]},
                      headers=town.headers)
    assert _assert_refused_in_words(reply)["code"] == "sync.protocol"
    code = rep.enrol_station(town.ctx, actor=CONSOLE, station_code="QX02", name="石门村")
    reply = http.post(f"{API}/enrol", json={"protocol": int(old), "station_code": "QX02", "enrol_code": code})
    assert _assert_refused_in_words(reply)["code"] == "sync.protocol"
    assert rep.server_head(town.ctx) == 0
    # The refused enrolment did not use up the one-time code.
    reply = http.post(f"{API}/enrol", json={"station_code": "QX02", "enrol_code": code})
    assert reply.status_code == 200 and reply.json()["credential"]


def test_a_wrong_address_or_method_is_answered_in_words(http: TestClient) -> None:
    said = _assert_refused_in_words(http.get(f"{API}/nothing-here"))
    assert said["code"] == "sync.no_such_path" and f"{API}/nothing-here" in said["zh"]
    reply = http.get(f"{API}/push")
    said = _assert_refused_in_words(reply)
    assert reply.status_code == 405 and said["code"] == "sync.bad_method" and "POST" in reply.headers["allow"]


def test_the_served_town_refuses_a_body_too_big_with_413_and_the_station_reads_why(pg_url: str) -> None:
    # Through uvicorn, as a station meets it: the refusal arrives (not a reset connection), with a length
    # given or with the body sent in chunks.
    server = Server(pg_url)
    server.start()
    try:
        enrolled = httpx.post(f"{server.url}{API}/enrol", timeout=30,
                              json={"station_code": STATION, "enrol_code": server.enrol_code(STATION)})
        headers = {"Authorization": f"Bearer {enrolled.json()['credential']}", "X-Station": STATION,
                   "Content-Type": "application/json"}
        big = b'{"batch_id": "' + b"x" * (MAX_BODY_BYTES + 1) + b'", "changes": []}'
        for content in (big, iter([big[i:i + 65536] for i in range(0, len(big), 65536)])):
            reply = httpx.post(f"{server.url}{API}/push", content=content, timeout=30, headers=headers)
            assert reply.status_code == 413 and _assert_refused_in_words(reply)["code"] == "sync.too_large"
        # Without a credential a body sent in chunks is refused at the door, before any of it is read.
        chunks = iter([big[i:i + 65536] for i in range(0, len(big), 65536)])
        reply = httpx.post(f"{server.url}{API}/push", content=chunks, timeout=30,
                           headers={"Content-Type": "application/json"})
        assert reply.status_code in (403, 413) and _assert_refused_in_words(reply)["code"] in (
            "sync.too_large", "sync.bad_credential", "sync.unknown_station")
        assert httpx.get(f"{server.url}{API}/health", timeout=5).json()["head"] == 0
    finally:
        server.stop()


def test_a_nul_in_a_pushed_row_is_refused_in_words_naming_where(town: Town, http: TestClient) -> None:
    change = _change(1)
    change["row"]["name"] = "张\x00三"
    reply = http.post(f"{API}/push", json={"batch_id": "nul", "changes": [change]}, headers=town.headers)
    assert reply.status_code == 400
    said = _assert_refused_in_words(reply)
    assert said["code"] == "sync.bad_request" and "changes.0.row.name" in said["zh"], said
    assert rep.server_head(town.ctx) == 0


def test_an_oversized_enrolment_or_station_code_is_refused_and_never_echoed_back(town: Town, http: TestClient) -> None:
    huge = "Q" * 200_000
    for body in ({"station_code": huge, "enrol_code": "3F2A-91BC-07DE-5A10"},
                 {"station_code": "QX01", "enrol_code": huge}):
        reply = http.post(f"{API}/enrol", json=body)
        said = _assert_refused_in_words(reply)
        assert huge[:100] not in reply.text and len(reply.content) < 2000, said
    reply = http.get(f"{API}/pull", headers={**town.headers, "X-Station": huge})
    said = _assert_refused_in_words(reply)
    assert huge[:100] not in reply.text and len(reply.content) < 2000, said


def test_a_push_whose_number_is_false_or_text_is_refused_in_words(town: Town, http: TestClient) -> None:
    for seq in (False, "7", 7.5):
        change = {**_change(1), "seq": seq}
        reply = http.post(f"{API}/push", headers=town.headers,
                          json={"protocol": PROTOCOL_VERSION, "batch_id": "b", "changes": [change]})
        said = _assert_refused_in_words(reply)
        assert reply.status_code == 422 and said["code"] == "sync.bad_request" and "seq" in said["en"], said
    assert rep.server_head(town.ctx) == 0
