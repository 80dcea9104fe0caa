"""robots.txt as RFC 9309 says: a 4xx means "no rules", a 5xx or no answer means "stay out".

Scrapy's own middleware parses whatever body comes back and allows everything when the fetch
fails; that crawls a site whose robots.txt is temporarily broken, which RFC 9309 (2.3.1.4)
forbids. Parsers are kept per host for one crawl; crawls are shorter than the 24 h the RFC
lets a crawler cache the file, and a new crawl fetches it again.
"""

from __future__ import annotations

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.http import Request, Response
from scrapy.utils.misc import build_from_crawler
from twisted.internet.defer import Deferred

__all__ = ["RFC9309RobotsTxt"]

_DISALLOW_ALL = b"User-agent: *\nDisallow: /\n"
_CLIENT_ERROR = range(400, 500)


class RFC9309RobotsTxt(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware with RFC 9309's rules for errors."""

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
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
