"""``newsloom metrics serve``: the pipeline exporter (queues, quarantine, per-source health)."""

from __future__ import annotations

from typing import Annotated

import typer

from newsloom.console import make_console
from newsloom.queues import ALL_QUEUES, CRAWL_QUEUE

__all__ = ["DEFAULT_QUEUES", "metrics_app"]

DEFAULT_PORT = 9412
# Scheduled crawls waiting for a crawler count as a backlog too (crawlers down or too few).
DEFAULT_QUEUES = (*ALL_QUEUES, CRAWL_QUEUE)
metrics_app = typer.Typer(help="Prometheus metrics of the whole pipeline.", no_args_is_help=True)
console = make_console()


@metrics_app.command()
def serve(
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to serve on.")] = DEFAULT_PORT,
    queues: Annotated[
        list[str] | None, typer.Option("--queue", help="Queue to watch (default: all).")
    ] = None,
) -> None:
    """Serve queue depths, quarantine size and per-source health until interrupted.

    One exporter per deployment is enough: everything it reports is read from Redis and
    Elasticsearch when Prometheus scrapes, so it holds no state and can be restarted anywhere.
    """
    import threading

    from prometheus_client import CollectorRegistry, start_http_server

    from newsloom.settings import get_settings
    from newsloom.state import redis_client
    from ops.prometheus.queues import QueueDepthCollector
    from ops.prometheus.sources import SourceHealthCollector
    from search.client import create_client

    settings = get_settings()
    registry = CollectorRegistry()
    registry.register(QueueDepthCollector(redis_client(settings), queues or list(DEFAULT_QUEUES)))
    registry.register(SourceHealthCollector(create_client(settings), settings.index_alias))
    server, _ = start_http_server(port, settings.metrics_host, registry)
    console.print(f"metrics exporter ready: http://{settings.metrics_host}:{port}/metrics")
    stop = threading.Event()
    try:
        with console.status("serving metrics; Ctrl-C to stop"):
            stop.wait()
    except KeyboardInterrupt:
        console.print("stopped")
    finally:
        server.shutdown()
