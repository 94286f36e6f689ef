"""A TCP proxy that a test can cut, to see what Guanxi does when a server it needs goes away.

    from guanxi.core.tests.faults import FaultProxy

    with FaultProxy("127.0.0.1", 5432) as proxy:   # listens on a free loopback port
        url = f"postgres://postgres@127.0.0.1:{proxy.port}/db"   # point the client here
        ...                 # traffic flows to the target
        proxy.cut()         # every open connection is closed; new ones are refused
        ...                 # the client sees the server gone (ECONNREFUSED / closed socket)
        proxy.restore()     # connections are accepted again (same port)

``proxy.host`` and ``proxy.port`` name the listening address; ``proxy.connections`` counts the
connections open now. Threads and plain sockets only; everything stops when the ``with``
block ends (or on ``close()``). Loopback only: the proxy never listens elsewhere.
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading
from types import TracebackType

_CHUNK = 65536


class FaultProxy:
    def __init__(self, target_host: str, target_port: int, *, host: str = "127.0.0.1") -> None:
        self.target = (target_host, int(target_port))
        self.host = host
        self.port = 0
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._listener: socket.socket | None = None
        self._accepting: threading.Thread | None = None
        self._stop = threading.Event()

    # --- the API -------------------------------------------------------------------------

    def start(self) -> FaultProxy:
        self._listen()
        return self

    def cut(self) -> None:
        """Close every open connection (both ends) and refuse new ones until ``restore()``."""
        self._stop_listening()
        with self._lock:
            sockets, self._sockets = self._sockets, set()
        for sock in sockets:
            _close(sock)

    def restore(self) -> None:
        """Accept connections again, on the same port."""
        if self._listener is None:
            self._listen()

    def close(self) -> None:
        self.cut()

    @property
    def connections(self) -> int:
        with self._lock:
            return len(self._sockets) // 2

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    # --- inside --------------------------------------------------------------------------

    def _listen(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.host, self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self._stop = threading.Event()
        self._listener = listener
        self._accepting = threading.Thread(target=self._accept, args=(listener, self._stop),
                                           name=f"fault-proxy-{self.port}", daemon=True)
        self._accepting.start()

    def _stop_listening(self) -> None:
        listener, thread = self._listener, self._accepting
        self._listener = self._accepting = None
        if listener is None:
            return
        self._stop.set()
        if thread is not None:
            thread.join(timeout=2)
        _close(listener)

    def _accept(self, listener: socket.socket, stop: threading.Event) -> None:
        while not stop.is_set():
            ready, _w, _x = select.select([listener], [], [], 0.05)
            if not ready or stop.is_set():
                continue
            try:
                client, _address = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                _close(client)
                continue
            with self._lock:
                self._sockets |= {client, upstream}
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while True:
                data = source.recv(_CHUNK)
                if not data:
                    break
                sink.sendall(data)
        except OSError:
            pass
        with self._lock:
            self._sockets -= {source, sink}
        _close(source)
        _close(sink)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        sock.close()
