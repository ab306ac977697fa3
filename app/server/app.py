"""The town server's HTTP API: enrolment, push, pull, health. Thin routes over the replication services; the
server keeps no state outside its database, so several processes can serve one PostgreSQL behind a proxy."""

# No ``from __future__ import annotations`` here: FastAPI reads the routes' annotations at run time, and the
# station dependency is a local of create_app, which a postponed (string) annotation could not name.
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from app import __version__
from app.domain.errors import DomainError, NotFound, PermissionDenied
from app.messages import render
from app.services import replication as rep
from app.services.context import ServiceContext
from app.sync.protocol import (
    API,
    PROTOCOL_VERSION,
    EnrolReply,
    EnrolRequest,
    Health,
    PullPage,
    PushAck,
    PushBatch,
    WireChange,
)


def create_app(ctx: ServiceContext) -> FastAPI:
    app = FastAPI(title="村站通 StationDesk 镇服务器 / town server", version=__version__,
                  description=f"Sync protocol {PROTOCOL_VERSION}: stations push their changes and pull the town's.")

    @app.exception_handler(DomainError)
    async def _domain_error(_request: Request, e: DomainError) -> JSONResponse:
        status = 403 if isinstance(e, PermissionDenied) else 404 if isinstance(e, NotFound) else 400
        params = {k: str(v) for k, v in e.params.items()}
        return JSONResponse(status_code=status, content={"code": e.code, "params": params,
                                                         "zh": render(e.code, params, "zh"),
                                                         "en": render(e.code, params, "en")})

    @app.exception_handler(RequestValidationError)
    async def _bad_request(_request: Request, e: RequestValidationError) -> JSONResponse:
        params = {"detail": "; ".join(f"{'.'.join(str(x) for x in err['loc'])}: {err['msg']}"
                                      for err in e.errors()[:3])}
        return JSONResponse(status_code=422, content={"code": "sync.bad_request", "params": params,
                                                      "zh": render("sync.bad_request", params, "zh"),
                                                      "en": render("sync.bad_request", params, "en")})

    def station(authorization: Annotated[str, Header()] = "", x_station: Annotated[str, Header()] = "",
                x_protocol: Annotated[str, Header()] = str(PROTOCOL_VERSION)) -> str:
        if x_protocol != str(PROTOCOL_VERSION):
            raise DomainError("sync.protocol", theirs=x_protocol, ours=str(PROTOCOL_VERSION))
        credential = authorization.removeprefix("Bearer ").strip()
        return rep.authenticate_station(ctx, station_code=x_station, credential=credential)

    @app.get(f"{API}/health", response_model=Health)
    def health() -> Health:
        return Health(head=rep.server_head(ctx))

    @app.post(f"{API}/enrol", response_model=EnrolReply)
    def enrol(body: EnrolRequest) -> EnrolReply:
        credential = rep.redeem_enrolment(ctx, station_code=body.station_code, enrol_code=body.enrol_code)
        return EnrolReply(station_code=body.station_code.strip().upper(), credential=credential)

    @app.post(f"{API}/push", response_model=PushAck)
    def push(body: PushBatch, code: Annotated[str, Depends(station)]) -> PushAck:
        if body.protocol != PROTOCOL_VERSION:
            raise DomainError("sync.protocol", theirs=str(body.protocol), ours=str(PROTOCOL_VERSION))
        done = rep.receive(ctx, station_code=code, changes=[c.change() for c in body.changes])
        return PushAck(batch_id=body.batch_id, accepted=list(done.accepted), inserted=done.inserted,
                       updated=done.updated, kept=done.kept, conflicts=done.conflicts, head=done.head)

    @app.get(f"{API}/pull", response_model=PullPage)
    def pull(code: Annotated[str, Depends(station)], after: Annotated[int, Query(ge=0)] = 0,
             limit: Annotated[int, Query(ge=1, le=5000)] = 500) -> PullPage:
        del code  # every station of the town may read the town's changes
        changes, cursor, more = rep.log_page(ctx, after=after, limit=limit)
        return PullPage(changes=[WireChange.of(c) for c in changes], cursor=cursor, more=more)

    @app.get(f"{API}/stations")
    def stations(code: Annotated[str, Depends(station)]) -> list[dict[str, Any]]:
        del code
        return [dict(s) for s in rep.enrolled(ctx)]

    return app
