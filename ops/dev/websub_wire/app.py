"""The wire site's ASGI app: feed, articles, hub (subscribe with intent verification), publish."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape
from pathlib import Path
from urllib.parse import parse_qsl

import httpx
import yaml
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route

from ops.dev.fixture_site.seed_render import Kind, parse_seed

__all__ = ["SOURCE_ID", "WireSite", "create_app", "seed_site", "write_sources"]

SOURCE_ID = "wire"
FEED_PATH = "/feed.xml"
HUB_PATH = "/hub"


@dataclass
class WireSite:
    """What the site has published and who subscribed to its feed (a test fixture's memory)."""

    paragraphs: list[str]
    title: str
    origin: str = ""
    published: list[datetime] = field(default_factory=list)
    # callback URL -> secret, for verified subscribers only
    subscribers: dict[str, str] = field(default_factory=dict)

    def feed(self) -> bytes:
        """RSS naming the hub and itself (``atom:link``), newest 20 articles first."""
        items = "".join(
            f"<item><title>{escape(self.headline(n))}</title>"
            f"<link>{self.origin}/articles/{n}</link><guid>{self.origin}/articles/{n}</guid>"
            f"<pubDate>{format_datetime(when)}</pubDate></item>"
            for n, when in reversed(list(enumerate(self.published))[-20:])
        )
        return (
            '<?xml version="1.0"?><rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">'
            f"<channel><title>Wire</title><link>{self.origin}/</link>"
            f'<atom:link rel="hub" href="{self.origin}{HUB_PATH}"/>'
            f'<atom:link rel="self" href="{self.origin}{FEED_PATH}"/>{items}</channel></rss>'
        ).encode()

    def headline(self, number: int) -> str:
        """Article ``number``'s headline: the seed's, numbered so every article is its own."""
        return f"{self.title} (wire update {number})"

    def article(self, number: int) -> bytes:
        """Article ``number``: a dated news page whose first paragraph is its own."""
        when = self.published[number]
        lead = f"<p>Wire update {number}, filed at {when.isoformat()} by the desk.</p>"
        body = "".join(f"<p>{escape(text)}</p>" for text in self.paragraphs)
        return (
            f"<!doctype html><html lang=en><head><title>{escape(self.headline(number))}</title>"
            f'<meta property="article:published_time" content="{when.isoformat()}">'
            f"</head><body><article><h1>{escape(self.headline(number))}</h1>{lead}{body}"
            "</article></body></html>"
        ).encode()


async def _verify(callback: str, topic: str, lease: str) -> bool:
    """Ask ``callback`` to echo a challenge (WebSub §5.3): its intent to subscribe."""
    challenge = secrets.token_hex(16)
    params = {"hub.mode": "subscribe", "hub.topic": topic, "hub.challenge": challenge,
              "hub.lease_seconds": lease}  # fmt: skip
    async with httpx.AsyncClient(timeout=10) as client:
        answer = await client.get(callback, params=params)
    return answer.is_success and answer.text == challenge


def create_app(site: WireSite) -> Starlette:
    """The site's routes; ``site.origin`` must be set before the first request."""

    async def feed(_: Request) -> Response:
        return Response(site.feed(), media_type="application/rss+xml")

    async def article(request: Request) -> Response:
        number = int(request.path_params["number"])
        if not 0 <= number < len(site.published):
            return HTMLResponse("<h1>not found</h1>", status_code=404)
        return HTMLResponse(site.article(number))

    async def hub(request: Request) -> Response:
        # WebSub requests are always form-encoded: the standard library reads them.
        form = dict(parse_qsl((await request.body()).decode()))
        mode, topic = form.get("hub.mode", ""), form.get("hub.topic", "")
        callback, secret = form.get("hub.callback", ""), form.get("hub.secret", "")
        if mode != "subscribe" or topic != f"{site.origin}{FEED_PATH}" or not callback:
            return PlainTextResponse("unsupported request", status_code=400)
        # Verified before answering, which the spec allows: simpler for a fixture.
        if await _verify(callback, topic, form.get("hub.lease_seconds", "864000")):
            site.subscribers[callback] = secret
        return Response(status_code=202)

    async def publish(_: Request) -> Response:
        site.published.append(datetime.now(UTC))
        body = site.feed()
        async with httpx.AsyncClient(timeout=10) as client:
            for callback, secret in site.subscribers.items():
                signature = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
                await client.post(
                    callback, content=body,
                    headers={"Content-Type": "application/rss+xml",
                             "X-Hub-Signature": f"sha256={signature}"},
                )  # fmt: skip
        return PlainTextResponse(f"{site.origin}/articles/{len(site.published) - 1}")

    routes = [
        Route(FEED_PATH, feed),
        Route("/articles/{number:int}", article),
        Route(HUB_PATH, hub, methods=["POST"]),
        Route("/publish", publish, methods=["POST"]),
    ]
    return Starlette(routes=routes)


def seed_site(shared_dir: Path, articles: int) -> WireSite:
    """A site whose articles carry the first seed's headline and paragraphs."""
    seed = parse_seed(sorted((shared_dir / "seeds").glob("*.txt"))[0].read_text("utf-8"))
    paragraphs = [line for block in seed.blocks if block.kind is Kind.PARAGRAPH
                  for line in block.lines]  # fmt: skip
    site = WireSite(paragraphs=paragraphs, title=seed.title)
    site.published = [datetime.now(UTC)] * articles
    return site


def write_sources(directory: Path, origin: str) -> Path:
    """A registry with the wire site at ``origin`` as its one source, ``wire``."""
    path = directory / "websub-sources.yaml"
    source = {
        "id": SOURCE_ID, "name": "Wire", "homepage": f"{origin}/", "languages": ["en"],
        "feeds": [f"{origin}{FEED_PATH}"], "politeness": {"delay_s": 0},
        "allow_private_network": True,  # a loopback fixture; real sources never set it
    }  # fmt: skip
    path.write_text(yaml.safe_dump({"sources": [source]}))
    return path
