"""Run the fixture site: one loopback socket per outlet, one uvicorn server, a sources file.

:func:`serve` binds the sockets first (port 0 lets the OS choose free ports), builds the
outlets with their real origins, starts one uvicorn server on all the sockets and, once it
accepts connections, writes the sources file the crawler loads and calls ``on_ready``.
:func:`run` is the blocking form the command line uses: SIGTERM or SIGINT shut it down
gracefully and the process exits with status 0.
"""

from __future__ import annotations

import asyncio
import ipaddress
import signal
import socket
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType

import uvicorn
import yaml

from ops.dev.fixture_site.app import FixtureSite
from ops.dev.fixture_site.feeds import RSS_PATH, SITEMAP_PATH
from ops.dev.fixture_site.pages import OUTLET_IDS, Outlet, build_outlets

__all__ = ["bind_sockets", "run", "serve", "source_entry", "write_sources"]

_SOURCES_HEADER = (
    "# Written by the fixture site (python -m ops.dev.fixture_site) for the ports it bound.\n"
    "# allow_private_network is set because these are loopback fixtures; real sources never\n"
    "# get it.\n"
)


def _check_loopback(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """The host as an address; a fixture server has no business listening beyond this machine."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError as error:
        raise ValueError(f"host must be a loopback IP address, not {host!r}") from error
    if not address.is_loopback:
        raise ValueError(f"host must be a loopback IP address, not {host!r}")
    return address


def bind_sockets(host: str, port_base: int, count: int) -> list[socket.socket]:
    """``count`` TCP sockets bound on ``host``: ports ``port_base + i``, or OS-chosen if 0."""
    family = socket.AF_INET6 if _check_loopback(host).version == 6 else socket.AF_INET
    sockets: list[socket.socket] = []
    try:
        for offset in range(count):
            sock = socket.socket(family, socket.SOCK_STREAM)
            sockets.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host, port_base + offset if port_base else 0))
    except OSError:
        for sock in sockets:
            sock.close()
        raise
    return sockets


def _origin(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def source_entry(outlet: Outlet) -> dict[str, object]:
    """One outlet as an entry of the crawler's sources file."""
    return {
        "id": outlet.id,
        "name": f"{outlet.name} (fixture)",
        "homepage": f"{outlet.origin}/",
        "country": outlet.country,
        "languages": list(outlet.languages),
        "feeds": [outlet.origin + RSS_PATH],
        "sitemaps": [outlet.origin + SITEMAP_PATH],
        "allow_private_network": True,
    }


def write_sources(path: Path, outlets: Sequence[Outlet]) -> None:
    """Write the sources file atomically, so a reader never sees half of it."""
    document = {"sources": [source_entry(outlet) for outlet in outlets]}
    text = _SOURCES_HEADER + yaml.safe_dump(
        document, sort_keys=False, default_flow_style=None, allow_unicode=True
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)


class _AnnouncingServer(uvicorn.Server):
    """A uvicorn server that calls back once its sockets accept connections."""

    def __init__(self, config: uvicorn.Config, on_started: Callable[[], None]) -> None:
        super().__init__(config)
        self._on_started = on_started

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            self._on_started()


async def serve(
    sources_out: Path,
    *,
    shared_dir: Path,
    host: str = "127.0.0.1",
    port_base: int = 0,
    on_ready: Callable[[Path], None] | None = None,
) -> None:
    """Serve every outlet until the server is told to stop (uvicorn handles SIGTERM/SIGINT).

    Once serving, ``sources_out`` describes the outlets at their bound URLs and ``on_ready``
    is called with that path. Embedded in a larger program, cancel the task to stop it.
    """
    sockets = bind_sockets(host, port_base, len(OUTLET_IDS))
    try:
        bound = list(zip(OUTLET_IDS, sockets, strict=True))
        outlets = build_outlets(shared_dir, {outlet_id: _origin(sock) for outlet_id, sock in bound})
        ports = {sock.getsockname()[1]: outlets[outlet_id] for outlet_id, sock in bound}
        config = uvicorn.Config(
            FixtureSite(ports),
            lifespan="off",
            ws="none",
            log_level="warning",
            access_log=False,
            timeout_graceful_shutdown=5,
        )

        def announce() -> None:
            write_sources(sources_out, [outlets[outlet_id] for outlet_id in OUTLET_IDS])
            if on_ready is not None:
                on_ready(sources_out)

        await _AnnouncingServer(config, announce).serve(sockets=sockets)
    finally:
        for sock in sockets:
            sock.close()


def _exit_quietly(signum: int, frame: FrameType | None) -> None:
    # Reached before uvicorn takes the signals over (while pages are built) and again when
    # uvicorn, after its graceful shutdown, re-raises the signal it caught: either way the
    # fixture stopped as asked, which is a clean exit.
    raise SystemExit(0)


def run(
    sources_out: Path,
    *,
    shared_dir: Path,
    host: str = "127.0.0.1",
    port_base: int = 0,
    on_ready: Callable[[Path], None] | None = None,
) -> None:
    """Serve in the foreground until SIGTERM or SIGINT, then return; see :func:`serve`."""
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = {}
    if in_main_thread:
        previous = {
            sig: signal.signal(sig, _exit_quietly) for sig in (signal.SIGTERM, signal.SIGINT)
        }
    try:
        asyncio.run(
            serve(
                sources_out,
                shared_dir=shared_dir,
                host=host,
                port_base=port_base,
                on_ready=on_ready,
            )
        )
    except SystemExit as stop:
        if stop.code != 0:
            raise
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
