"""``python -m ops.dev.websub_wire [--port P] [--articles N]``: serve the wire site on loopback."""

from __future__ import annotations

import socket
from typing import Annotated

import typer
import uvicorn

from newsloom.settings import get_settings
from ops.dev.websub_wire.app import create_app, seed_site

entry = typer.Typer(add_completion=False)


@entry.command()
def serve(
    port: Annotated[int, typer.Option(min=0, max=65535, help="0: any free port.")] = 0,
    articles: Annotated[int, typer.Option(min=0, help="Articles published at start.")] = 1,
) -> None:
    """Serve the wire site and its hub on 127.0.0.1 until interrupted."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(128)  # connections wait in the backlog until uvicorn serves them
    site = seed_site(get_settings().shared_dir, articles)
    site.origin = f"http://127.0.0.1:{sock.getsockname()[1]}"
    # The launcher waits for this line.
    print(f"websub wire ready: {site.origin}", flush=True)
    config = uvicorn.Config(create_app(site), log_level="warning", lifespan="off")
    uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    entry(prog_name="python -m ops.dev.websub_wire")
