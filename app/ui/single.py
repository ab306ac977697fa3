"""One counter per data folder: a second start brings the first window forward and ends.

Two copies of the client writing one database would each hold their own clock, drafts and cash drawer in
memory, and staff would not know which window is which. The first start holds a lock file in the data
folder (``counter.lock``: QLockFile notices a lock left by a program that crashed or lost its power, by its
process id and name) and listens on a local socket named after the folder. A second start finds the lock
taken, connects, learns the first one's process id (on Windows it lets that process take the foreground,
which Windows otherwise refuses to a program in the background), asks it to show itself, and ends.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sys
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger(__name__)
LOCK_FILE = "counter.lock"
ANSWER_MS = 3000  # how long a second start waits for the first one to answer


def server_name(data_dir: Path) -> str:
    """The local socket's name: one per data folder (case-blind on Windows, where paths are)."""
    where = str(data_dir.resolve())
    if sys.platform == "win32":
        where = where.lower()
    return "StationDesk-" + hashlib.sha256(where.encode("utf-8")).hexdigest()[:20]


def _let_take_foreground(pid: int) -> None:
    if sys.platform == "win32" and pid > 0:
        import ctypes

        ctypes.windll.user32.AllowSetForegroundWindow(pid)  # type: ignore[attr-defined]


class SingleInstance(QObject):
    """``acquire()`` first; if it fails, ``ask_first_to_show()``. The first instance emits
    ``show_requested`` when a later start asks for its window."""

    show_requested = Signal()

    def __init__(self, data_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.data_dir = data_dir
        self.name = server_name(data_dir)
        self._lock: QLockFile | None = None
        self._server: QLocalServer | None = None
        self._talking: list[QLocalSocket] = []  # later starts connected now (kept here, not parented)

    def acquire(self) -> bool:
        """True when this is the only counter on the folder (it now holds the lock and listens). A folder
        where no lock can be written (read-only) does not stop the counter: it is logged."""
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
        except OSError:
            log.warning("cannot make %s: no single-instance lock", self.data_dir)
            return True
        lock = QLockFile(str(self.data_dir / LOCK_FILE))
        lock.setStaleLockTime(0)  # held for as long as the counter runs: only a dead holder's lock is stale
        if not lock.tryLock(200):
            if lock.error() == QLockFile.LockError.LockFailedError:
                return False
            log.warning("cannot write %s (%s): no single-instance lock", lock.fileName(), lock.error())
            return True
        self._lock = lock
        QLocalServer.removeServer(self.name)  # a socket file left by a counter that crashed (Unix)
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.name):
            log.warning("cannot listen on %s: %s", self.name, server.errorString())
        server.newConnection.connect(self._on_server_new_connection)
        self._server = server
        return True

    def ask_first_to_show(self, timeout_ms: int = ANSWER_MS) -> bool:
        """From a second start: ask the first counter to bring its window forward. False when it does not
        answer (still starting, or hung)."""
        socket = QLocalSocket()
        socket.connectToServer(self.name)
        if not socket.waitForConnected(timeout_ms):
            return False
        try:
            if not socket.waitForReadyRead(timeout_ms):
                return False
            hello = bytes(socket.readLine().data()).decode("ascii", "replace").split()
            if len(hello) == 2 and hello[0] == "stationdesk" and hello[1].isdigit():
                _let_take_foreground(int(hello[1]))
            socket.write(b"show\n")
            socket.flush()  # written at once, or (a busy pipe) while waiting for the answer below
            return socket.waitForReadyRead(timeout_ms) and bytes(socket.readLine().data()).strip() == b"ok"
        finally:
            socket.disconnectFromServer()

    def release(self) -> None:
        for socket in self._talking:
            socket.readyRead.disconnect()
            socket.abort()
        self._talking.clear()
        if self._server is not None:
            self._server.close()
            self._server = None
        if self._lock is not None:
            self._lock.unlock()
            self._lock = None

    # -- the first instance's side ------------------------------------------------------------------------
    def _on_server_new_connection(self) -> None:
        assert self._server is not None
        while (socket := self._server.nextPendingConnection()) is not None:
            self._talking.append(socket)
            socket.readyRead.connect(self._on_socket_ready_read)
            socket.write(f"stationdesk {os.getpid()}\n".encode("ascii"))
            socket.flush()

    def _on_socket_ready_read(self) -> None:
        for socket in self._talking:
            self._answer(socket)
        self._talking = [s for s in self._talking if s.state() != QLocalSocket.LocalSocketState.UnconnectedState]

    def _answer(self, socket: QLocalSocket) -> None:
        while socket.canReadLine():
            if bytes(socket.readLine().data()).strip() == b"show":
                self.show_requested.emit()
                socket.write(b"ok\n")
                socket.flush()
