"""The station's side of the sync: enrol once, then push the outbox in batches (marked pushed only after the
town's acknowledgement) and pull the town's changes after the cursor. Plain HTTP is allowed only to this PC
(loopback); anything else must be HTTPS.

Every failure is a ``DomainError`` with a plain message: no network, the server refusing the credential, a
protocol the server does not speak. Nothing is lost on failure: what was not acknowledged stays in the
outbox; what was not applied is pulled again."""

from __future__ import annotations

import logging
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import httpx
from pydantic import ValidationError

from app.domain.errors import DomainError
from app.services import checking, recovery, seals
from app.services import replication as rep
from app.services.context import ServiceContext
from app.services.masking import mask_personal
from app.sync.protocol import (
    API,
    PROTOCOL_VERSION,
    AnchorReport,
    AnchorView,
    EnrolReply,
    EnrolRequest,
    PullPage,
    PushAck,
    RecoverReply,
    batch_json,
)

log = logging.getLogger("app.sync")
BATCH = 1000  # changes a push carries (the protocol allows 5,000)
PAGE = 2000  # changes a pull page carries
TIMEOUT_S = 30.0


@dataclass(frozen=True, slots=True)
class SyncReport:
    pushed: int
    pulled: int
    conflicts: int
    pending: int  # still waiting to be sent (0 after a full sync)
    cursor: int
    refused: int = 0  # changes the town would not take this time (in ``sync conflicts``, with its words)


def check_url(url: str) -> str:
    """HTTPS, or plain HTTP to this PC only (a test, or the server on the station PC itself)."""
    parts = urlparse(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DomainError("sync.bad_url", url=url)
    if parts.scheme == "http" and parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise DomainError("sync.https_needed", url=url)
    return url.strip().rstrip("/")


def _call(client: httpx.Client, method: str, path: str, *, raw: bool = False, **kw: Any) -> Any:
    """One request; its JSON body (or with ``raw`` its bytes), or the server's refusal as a DomainError.

    A kept-alive connection the server has meanwhile closed (it had waited for this station longer than it
    keeps idle connections) fails at once: the request goes once more on a fresh connection. Every request
    of the protocol may be repeated (a push is applied once by its change ids; a pull only reads)."""
    for attempt in (1, 2):
        try:
            reply = client.request(method, path, **kw)
            break
        except httpx.RemoteProtocolError as e:
            if attempt == 2:
                raise DomainError("sync.unreachable", url=str(client.base_url), reason=type(e).__name__) from e
        except httpx.TransportError as e:
            raise DomainError("sync.unreachable", url=str(client.base_url), reason=type(e).__name__) from e
    if reply.status_code >= 400:
        try:
            body = reply.json()
            code = body.get("code", "")
        except ValueError:
            code = ""
        if code:
            raise DomainError(code, **{k: str(v) for k, v in body.get("params", {}).items()})
        raise DomainError("sync.server_error", status=reply.status_code)
    if raw:
        return reply.content
    try:
        return reply.json()
    except ValueError as e:  # not JSON: not our server (a captive portal, a proxy's page)
        raise DomainError("sync.server_error", status=f"{reply.status_code}, not JSON") from e


def enrol(ctx: ServiceContext, *, url: str, enrol_code: str, http: httpx.Client | None = None) -> str:
    """Exchange the one-time code the town gave for this station's credential, kept in the station's key
    store (apart from its database: app/persistence/keystore.py), and remember the server."""
    base = check_url(url)
    station = rep.station_code(ctx)
    client = http or httpx.Client(base_url=base, timeout=TIMEOUT_S)
    try:
        body = _call(client, "POST", f"{API}/enrol",
                     json=EnrolRequest(station_code=station, enrol_code=enrol_code).model_dump())
    finally:
        if http is None:
            client.close()
    reply = EnrolReply.model_validate(body)
    rep.save_sync_settings(ctx, url=base, credential=reply.credential)
    if reply.key_id:  # the keys the town derived for this station: it seals with them from now on
        seals.keep_town_keys(ctx, current=reply.key_id, seal_keys=reply.seal_keys, bundle_key=reply.bundle_key)
    return base


def _anchor(ctx: ServiceContext, client: httpx.Client, headers: dict[str, str], *, restored: bool) -> None:
    """Say where the chain and the audit log stand; the town records it, and so does the key store (the last
    anchor made here and the one the town confirmed), so a check without a network still has both."""
    now = checking.current_anchor(ctx)
    confirmed = next((a for a in checking.kept_anchors(ctx) if a.source == "kept-town"), None)
    if not restored and confirmed is not None and checking.same_place(now, confirmed):
        return  # nothing moved since the town last confirmed it: a sync with nothing to do stays one round trip
    report = AnchorReport(chain_seq=now.chain_seq, chain_hash=now.chain_hash, audit_seq=now.audit_seq,
                          audit_hash=now.audit_hash, restored=restored)
    try:
        view = AnchorView.model_validate(_call(client, "POST", f"{API}/anchor", headers=headers,
                                               json=report.model_dump()))
    except DomainError as e:
        if e.code == "sync.no_such_path":  # a town server from before anchors: nothing to record there
            checking.keep_anchor(ctx, now)
            return
        raise
    checking.keep_anchor(ctx, now)
    checking.keep_anchor(ctx, checking.Anchor(view.chain_seq, view.chain_hash, view.audit_seq, view.audit_hash,
                                              "town", view.at), confirmed_by_town=True)


def _connection(ctx: ServiceContext) -> tuple[str, dict[str, str]]:
    """The town server's address and the headers every request of this station carries."""
    settings = rep.sync_settings(ctx)
    if settings is None:
        raise DomainError("sync.not_enrolled")
    base, credential = settings
    return base, {"Authorization": f"Bearer {credential}", "X-Station": rep.station_code(ctx),
                  "X-Protocol": str(PROTOCOL_VERSION)}


def town_anchor(ctx: ServiceContext, *, http: httpx.Client | None = None, timeout: float = 10.0) -> checking.Anchor:
    """What the town holds of this station's chain and audit log now (for ``check``): its chain's end in the
    town's copy, and the audit log's position the station last reported."""
    base, headers = _connection(ctx)
    client = http or httpx.Client(base_url=base, timeout=timeout)
    try:
        view = AnchorView.model_validate(_call(client, "GET", f"{API}/anchor", headers=headers))
    finally:
        if http is None:
            client.close()
    return checking.Anchor(view.town_chain_seq, view.town_chain_hash, view.audit_seq, view.audit_hash, "town", view.at)


def sync_once(ctx: ServiceContext, *, http: httpx.Client | None = None) -> SyncReport:
    """Push everything waiting, then pull everything new. Safe to stop at any point and run again. A failure
    goes to the log for support (its kind and details, numbers masked) before it is raised."""
    try:
        report = _sync_once(ctx, http=http)
    except DomainError as e:
        # At info: the admin CLI prints the sentence itself, and Python would print a warning under it.
        details = " ".join(f"{k}={v}" for k, v in sorted(e.params.items()))
        log.info("sync failed: %s%s", e.code, mask_personal(f" {details}" if details else ""))
        raise
    except Exception as e:  # whoever catches it logs the traceback (the counter's message_for, the CLI's crash log)
        log.info("sync failed: unexpected %s: %s", type(e).__name__, mask_personal(str(e))[:300])
        raise
    if report.refused:
        log.info("sync: the town refused %d change(s) (sync conflicts lists them)", report.refused)
    return report


def _sync_once(ctx: ServiceContext, *, http: httpx.Client | None = None) -> SyncReport:
    base, headers = _connection(ctx)
    client = http or httpx.Client(base_url=base, timeout=TIMEOUT_S)
    pushed = pulled = conflicts = refused = 0

    def send(batch: tuple[rep.Change, ...]) -> PushAck:
        # The station's own rows: put on the wire without validating them again (the town validates them).
        return PushAck.model_validate(_call(client, "POST", f"{API}/push",
                                            content=batch_json(str(uuid.uuid4()), batch),
                                            headers={**headers, "Content-Type": "application/json"}))

    def fetch(after: int) -> PullPage:
        body = _call(client, "GET", f"{API}/pull", headers=headers, raw=True, params={"after": after, "limit": PAGE})
        try:
            return PullPage.model_validate_json(body)
        except ValidationError as e:
            raise DomainError("sync.server_error", status="200, not a page of changes") from e

    # One request in flight on a second thread while this one reads the next batch or applies the last page:
    # the station's work and the town's overlap. Nothing is marked or applied out of order.
    restored = recovery.pending(ctx)
    try:
        if restored:  # restored from an older backup: past every number the town has seen, before anything else
            reply = RecoverReply.model_validate(_call(client, "POST", f"{API}/recover", headers=headers))
            recovery.take_marks(ctx, recovery.marks_from_json(reply.marks))
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sync-http") as pool:
            batch = rep.outbox(ctx, limit=BATCH)
            sending = pool.submit(send, batch) if batch else None
            while sending is not None:
                following = rep.outbox(ctx, limit=BATCH, after=batch[-1].seq)
                ack = sending.result()
                whole = len(ack.accepted) == len(batch)  # else some wait for records the town has not got yet
                # The next batch goes before this one is marked: the town is never kept waiting for the station.
                sending = pool.submit(send, following) if following and whole else None
                rep.mark_pushed(ctx, ack.accepted, sent=batch)  # only now: a lost reply means the batch is sent again
                rep.note_refusals(ctx, [(r.change_id, r.table, r.row_id, r.zh or r.code) for r in ack.refused])
                refused += len(ack.refused)
                pushed += len(ack.accepted)
                conflicts += ack.conflicts
                batch = following
            coming = pool.submit(fetch, rep.cursor(ctx))
            while True:
                page = coming.result()
                if page.more:
                    coming = pool.submit(fetch, page.cursor)
                done = rep.apply_pulled(ctx, changes=[c.change() for c in page.changes], cursor=page.cursor)
                pulled += len(page.changes)
                conflicts += done.conflicts
                if not page.more:
                    break
        if restored:
            recovery.recovered(ctx)  # its own records are back
        _anchor(ctx, client, headers, restored=restored)
    finally:
        if http is None:
            client.close()
    rep.note_sync(ctx)
    return SyncReport(pushed=pushed, pulled=pulled, conflicts=conflicts, pending=rep.pending_count(ctx),
                      cursor=rep.cursor(ctx), refused=refused)
