"""Pages are decoded right even when the HTTP header or the ``<meta charset>`` lies."""

from __future__ import annotations

import base64
import json

import pytest

from crawler.extraction.encoding import decode_html
from newsloom.queues import ENRICH_QUEUE
from newsloom.settings import Settings
from newsloom.state import redis_client
from tests.crawler.children import crawl_report, start_crawl, write_sources
from tests.crawler.robots_server import robots_server

TEXT = "Café society in Zürich: «déjà vu» — €5."


def _page(charset: str) -> bytes:
    return f'<html><head><meta charset="{charset}"></head><body>{TEXT}</body></html>'.encode(
        charset
    )


def test_header_that_lies_loses_to_the_meta_declaration() -> None:
    assert TEXT in decode_html(_page("windows-1252"), "utf-8")


def test_truthful_header_is_used() -> None:
    assert TEXT in decode_html(_page("utf-8"), "utf-8")


def test_no_header_falls_back_to_the_document() -> None:
    assert TEXT in decode_html(_page("windows-1252"), None)


CYRILLIC = "Новости региона: в городе открыли новую школу, рассказал мэр журналистам. " * 3


def _cyrillic_page(declared: str, encoding: str) -> bytes:
    return (
        f'<html><head><meta charset="{declared}"><title>Новости</title></head>'
        f"<body><p>{CYRILLIC}</p></body></html>"
    ).encode(encoding)


def test_windows_1251_bytes_under_a_lying_meta_utf8_are_read_right() -> None:
    text = decode_html(_cyrillic_page("utf-8", "windows-1251"), None)
    assert "\ufffd" not in text
    assert CYRILLIC in text


def test_utf8_bytes_under_a_lying_windows_1251_header_are_read_right() -> None:
    for declared in ("utf-8", "windows-1251"):
        text = decode_html(_cyrillic_page(declared, "utf-8"), "windows-1251")
        assert CYRILLIC in text, declared  # no mojibake (Рќ...)


def test_header_and_meta_that_agree_are_trusted() -> None:
    assert CYRILLIC in decode_html(_cyrillic_page("windows-1251", "windows-1251"), "cp1251")


def _queued_bodies(settings: Settings) -> dict[str, str]:
    """Article id -> body of every article waiting in the enrich queue (Celery's messages)."""
    bodies: dict[str, str] = {}
    for raw in redis_client(settings).lrange(ENRICH_QUEUE, 0, -1):
        message = json.loads(raw)
        args = json.loads(base64.b64decode(message["body"]))[0]
        bodies[args[0]["id"]] = args[0]["body"]
    return bodies


@pytest.mark.integration
def test_lying_declarations_on_real_pages_queue_the_right_text(services: Settings) -> None:
    pages = {
        "/cp1251-meta-utf8": _cyrillic_page("utf-8", "windows-1251"),
        "/utf8-header-cp1251": _cyrillic_page("utf-8", "utf-8"),
    }
    types = {"/utf8-header-cp1251": "text/html; charset=windows-1251"}
    with robots_server(200, pages, robots_body=b"", content_types=types) as base:
        source = {"id": "charsets", "name": "Charsets", "homepage": f"{base}/",
                  "allow_private_network": True}  # fmt: skip
        sources_file = write_sources(services, "charsets", [source])
        child = start_crawl(services, sources_file, article_urls={"charsets": [
            f"{base}{path}" for path in pages]})  # fmt: skip
        report = crawl_report(child)
    assert report["articles"] == 2, report["stats"]
    queued = _queued_bodies(services)
    for article_id in report["article_ids"]:
        body = queued[article_id]
        assert "\ufffd" not in body and "Рќ" not in body, body[:80]
        assert "Новости региона" in body
