"""robots.txt as RFC 9309 says: a 4xx means "no rules", a 5xx or no answer means "stay out".

Scrapy's own middleware parses whatever body comes back and allows everything when the fetch
fails; that crawls a site whose robots.txt is temporarily broken, which RFC 9309 (2.3.1.4)
forbids. Parsers are kept per host for one crawl; crawls are shorter than the 24 h the RFC
lets a crawler cache the file, and a new crawl fetches it again.

AI-training opt-outs: a site that shuts out the crawlers of AI training (a group for one of
:data:`AI_TRAINING_AGENTS` disallowing the path) has said it does not want its text used by
models; our enrichment runs models over every article, so such a path is skipped too and
dropped as ``ai_opt_out``.

Size: RFC 9309 (2.5) has crawlers parse at least the first 500 KiB. Scrapy would cancel a
robots.txt over ``DOWNLOAD_MAXSIZE`` and the failure would shut the host out; here the file
is read up to :data:`ROBOTS_MAX_BYTES` (uncompressed bodies; a compressed one keeps the
usual limit, checked after inflation) and the rules in that part are obeyed.

``Crawl-delay`` (not in RFC 9309, but widely declared) becomes the host's download delay, at
most :data:`MAX_CRAWL_DELAY_S`, and AutoThrottle is told not to shorten it.
"""

from __future__ import annotations

from typing import Any, Final

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest, StopDownload
from scrapy.http import Headers, Request, Response
from scrapy.robotstxt import RobotParser
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler
from twisted.internet.defer import Deferred

from crawler.drops import DroppedRequest

__all__ = [
    "AI_OPT_OUT",
    "AI_OPT_OUT_REASON",
    "AI_TRAINING_AGENTS",
    "ROBOTS",
    "ROBOTS_MAX_BYTES",
    "RFC9309RobotsTxt",
]

# Product tokens that sites name in robots.txt to refuse AI training (their owners' docs).
AI_TRAINING_AGENTS: Final = ("Google-Extended", "GPTBot", "CCBot", "anthropic-ai", "ClaudeBot")
AI_OPT_OUT: Final = "AI-training opt-out"
# Drop reasons (newsloom/dropped/<reason>).
AI_OPT_OUT_REASON: Final = "ai_opt_out"
ROBOTS: Final = "robots"
# A hostile or careless robots.txt must not stall a crawl for hours per page.
MAX_CRAWL_DELAY_S: Final = 30.0

# RFC 9309 2.5: "a parsing limit MUST be at least 500 kibibytes".
ROBOTS_MAX_BYTES: Final = 500 * 1024
# Request meta: this robots.txt fetch is cut at ROBOTS_MAX_BYTES by us, not by Scrapy.
_CUT = "newsloom_robots_cut"
_DISALLOW_ALL = b"User-agent: *\nDisallow: /\n"
_CLIENT_ERROR = range(400, 500)


def _is_robots_fetch(request: Request) -> bool:
    """Scrapy's own fetch of a host's robots.txt (not the spider's discovery request)."""
    return bool(request.meta.get("dont_obey_robotstxt")) and (
        urlparse_cached(request).path == "/robots.txt"
    )


def _first_lines(body: bytes, limit: int) -> bytes:
    """At most ``limit`` bytes of ``body``, cut after a line end so no rule is half read."""
    if len(body) <= limit:
        return body
    cut = body[:limit]
    return cut[: cut.rfind(b"\n") + 1]


class RFC9309RobotsTxt(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware with RFC 9309's rules for errors, size, AI opt-outs."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        crawler.signals.connect(self._headers_received, signal=signals.headers_received)
        crawler.signals.connect(self._bytes_received, signal=signals.bytes_received)

    def _headers_received(self, headers: Headers, body_length: int, request: Request) -> None:
        """Lift the size limit of an uncompressed robots.txt: it is cut at our own limit."""
        if not _is_robots_fetch(request):
            return
        encoding = (headers.get(b"Content-Encoding") or b"identity").strip().lower()
        if encoding == b"identity":
            request.meta["download_maxsize"] = 0  # read before the body (Scrapy's handler)
            request.meta[_CUT] = 0

    def _bytes_received(self, data: bytes, request: Request) -> None:
        """Stop reading a robots.txt at :data:`ROBOTS_MAX_BYTES`; what came is parsed."""
        if _CUT not in request.meta:
            return
        request.meta[_CUT] += len(data)
        if request.meta[_CUT] > ROBOTS_MAX_BYTES:
            self._stats.inc_value("newsloom/robots/truncated")
            raise StopDownload(fail=False)

    async def robot_parser(self, request: Request) -> RobotParser | None:
        """The host's parser, as settled after its robots.txt was read.

        Scrapy hands requests that waited for robots.txt the result of one shared Deferred;
        from the third waiter on that result is ``None`` (a callback in the chain returns
        nothing), and ``None`` means "no rules": those requests escaped robots.txt. The
        settled parser in ``_parsers`` is the answer every request must get.
        """
        parser = await super().robot_parser(request)
        settled = self._parsers.get(urlparse_cached(request).netloc, parser)
        return parser if isinstance(settled, Deferred) else settled

    def process_request_2(self, rp: RobotParser | None, request: Request) -> None:
        """Our own group first (Scrapy's check), then the groups of AI training agents."""
        try:
            super().process_request_2(rp, request)
        except IgnoreRequest as error:  # Scrapy's check counted robotstxt/forbidden
            raise DroppedRequest(ROBOTS, str(error)) from error
        if rp is None or request.url.endswith("/robots.txt"):
            return
        self._honour_crawl_delay(rp, request)
        for agent in AI_TRAINING_AGENTS:
            if not rp.allowed(request.url, agent):
                raise DroppedRequest(AI_OPT_OUT_REASON, f"{AI_OPT_OUT} in robots.txt (for {agent})")

    def _honour_crawl_delay(self, rp: RobotParser, request: Request) -> None:
        """Make the host's ``Crawl-delay`` for our agent the delay of its download slot."""
        parser: Any = getattr(rp, "rp", None)  # Scrapy's Protego wrapper keeps it here
        user_agent = request.headers.get(b"User-Agent", self._default_useragent)
        agent = user_agent.decode() if isinstance(user_agent, bytes) else str(user_agent)
        delay = parser.crawl_delay(agent) if hasattr(parser, "crawl_delay") else None
        if not delay:
            return
        delay = min(float(delay), MAX_CRAWL_DELAY_S)
        request.meta["autothrottle_dont_adjust_delay"] = True
        assert self.crawler.engine is not None  # requests flow only through a running engine
        downloader = self.crawler.engine.downloader
        key = downloader.get_slot_key(request)
        slot_settings = downloader.per_slot_settings.setdefault(key, {})
        slot_settings["delay"] = max(float(slot_settings.get("delay", 0.0)), delay)
        if key in downloader.slots:
            downloader.slots[key].delay = max(downloader.slots[key].delay, delay)

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        if len(response.body) > ROBOTS_MAX_BYTES:
            response = response.replace(body=_first_lines(response.body, ROBOTS_MAX_BYTES))
        if response.status in _CLIENT_ERROR:
            self._stats.inc_value("newsloom/robots/unavailable_allow")
            response = response.replace(body=b"")
        elif response.status >= 500:
            self._stats.inc_value("newsloom/robots/unreachable_disallow")
            response = response.replace(body=_DISALLOW_ALL)
        await super()._parse_robots(response, netloc, request)

    def _robots_error(self, exc: Exception, netloc: str) -> None:
        """No answer at all (connection refused, timeout, refused by a guard): disallow."""
        self._stats.inc_value("newsloom/robots/unreachable_disallow")
        parser = build_from_crawler(self._parserimpl, self.crawler, _DISALLOW_ALL)
        # Requests already waiting on this host's robots.txt get the same answer.
        waiting = self._parsers[netloc]
        self._parsers[netloc] = parser
        if isinstance(waiting, Deferred):
            waiting.callback(parser)
