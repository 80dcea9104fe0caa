"""Scrapy's offsite filter, with every refusal finishing its URL and counted as ``offsite``.

Scrapy checks a request's host when the request is scheduled (a signal handler that raises
``IgnoreRequest``) and again before the download. Refused at scheduling, a redirect target
never reaches the frontier nor an errback, so the URL that redirected stayed leased and was
fetched again each time its lease ran out: the crawl never ended. Here that refusal is
reported to the frontier (:data:`~crawler.frontier.scheduler.request_failed`). A request
that skips the duplicate filter (``dont_filter``: retries, and redirects of retries) is
still held to the source's hosts.
"""

from __future__ import annotations

from typing import Final

from scrapy import Request, Spider
from scrapy.downloadermiddlewares.offsite import OffsiteMiddleware
from scrapy.exceptions import IgnoreRequest

from crawler.drops import DroppedRequest
from crawler.frontier.scheduler import request_failed

__all__ = ["OFFSITE", "SourceHostsOnly"]

OFFSITE: Final = "offsite"


class SourceHostsOnly(OffsiteMiddleware):
    """Downloader middleware and scheduling check: only the sources' hosts are fetched."""

    def request_scheduled(self, request: Request, spider: Spider) -> None:
        """Refuse an offsite request before it is scheduled, and finish the URL behind it."""
        try:
            self.process_request(request)
        except DroppedRequest:
            self.stats.inc_value(f"newsloom/dropped/{OFFSITE}")
            self.crawler.signals.send_catch_log(request_failed, request=request, reason=OFFSITE)
            raise

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        """Raise :class:`DroppedRequest` for a host outside every source's domains."""
        if request.dont_filter and not request.meta.get("allow_offsite"):
            request = request.replace(dont_filter=False)
        try:
            super().process_request(request)
        except IgnoreRequest as error:
            raise DroppedRequest(OFFSITE, str(error)) from error
