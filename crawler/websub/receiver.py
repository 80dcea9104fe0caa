"""The callback hubs call: intent verification (GET) and content delivery (POST).

Each delivery's new item links become one crawl of those URLs on the crawl queue, so the
article goes through the same fetch, robots, SSRF and extraction path as a polled one; the
receiver itself never fetches what a stranger's POST names. Any number of receiver
processes may run behind one callback URL: everything they know is in Redis.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Final
from urllib.parse import urljoin, urlsplit

import feedparser
import redis
from celery import Celery
from fastapi import FastAPI, Query, Request, Response
from kombu.exceptions import OperationalError
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, generate_latest
from starlette.concurrency import run_in_threadpool

from crawler.middlewares.ssrf import private_endpoints
from crawler.sources import SourceRegistry, SourcesError, load_sources
from crawler.urls import canonical_url
from crawler.websub.subscriber import renew_due
from crawler.websub.subscriptions import Subscription, SubscriptionStore
from newsloom.errors import InvalidInputError
from newsloom.messaging import task_sender
from newsloom.queues import CRAWL_QUEUE, CRAWL_TASK
from newsloom.settings import Settings
from newsloom.state import redis_client

__all__ = ["MAX_DELIVERY_BYTES", "create_receiver", "pushed_urls", "signature_valid"]

logger = logging.getLogger(__name__)
# The crawler's page size limit: a delivery is a feed document like any other.
MAX_DELIVERY_BYTES: Final = 4 * 1024 * 1024
RENEW_EVERY_S: Final = 30.0
_DIGESTS: Final = {"sha1": hashlib.sha1, "sha256": hashlib.sha256,
                   "sha384": hashlib.sha384, "sha512": hashlib.sha512}  # fmt: skip


def signature_valid(secret: str, body: bytes, header: str | None) -> bool:
    """Whether ``X-Hub-Signature`` (``method=hexdigest``) signs ``body`` with ``secret``."""
    method, _, signature = (header or "").partition("=")
    digest = _DIGESTS.get(method.strip().lower())
    if digest is None or not signature:
        return False
    expected = hmac.new(secret.encode(), body, digest).hexdigest()
    return hmac.compare_digest(expected, signature.strip().lower())


def pushed_urls(body: bytes, topic: str, allowed_hosts: list[str]) -> list[str]:
    """The item links of a delivered feed document that belong to the source's hosts."""
    parsed = feedparser.parse(body)
    urls: list[str] = []
    for entry in parsed.entries:
        link = entry.get("link")
        if not link:
            continue
        url = canonical_url(urljoin(topic, link))
        host = (urlsplit(url).hostname or "").lower()
        on_source = any(host == name or host.endswith(f".{name}") for name in allowed_hosts)
        if on_source and url not in urls:
            urls.append(url)
    return urls


def _signature(request: Request) -> str | None:
    """The delivery's signature as ``method=hexdigest``; hubs send one of two headers."""
    if sha256 := request.headers.get("X-Hub-Signature-256"):
        return sha256 if "=" in sha256 else f"sha256={sha256}"
    return request.headers.get("X-Hub-Signature")


class _Metrics:
    """The receiver's counts, in a registry of its own (one per app)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.deliveries = Counter(
            "newsloom_websub_deliveries", "Hub deliveries by outcome", ["outcome"],
            registry=self.registry,
        )  # fmt: skip
        self.verifications = Counter(
            "newsloom_websub_verifications", "Hub verification requests by outcome",
            ["outcome"], registry=self.registry,
        )  # fmt: skip


def _renewing(
    settings: Settings, store: SubscriptionStore, stop: threading.Event
) -> Callable[[], None]:
    """The body of the thread that subscribes and renews until ``stop`` is set."""

    def loop() -> None:
        assert settings.websub_callback_url is not None  # checked by create_receiver
        while not stop.is_set():
            try:
                registry = load_sources(settings.sources_file)
                renew_due(
                    store, str(settings.websub_callback_url), settings.websub_lease_s,
                    private_endpoints(registry.sources), [s.id for s in registry.sources],
                    settings.user_agent,
                )  # fmt: skip
            except redis.RedisError as error:
                logger.warning("websub renewals paused: Redis: %s; retrying", error)
            stop.wait(RENEW_EVERY_S)

    return loop


def create_receiver(settings: Settings, renew: bool = True) -> FastAPI:
    """The receiver app; with ``renew``, a thread subscribes and renews in the background.

    Raises :class:`~newsloom.errors.InvalidInputError` when ``websub_callback_url`` is unset
    (hubs could not reach us).
    """
    if settings.websub_callback_url is None:
        raise InvalidInputError(
            "NEWSLOOM_WEBSUB_CALLBACK_URL is unset: set it to the public URL hubs reach this "
            "receiver at"
        )
    store = SubscriptionStore(redis_client(settings, timeout_s=10))
    celery: Celery = task_sender(settings, "newsloom-websub")
    metrics = _Metrics()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        stop = threading.Event()
        thread = threading.Thread(target=_renewing(settings, store, stop), name="websub-renew")
        if renew:
            thread.start()
        yield
        stop.set()
        if renew:
            thread.join(15)

    app = FastAPI(title="newsloom WebSub receiver", lifespan=lifespan, docs_url=None)

    def registry() -> SourceRegistry:
        # Read per delivery: an edited registry applies without a restart.
        return load_sources(settings.sources_file)

    @app.get("/websub/{subscription_id}")
    def verify(
        subscription_id: str,
        mode: Annotated[str, Query(alias="hub.mode")],
        topic: Annotated[str, Query(alias="hub.topic")],
        challenge: Annotated[str, Query(alias="hub.challenge")] = "",
        lease_s: Annotated[int | None, Query(alias="hub.lease_seconds", ge=1)] = None,
    ) -> Response:
        """Confirm a subscription we asked for; refuse anything else with 404 (WebSub §5.3)."""
        subscription = store.get(subscription_id)
        if subscription is None or subscription.topic != topic:
            metrics.verifications.labels("unknown").inc()
            return Response("no such subscription", status_code=404)
        if mode == "denied":
            store.denied(subscription_id)
            logger.warning("websub: hub %s denied %s", subscription.hub, topic)
            metrics.verifications.labels("denied").inc()
            return Response(status_code=200)
        # We never unsubscribe: a request to confirm one is somebody else's.
        if mode != "subscribe" or not challenge:
            metrics.verifications.labels("refused").inc()
            return Response("not ours", status_code=404)
        store.verified(subscription_id, lease_s or settings.websub_lease_s)
        metrics.verifications.labels("verified").inc()
        return Response(challenge, media_type="text/plain")

    def send_crawl(subscription: Subscription, urls: list[str]) -> None:
        celery.send_task(
            CRAWL_TASK, args=[subscription.source_id], kwargs={"urls": urls}, queue=CRAWL_QUEUE
        )

    @app.post("/websub/{subscription_id}", status_code=202)
    async def deliver(subscription_id: str, request: Request) -> Response:
        """Turn a signed delivery into a crawl of its items; unsigned ones are ignored."""
        subscription = await run_in_threadpool(store.get, subscription_id)
        if subscription is None:
            metrics.deliveries.labels("unknown").inc()
            return Response("no such subscription", status_code=410)  # the hub may stop
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_DELIVERY_BYTES:
                metrics.deliveries.labels("too_large").inc()
                return Response("delivery too large", status_code=413)
        if not signature_valid(subscription.secret, bytes(body), _signature(request)):
            # WebSub §8: acknowledge, but do nothing with content we cannot trust.
            logger.warning("websub: unsigned or badly signed delivery for %s", subscription.topic)
            metrics.deliveries.labels("bad_signature").inc()
            return Response(status_code=202)
        sources = await run_in_threadpool(registry)
        try:
            source = sources.by_id(subscription.source_id)
        except SourcesError:
            metrics.deliveries.labels("unknown_source").inc()
            return Response("source left the registry", status_code=410)
        urls = pushed_urls(bytes(body), subscription.topic, source.allowed_domains)
        if urls:
            try:
                await run_in_threadpool(send_crawl, subscription, urls)
            except (OperationalError, redis.RedisError) as error:
                # The hub retries a failed delivery: nothing is lost while the broker is down.
                logger.warning("websub: cannot queue the crawl of %d URLs: %s", len(urls), error)
                metrics.deliveries.labels("broker_down").inc()
                return Response("broker unavailable, retry later", status_code=503)
        metrics.deliveries.labels("crawled" if urls else "no_items").inc()
        return Response(status_code=202)

    @app.get("/health", include_in_schema=False)
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/metrics", include_in_schema=False)
    def metrics_endpoint() -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    return app
