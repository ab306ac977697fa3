"""The town server's HTTP API: enrolment, push, pull, health. Thin routes over the replication services; the
server keeps no state outside its database, so several processes can serve one PostgreSQL behind a proxy."""

# No ``from __future__ import annotations`` here: FastAPI reads the routes' annotations at run time, and the
# station dependency is a local of create_app, which a postponed (string) annotation could not name.
from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import __version__
from app.domain.errors import DomainError, NotFound, PermissionDenied
from app.messages import render
from app.services import recovery
from app.services import replication as rep
from app.services.context import ServiceContext
from app.services.screening import Refusal
from app.sync.protocol import (
    API,
    PROTOCOL_VERSION,
    AnchorReport,
    AnchorView,
    EnrolReply,
    EnrolRequest,
    Health,
    PullPage,
    PushAck,
    PushBatch,
    RecoverReply,
    RefusedChange,
    page_json,
)

# The largest request body taken: a push of the protocol's 5,000 changes at about 3 KB each (the station sends
# 1,000 at a time, its first batch with the catalogue is well under 1 MB). Anything bigger is refused unread.
MAX_BODY_BYTES = 16 * 1024 * 1024
LAST_SEQ = 2**63 - 1  # the server's numbers are PostgreSQL bigints


def without_nul(value: Any, where: str) -> None:
    """No record made at a station holds a NUL character, and PostgreSQL cannot keep one in text: such a
    request is refused in words before it reaches the database."""
    if isinstance(value, str):
        if "\x00" in value:
            raise DomainError("sync.bad_request", detail=f"{where}: NUL (\\x00)")
    elif isinstance(value, dict):
        for key, item in value.items():
            without_nul(key, where)
            without_nul(item, f"{where}.{key}")
    elif isinstance(value, list):
        for n, item in enumerate(value):
            without_nul(item, f"{where}.{n}")


def problem(status: int, code: str, params: Mapping[str, Any] | None = None,
            headers: Mapping[str, str] | None = None) -> JSONResponse:
    """A refusal as the station reads it: the code, its parameters, and the sentence in Chinese and English."""
    words = {k: str(v) for k, v in (params or {}).items()}
    return JSONResponse(status_code=status, headers=dict(headers or {}),
                        content={"code": code, "params": words, "zh": render(code, words, "zh"),
                                 "en": render(code, words, "en")})


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):g} MB"


class _TooLarge(HTTPException):
    def __init__(self) -> None:
        super().__init__(status_code=413)


class BodyLimit:
    """Refuses a request body over ``limit`` bytes with 413 and a sentence: at once when its Content-Length
    says so, or as soon as a body sent in chunks passes the limit (it is never read whole)."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.limit:
            await self._refuse(scope, receive, send)
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise _TooLarge()  # FastAPI passes an HTTPException on while it reads the body
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except _TooLarge:
            if started:
                raise
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        await problem(413, "sync.too_large", {"limit": _mb(self.limit)}, {"Connection": "close"})(scope, receive, send)


def refused_change(r: Refusal) -> RefusedChange:
    """A refusal as the station reads it in its acknowledgement: the code, its words in Chinese and English."""
    params = dict(r.params)
    return RefusedChange(change_id=r.change_id, table=r.table, row_id=r.row_id, code=r.code, params=params,
                         fields=list(r.fields), zh=render(r.code, params, "zh"), en=render(r.code, params, "en"))


def create_app(ctx: ServiceContext) -> FastAPI:
    app = FastAPI(title="村站通 StationDesk 镇服务器 / town server", version=__version__,
                  description=f"Sync protocol {PROTOCOL_VERSION}: stations push their changes and pull the town's.")

    app.add_middleware(BodyLimit)

    @app.exception_handler(DomainError)
    async def _domain_error(_request: Request, e: DomainError) -> JSONResponse:
        status = 403 if isinstance(e, PermissionDenied) else 404 if isinstance(e, NotFound) else 400
        return problem(status, e.code, e.params)

    @app.exception_handler(RequestValidationError)
    async def _bad_request(_request: Request, e: RequestValidationError) -> JSONResponse:
        detail = "; ".join(f"{'.'.join(str(x) for x in err['loc'])}: {err['msg']}" for err in e.errors()[:3])
        return problem(422, "sync.bad_request", {"detail": detail})

    @app.exception_handler(HTTPException)
    async def _refused(request: Request, e: HTTPException) -> JSONResponse:
        # What the framework refuses before a route runs: no such address, a wrong method, a body that cannot
        # be read (not JSON, or cut short), a body too big — each in words like the rest.
        path, status, headers = request.url.path, e.status_code, e.headers
        if status == 404:
            return problem(404, "sync.no_such_path", {"path": path}, headers)
        if status == 405:
            return problem(405, "sync.bad_method", {"path": path, "method": request.method}, headers)
        if status == 413:
            return problem(413, "sync.too_large", {"limit": _mb(MAX_BODY_BYTES)}, {"Connection": "close"})
        if status == 400:
            return problem(400, "sync.bad_request", {"detail": str(e.detail)}, headers)
        return problem(status, "sync.refused", {"status": status, "detail": str(e.detail)}, headers)

    @app.exception_handler(Exception)
    async def _failed(_request: Request, _e: Exception) -> JSONResponse:
        # A fault of the server itself: still a sentence for the station (the traceback goes to the log).
        return problem(500, "sync.server_error", {"status": 500})

    def station(authorization: Annotated[str, Header()] = "", x_station: Annotated[str, Header()] = "",
                x_protocol: Annotated[str, Header()] = str(PROTOCOL_VERSION)) -> str:
        if x_protocol != str(PROTOCOL_VERSION):
            raise DomainError("sync.protocol", theirs=x_protocol, ours=str(PROTOCOL_VERSION))
        credential = authorization.removeprefix("Bearer ").strip()
        return rep.authenticate_station(ctx, station_code=x_station, credential=credential)

    def puller(authorization: Annotated[str, Header()] = "", x_station: Annotated[str, Header()] = "",
               x_protocol: Annotated[str, Header()] = str(PROTOCOL_VERSION),
               after: Annotated[int, Query(ge=0, le=LAST_SEQ)] = 0) -> str:
        """A pull's station, noting (in the same transaction) that it holds the town's log up to ``after``."""
        if x_protocol != str(PROTOCOL_VERSION):
            raise DomainError("sync.protocol", theirs=x_protocol, ours=str(PROTOCOL_VERSION))
        credential = authorization.removeprefix("Bearer ").strip()
        return rep.authenticate_station(ctx, station_code=x_station, credential=credential, pulled_to=after)

    @app.get(f"{API}/health", response_model=Health)
    def health() -> Health:
        return Health(head=rep.server_head(ctx))

    @app.post(f"{API}/enrol", response_model=EnrolReply)
    def enrol(body: EnrolRequest) -> EnrolReply:
        if body.protocol != PROTOCOL_VERSION:
            raise DomainError("sync.protocol", theirs=str(body.protocol), ours=str(PROTOCOL_VERSION))
        without_nul(body.model_dump(), "body")
        done = rep.redeem_enrolment(ctx, station_code=body.station_code, enrol_code=body.enrol_code)
        return EnrolReply(station_code=body.station_code.strip().upper(), credential=done.credential,
                          key_id=done.key_id, seal_keys=dict(done.seal_keys), bundle_key=done.bundle_key)

    def receive(body: PushBatch, code: str) -> PushAck:
        done = rep.receive(ctx, station_code=code, changes=[c.change() for c in body.changes])
        return PushAck(batch_id=body.batch_id, accepted=list(done.accepted), inserted=done.inserted,
                       updated=done.updated, kept=done.kept, conflicts=done.conflicts, head=done.head,
                       refused=[refused_change(r) for r in done.refused])

    # The body is read as bytes and validated by pydantic's core straight from the JSON (FastAPI would parse it
    # with the standard json module, then validate the Python objects: a fifth of the server's time per push).
    # The OpenAPI description still names PushBatch as the body (see ``openapi`` below).
    @app.post(f"{API}/push", response_model=PushAck, openapi_extra={"requestBody": {
        "required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PushBatch"}}}}})
    async def push(request: Request, code: Annotated[str, Depends(station)]) -> PushAck:
        raw = await request.body()
        try:
            body = PushBatch.model_validate_json(raw)
        except ValidationError as e:
            raise RequestValidationError([{**err, "loc": ("body", *err["loc"])} for err in e.errors()]) from e
        if body.protocol != PROTOCOL_VERSION:
            raise DomainError("sync.protocol", theirs=str(body.protocol), ours=str(PROTOCOL_VERSION))
        if b"\\u0000" in raw:  # JSON can carry a NUL only as \u0000 (a rare false alarm just takes the slow look)
            without_nul(body.model_dump(), "body")  # say where
        return await run_in_threadpool(receive, body, code)

    @app.get(f"{API}/pull", response_model=PullPage)
    def pull(code: Annotated[str, Depends(puller)], after: Annotated[int, Query(ge=0, le=LAST_SEQ)] = 0,
             limit: Annotated[int, Query(ge=1, le=5000)] = 500) -> Response:
        entries, cursor, more = rep.log_entries(ctx, after=after, limit=limit, station=code)
        # Rows from the town's own log: written out as they are kept, not parsed and validated again.
        return Response(content=page_json(entries, cursor, more), media_type="application/json")

    def anchor_view(a: recovery.TownAnchor) -> AnchorView:
        return AnchorView(chain_seq=a.chain_seq, chain_hash=a.chain_hash, audit_seq=a.audit_seq,
                          audit_hash=a.audit_hash, at=a.at, town_chain_seq=a.town_chain_seq,
                          town_chain_hash=a.town_chain_hash)

    @app.post(f"{API}/anchor", response_model=AnchorView)
    def anchor(body: AnchorReport, code: Annotated[str, Depends(station)]) -> AnchorView:
        if body.protocol != PROTOCOL_VERSION:
            raise DomainError("sync.protocol", theirs=str(body.protocol), ours=str(PROTOCOL_VERSION))
        return anchor_view(recovery.record_anchor(ctx, station=code, anchor=body.model_dump(),
                                                  restored=body.restored))

    @app.get(f"{API}/anchor", response_model=AnchorView)
    def anchor_now(code: Annotated[str, Depends(station)]) -> AnchorView:
        return anchor_view(recovery.town_anchor(ctx, station=code))

    @app.post(f"{API}/recover", response_model=RecoverReply)
    def recover(code: Annotated[str, Depends(station)]) -> RecoverReply:
        return RecoverReply(marks=recovery.marks_as_json(recovery.recover_station(ctx, station=code)))

    @app.get(f"{API}/stations")
    def stations(code: Annotated[str, Depends(station)]) -> list[dict[str, Any]]:
        del code
        return [dict(s) for s in rep.enrolled(ctx)]

    def openapi() -> dict[str, Any]:
        """FastAPI's description, with PushBatch (read by the push route itself) among the schemas."""
        if app.openapi_schema is None:
            from fastapi.openapi.utils import get_openapi

            described = get_openapi(title=app.title, version=app.version, description=app.description,
                                    routes=app.routes)
            schemas = described.setdefault("components", {}).setdefault("schemas", {})
            batch = PushBatch.model_json_schema(ref_template="#/components/schemas/{model}")
            for name, definition in batch.pop("$defs", {}).items():
                schemas.setdefault(name, definition)
            schemas["PushBatch"] = batch
            app.openapi_schema = described
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
