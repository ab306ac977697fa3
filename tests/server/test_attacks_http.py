"""The attacking station over HTTP, against the real town server process on PostgreSQL: QX02 serves a resident
of 青溪村, so the town hands it that resident's history — QX01's case and receipt among it. With its own
credential it then pushes QX01's receipt changed. The acknowledgement refuses it in words, the town's console
lists it as a security event, and QX01's receipt is as it was."""

from __future__ import annotations

import json
import uuid
from datetime import date
from pathlib import Path

import httpx
from sqlalchemy import text

from app.services import replication as rep
from app.services.cases import accept_case
from app.services.documents import issue_document
from app.services.staff import authenticate
from app.sync import client
from app.sync.protocol import API, PROTOCOL_VERSION
from tests.server.test_http_sync import Server, _enrolled
from tests.server.test_replication import PASSWORD, _work


def _receipts(ctx: object) -> list[dict[str, object]]:
    with ctx.db.engine.connect() as conn:  # type: ignore[attr-defined]
        return [dict(r) for r in conn.execute(text(
            "SELECT id, number, state, reprints, updated_hlc FROM documents WHERE station_code = 'QX01' ORDER BY id"))
            .mappings()]


def test_a_station_pushing_another_stations_receipt_is_refused_in_words_and_the_town_lists_it(
        tmp_path: Path, server: Server) -> None:
    a = _enrolled(tmp_path, server, "QX01", "V01", "zhanzhang")
    b = _enrolled(tmp_path, server, "QX02", "V02", "shimen")
    try:
        _work(a, "zhanzhang", [("张三", date(1980, 5, 6))], "V01")
        head_a = authenticate(a, username="zhanzhang", password=PASSWORD)
        with a.db.engine.connect() as conn:
            case_no = conn.execute(text("SELECT case_no FROM cases LIMIT 1")).scalar_one()
            person = conn.execute(text("SELECT applicant_id FROM cases LIMIT 1")).scalar_one()
        issue_document(a, actor=head_a, kind="receipt", subject=case_no, render=lambda job: b"pdf")
        client.sync_once(a)
        client.sync_once(b)
        # QX02 serves the same resident at its counter: their history, QX01's receipt included, comes to it.
        head_b = authenticate(b, username="shimen", password=PASSWORD)
        item = b.catalog.item("S08")
        accept_case(b, actor=head_b, applicant_id=person, item_code="S08",
                    received_materials=[m.code for m in item.materials])
        client.sync_once(b)
        client.sync_once(b)
        held = _receipts(b)
        assert held, "the resident's history did not reach QX02"
        before = _receipts(a)

        with b.db.engine.connect() as conn:
            receipt = dict(conn.execute(text("SELECT * FROM documents WHERE id = :id"), {"id": held[0]["id"]})
                           .mappings().one())
        receipt = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in receipt.items()}
        receipt["deleted"] = bool(receipt["deleted"])
        receipt.update(state="voided", void_reason="伪造", updated_hlc=f"9999999999999.00000.{b.db.node_id}")
        batch = {"protocol": PROTOCOL_VERSION, "batch_id": "attack", "changes": [
            {"change_id": str(uuid.uuid4()), "table": "documents", "row_id": receipt["id"], "op": "upsert",
             "hlc": receipt["updated_hlc"], "row": receipt, "seq": 1}]}
        url, credential = rep.sync_settings(b) or ("", "")
        reply = httpx.post(f"{url}{API}/push", content=json.dumps(batch, ensure_ascii=False).encode(),
                           headers={"Authorization": f"Bearer {credential}", "X-Station": "QX02",
                                    "X-Protocol": str(PROTOCOL_VERSION), "Content-Type": "application/json"})
        assert reply.status_code == 200, reply.text
        ack = reply.json()
        [refused] = ack["refused"]
        assert refused["code"] == "trust.not_yours" and "QX01" in refused["zh"] and "本站不能改" in refused["zh"]
        assert "belongs to" in refused["en"] and refused["change_id"] in ack["accepted"]

        listed = server.run("security")
        assert "QX02" in listed and "单据" in listed and "QX01" in listed
        client.sync_once(a)
        assert _receipts(a) == before
    finally:
        a.db.dispose()
        b.db.dispose()
