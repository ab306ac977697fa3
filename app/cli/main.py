"""The admin CLI (``python -m app.cli [--data-dir DIR] [--json] [--lang en] COMMAND``): all through services."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from app import __version__
from app.cli import (
    cmd_cases,
    cmd_catalog,
    cmd_money,
    cmd_points,
    cmd_print,
    cmd_residents,
    cmd_station,
    cmd_support,
    cmd_sync,
)
from app.cli.output import Out
from app.domain.errors import DomainError
from app.domain.staff import Actor
from app.messages import describe, render
from app.paths import default_data_dir
from app.services.context import ServiceContext, open_context

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 70


class Env:
    """What a command handler gets: its arguments' shared parts, the output, and a lazily opened station."""

    def __init__(self, args: argparse.Namespace, out: Out) -> None:
        self.args = args
        self.out = out
        self.data_dir: Path = Path(args.data_dir).expanduser() if args.data_dir else default_data_dir()
        self._ctx: ServiceContext | None = None

    @property
    def ctx(self) -> ServiceContext:
        if self._ctx is None:
            self._ctx = open_context(self.data_dir)
        return self._ctx

    def actor(self) -> Actor:
        from app.cli.auth import login

        return login(self.ctx, self.args.user)

    def close(self) -> None:
        if self._ctx is not None:
            self._ctx.db.dispose()


Handler = Callable[[Env], int]


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m app.cli", description="村站通 StationDesk 管理命令 / admin commands")
    p.add_argument("--data-dir", help="数据文件夹（默认：本用户的数据文件夹）/ data folder")
    p.add_argument("--json", action="store_true", help="输出 JSON，供脚本使用 / JSON output for scripts")
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="提示语言 / message language")
    p.add_argument("--user", help="工作人员账号（也可用环境变量 STATIONDESK_USER）/ staff account")
    p.add_argument("--version", action="version", version=f"StationDesk {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    for module in (cmd_station, cmd_catalog, cmd_residents, cmd_cases, cmd_print, cmd_money, cmd_points, cmd_sync,
                   cmd_support):
        module.register(sub)
    _accept_global_options_anywhere(p)
    return p


def _accept_global_options_anywhere(parser: argparse.ArgumentParser) -> None:
    """``residents find zs --json`` works like ``--json residents find zs``: people put options at the end."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                if not any(a.dest == "data_dir" for a in child._actions):
                    child.add_argument("--data-dir", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
                    child.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                                       help=argparse.SUPPRESS)
                    child.add_argument("--lang", choices=("zh", "en"), default=argparse.SUPPRESS,
                                       help=argparse.SUPPRESS)
                    child.add_argument("--user", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
                _accept_global_options_anywhere(child)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # argparse already printed its usage message
        return int(e.code or 0) and EXIT_USAGE
    out = Out(json_mode=args.json, lang=args.lang)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return EXIT_USAGE
    env = Env(args, out)
    try:
        return handler(env)
    except DomainError as e:
        out.error(describe(e, args.lang))
        return EXIT_FAILED
    except KeyboardInterrupt:
        out.error(out.t("已取消。", "Cancelled."))
        return 130
    except BrokenPipeError:  # the output went to ``| head`` and it stopped reading: not an error of ours
        _silence_stdout()
        return EXIT_OK
    except Exception:  # the user never sees a traceback: it goes to the log, they get a plain line
        log = _write_crash_log(env.data_dir)
        out.error(render("cli.internal_error", {"log": str(log)}, args.lang))
        return EXIT_INTERNAL
    finally:
        env.close()


def _silence_stdout() -> None:
    # Python would report the broken pipe again when it flushes stdout at exit.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _write_crash_log(data_dir: Path) -> Path:
    """The traceback into ``logs/cli-errors.log`` (1 MB × 3 files kept, like the counter's log)."""
    from logging.handlers import RotatingFileHandler

    logs = data_dir / "logs"
    try:
        logs.mkdir(parents=True, exist_ok=True)
        path = logs / "cli-errors.log"
        handler = RotatingFileHandler(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
        try:
            handler.emit(logging.LogRecord("app.cli", logging.ERROR, __file__, 0, "--- %s %s\n%s", (
                datetime.now().isoformat(timespec="seconds"), " ".join(sys.argv), traceback.format_exc()), None))
        finally:
            handler.close()
        return path
    except OSError:
        logging.exception("could not write the crash log")
        return logs
