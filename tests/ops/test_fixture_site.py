"""The fixture news site over real HTTP: discovery, HTTP caching, seed pages, corpus, edges."""

from __future__ import annotations

import gzip
import html
import json
import re
import selectors
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
import yaml

from crawler.sources import load_sources
from newsloom.settings import get_settings
from ops.dev.fixture_site.cli import READY_PREFIX
from ops.dev.fixture_site.corpus import list_corpus
from ops.dev.fixture_site.edge import BOMB_DECOMPRESSED_BYTES, SLOW_SECONDS
from ops.dev.fixture_site.pages import OUTLET_IDS, SEED_OUTLETS, ExpectedArticle, expected_articles
from ops.dev.local.background import BackgroundProcess

pytestmark = pytest.mark.integration

NEWS_NS = "{http://www.google.com/schemas/sitemap-news/0.9}"
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def _command(sources_out: Path) -> list[str]:
    return [
        sys.executable, "-m", "ops.dev.fixture_site", "--port-base", "0",
        "--sources-out", str(sources_out),
    ]  # fmt: skip


@dataclass(frozen=True)
class Reply:
    """One HTTP exchange's outcome, whatever its status."""

    status: int
    headers: Message
    body: bytes


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


# No proxies: a developer's HTTP_PROXY must not capture loopback requests.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects())


def fetch(url: str, headers: dict[str, str] | None = None, method: str = "GET") -> Reply:
    """Request ``url`` without following redirects; errors come back as replies too."""
    request = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with _OPENER.open(request, timeout=15) as response:
            return Reply(response.status, response.headers, response.read())
    except urllib.error.HTTPError as error:
        with error:
            return Reply(error.code, error.headers, error.read())


def parse_xml(body: bytes) -> ET.Element:
    """Parse XML the fixture site itself produced."""
    return ET.fromstring(body)  # noqa: S314 - our own server's output, not untrusted input


@pytest.fixture(scope="module")
def sources_file(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The fixture site running for this module; yields the sources file it wrote."""
    workdir = tmp_path_factory.mktemp("fixture-site")
    site = BackgroundProcess(
        "fixture-site",
        _command(workdir / "sources.yaml"),
        workdir / "fixture-site.log",
        ready_pattern=re.escape(READY_PREFIX) + r"(?P<sources>\S+)",
    )
    with site:
        yield Path(site.start(timeout_s=60)["sources"])


@pytest.fixture(scope="module")
def origins(sources_file: Path) -> dict[str, str]:
    """Each outlet id's origin, e.g. ``http://127.0.0.1:40123``."""
    document = yaml.safe_load(sources_file.read_text(encoding="utf-8"))
    return {entry["id"]: entry["homepage"].rstrip("/") for entry in document["sources"]}


@pytest.fixture(scope="module")
def expected() -> dict[str, list[ExpectedArticle]]:
    """The articles each outlet serves, from the shared data."""
    return expected_articles()


def _seed_page(
    origins: dict[str, str], expected: dict[str, list[ExpectedArticle]], outlet: str
) -> str:
    (article,) = expected[outlet]
    reply = fetch(origins[outlet] + article.path)
    assert reply.status == 200
    return reply.body.decode("utf-8")


def test_sources_file_lists_every_outlet_and_the_crawler_accepts_it(sources_file: Path) -> None:
    document = yaml.safe_load(sources_file.read_text(encoding="utf-8"))
    entries = {entry["id"]: entry for entry in document["sources"]}
    assert tuple(entries) == OUTLET_IDS
    assert entries["almayadeen"]["name"] == "Al Mayadeen English (fixture)"
    assert [entries[i]["country"] for i in OUTLET_IDS] == ["LB", "HK", *[None] * 5]
    assert entries["corpus"]["languages"] == []
    assert [entries[f"corpus-{code}"]["languages"] for code in ("ko", "ja", "zh", "ru")] == [
        ["ko"],
        ["ja"],
        ["zh"],
        ["ru"],
    ]
    for entry in entries.values():
        assert entry["homepage"].startswith("http://127.0.0.1:")
        assert entry["feeds"] == [entry["homepage"] + "rss.xml"]
        assert entry["sitemaps"] == [entry["homepage"] + "sitemap.xml"]
        assert entry["allow_private_network"] is True
    assert [source.id for source in load_sources(sources_file).sources] == list(OUTLET_IDS)


@pytest.mark.parametrize("outlet", OUTLET_IDS)
def test_homepage_links_every_article(
    origins: dict[str, str], expected: dict[str, list[ExpectedArticle]], outlet: str
) -> None:
    reply = fetch(origins[outlet] + "/")
    assert reply.status == 200
    assert reply.headers["Content-Type"] == "text/html; charset=utf-8"
    links = set(re.findall(r'href="([^"]+)"', reply.body.decode("utf-8")))
    assert {article.path for article in expected[outlet]} <= links
    assert "/private/" in links  # linked, so obeying robots.txt is what keeps crawlers out


@pytest.mark.parametrize("outlet", OUTLET_IDS)
def test_rss_lists_every_article(
    origins: dict[str, str], expected: dict[str, list[ExpectedArticle]], outlet: str
) -> None:
    reply = fetch(origins[outlet] + "/rss.xml")
    assert reply.headers["Content-Type"] == "application/rss+xml; charset=utf-8"
    items = parse_xml(reply.body).findall("channel/item")
    found = {(item.findtext("link"), item.findtext("title")) for item in items}
    assert found == {(origins[outlet] + a.path, a.title) for a in expected[outlet]}
    for item in items:
        assert item.findtext("guid") == item.findtext("link")
        assert re.fullmatch(
            r"\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d [+-]\d{4}", item.findtext("pubDate") or ""
        )


def test_rss_dates_the_seed_in_its_own_time_zone(origins: dict[str, str]) -> None:
    channel = parse_xml(fetch(origins["scmp"] + "/rss.xml").body)
    assert channel.findtext("channel/item/pubDate") == "Fri, 19 Jan 2024 21:45:00 +0800"


@pytest.mark.parametrize("outlet", OUTLET_IDS)
def test_sitemap_index_leads_to_news_sitemap(
    origins: dict[str, str], expected: dict[str, list[ExpectedArticle]], outlet: str
) -> None:
    index = parse_xml(fetch(origins[outlet] + "/sitemap.xml").body)
    locations = [loc.text or "" for loc in index.iter(f"{SITEMAP_NS}loc")]
    assert locations == [origins[outlet] + "/sitemap-news.xml"]
    urlset = parse_xml(fetch(locations[0]).body)
    found = {
        (url.findtext(f"{SITEMAP_NS}loc"), url.findtext(f"{NEWS_NS}news/{NEWS_NS}title"))
        for url in urlset.findall(f"{SITEMAP_NS}url")
    }
    assert found == {(origins[outlet] + a.path, a.title) for a in expected[outlet]}
    dates = [d.text or "" for d in urlset.iter(f"{NEWS_NS}publication_date")]
    assert dates and all(re.search(r"[+-]\d\d:\d\d$", date) for date in dates)


def test_news_sitemap_dates_the_seed(origins: dict[str, str]) -> None:
    urlset = parse_xml(fetch(origins["almayadeen"] + "/sitemap-news.xml").body)
    assert urlset.findtext(f".//{NEWS_NS}publication_date") == "2024-01-30T10:12:00+03:00"


def test_robots_txt_forbids_private_and_names_the_sitemap(origins: dict[str, str]) -> None:
    origin = origins["almayadeen"]
    reply = fetch(origin + "/robots.txt")
    assert reply.headers["Content-Type"] == "text/plain; charset=utf-8"
    lines = reply.body.decode("ascii").splitlines()
    assert "User-agent: *" in lines
    assert "Disallow: /private/" in lines
    assert f"Sitemap: {origin}/sitemap.xml" in lines
    assert fetch(origin + "/private/").status == 200  # it exists: only robots.txt keeps it out


def test_gzip_only_when_the_client_asks(origins: dict[str, str]) -> None:
    url = origins["almayadeen"] + "/"
    plain = fetch(url)
    assert plain.headers["Content-Encoding"] is None
    zipped = fetch(url, {"Accept-Encoding": "gzip, deflate"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert zipped.headers["Vary"] == "Accept-Encoding"
    assert gzip.decompress(zipped.body) == plain.body
    assert zipped.headers["ETag"] != plain.headers["ETag"]  # two representations, two tags
    refused = fetch(url, {"Accept-Encoding": "gzip;q=0, identity"})
    assert refused.headers["Content-Encoding"] is None


def test_validators_answer_304(
    origins: dict[str, str], expected: dict[str, list[ExpectedArticle]]
) -> None:
    url = origins["scmp"] + expected["scmp"][0].path
    first = fetch(url)
    etag, last_modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', etag)  # strong: no W/ prefix
    assert last_modified == "Fri, 19 Jan 2024 13:45:00 GMT"
    assert first.headers["Cache-Control"] == "public, max-age=300"
    by_tag = fetch(url, {"If-None-Match": etag})
    assert (by_tag.status, by_tag.body, by_tag.headers["ETag"]) == (304, b"", etag)
    assert fetch(url, {"If-None-Match": f'"other", W/{etag}'}).status == 304
    assert fetch(url, {"If-Modified-Since": last_modified}).status == 304
    assert fetch(url, {"If-Modified-Since": "Thu, 18 Jan 2024 00:00:00 GMT"}).status == 200
    assert (
        fetch(url, {"If-None-Match": '"stale"', "If-Modified-Since": last_modified}).status == 200
    )


def test_unknown_path_is_an_html_404(origins: dict[str, str]) -> None:
    for outlet in OUTLET_IDS:
        reply = fetch(origins[outlet] + "/no/such/page")
        assert reply.status == 404
        assert reply.headers["Content-Type"] == "text/html; charset=utf-8"
        assert b"Page not found" in reply.body


def test_only_get_and_head_are_allowed(origins: dict[str, str]) -> None:
    url = origins["almayadeen"] + "/"
    posted = fetch(url, method="POST")
    assert (posted.status, posted.headers["Allow"]) == (405, "GET, HEAD")
    head = fetch(url, method="HEAD")
    assert head.status == 200
    assert head.body == b""
    assert int(head.headers["Content-Length"]) == len(fetch(url).body)


def _visible_text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


@pytest.mark.parametrize(
    ("outlet", "boilerplate"),
    [
        ("almayadeen", ["Read more: Seoul functions as US 'colonial stooge'"]),
        (
            "scmp",
            [
                "Advertisement",
                "Get more with myNEWS",
                "A personalised news feed of stories that matter to you",
                "Learn more",
                "Photo: VCG/VCG via Getty Images",
                "03:56",
            ],
        ),
    ],
)
def test_seed_page_keeps_every_seed_line_with_its_boilerplate(
    origins: dict[str, str],
    expected: dict[str, list[ExpectedArticle]],
    outlet: str,
    boilerplate: list[str],
) -> None:
    page = _seed_page(origins, expected, outlet)
    text = _visible_text(page)
    for snippet in boilerplate:
        assert snippet in text
    (prefix,) = [spec.seed_prefix for spec in SEED_OUTLETS if spec.id == outlet]
    seed_file = next((get_settings().shared_dir / "seeds").glob(f"{prefix}*.txt"))
    for line in seed_file.read_text(encoding="utf-8").splitlines():
        assert " ".join(line.strip(" •").split()) in text


def test_seed_boilerplate_sits_inline_in_the_article(
    origins: dict[str, str], expected: dict[str, list[ExpectedArticle]]
) -> None:
    scmp = _seed_page(origins, expected, "scmp")
    article = scmp[scmp.index("<article") : scmp.index("</article>")]
    assert article.count("Advertisement") == 2
    video = article.index("03:56")
    title = "North Korean constitution change raises threat of nuclear war"
    assert article.count(title) == 2 and article.index(title) > video
    assert article.index("Haeil-5-23") < video < article.index("invariable principal enemy")
    almayadeen = _seed_page(origins, expected, "almayadeen")
    read_more = re.findall(
        r'<p class="read-more">Read more: <a href="/news/politics/[^"]+">', almayadeen
    )
    assert len(read_more) == 3


@pytest.mark.parametrize(
    ("outlet", "published", "author", "publisher"),
    [
        ("almayadeen", "2024-01-30T10:12:00+03:00", "Al Mayadeen English", "Al Mayadeen English"),
        ("scmp", "2024-01-19T21:45:00+08:00", "Dewey Sim", "South China Morning Post"),
    ],
)
def test_seed_page_metadata(
    origins: dict[str, str],
    expected: dict[str, list[ExpectedArticle]],
    outlet: str,
    published: str,
    author: str,
    publisher: str,
) -> None:
    page = _seed_page(origins, expected, outlet)
    (article,) = expected[outlet]
    url = origins[outlet] + article.path
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert match is not None
    data = json.loads(match[1])
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == article.title
    assert data["datePublished"] == published
    assert data["author"][0]["name"] == author
    assert data["publisher"]["name"] == publisher
    assert f'<link rel="canonical" href="{url}">' in page
    assert f'<meta property="og:url" content="{url}">' in page
    assert f'<h1 class="headline">{html.escape(article.title, quote=False)}</h1>' in page


def test_corpus_pages_are_served_byte_for_byte(
    origins: dict[str, str], expected: dict[str, list[ExpectedArticle]]
) -> None:
    entries = list_corpus(get_settings().shared_dir)
    assert len(entries) > 100
    # Pages in the region's languages are served by that language's outlet, the rest by corpus.
    outlet_of = {article.path: outlet for outlet in OUTLET_IDS for article in expected[outlet]}
    assert {outlet_of[entry.path] for entry in entries} == {
        "corpus",
        *(f"corpus-{code}" for code in ("ko", "ja", "zh", "ru")),
    }
    for entry in entries:
        reply = fetch(origins[outlet_of[entry.path]] + entry.path)
        assert reply.status == 200, entry.path
        assert reply.body == gzip.decompress(entry.html_file.read_bytes()), entry.path
        assert reply.headers["Content-Type"].startswith("text/html; charset="), entry.path
    zipped = fetch(origins["corpus"] + entries[0].path, {"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.body) == gzip.decompress(entries[0].html_file.read_bytes())


def test_corpus_sections_list_their_country(origins: dict[str, str]) -> None:
    reply = fetch(origins["corpus"] + "/de/")
    assert reply.status == 200
    links = re.findall(r'<li class="story"><h3><a href="([^"]+)"', reply.body.decode("utf-8"))
    assert links and all(link.startswith("/de/") for link in links)


def test_edge_endpoints_are_linked_from_nowhere(origins: dict[str, str]) -> None:
    for origin in origins.values():
        for path in ("/", "/rss.xml", "/sitemap.xml", "/sitemap-news.xml", "/robots.txt"):
            assert b"/edge/" not in fetch(origin + path).body


def test_edge_charset_mismatch(origins: dict[str, str]) -> None:
    reply = fetch(origins["scmp"] + "/edge/charset-mismatch")
    assert reply.headers["Content-Type"] == "text/html; charset=utf-8"
    with pytest.raises(UnicodeDecodeError):
        reply.body.decode("utf-8")
    assert "Café society in Zürich" in reply.body.decode("cp1252")


def test_edge_gzip_bomb_is_small_on_the_wire(origins: dict[str, str]) -> None:
    reply = fetch(origins["scmp"] + "/edge/gzip-bomb")  # gzip never offered
    assert reply.headers["Content-Encoding"] == "gzip"
    assert len(reply.body) < 64 * 1024
    assert len(gzip.decompress(reply.body)) == BOMB_DECOMPRESSED_BYTES


def test_edge_pdf_redirect_loop_and_error(origins: dict[str, str]) -> None:
    origin = origins["corpus"]
    pdf = fetch(origin + "/edge/pdf")
    assert pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.body.startswith(b"%PDF-") and pdf.body.rstrip().endswith(b"%%EOF")
    first = fetch(origin + "/edge/redirect-loop")
    assert (first.status, first.headers["Location"]) == (302, "/edge/redirect-loop/next")
    second = fetch(origin + first.headers["Location"])
    assert (second.status, second.headers["Location"]) == (302, "/edge/redirect-loop")
    assert fetch(origin + "/edge/server-error").status == 500
    assert fetch(origin + "/edge/unknown").status == 404


def test_edge_slow_page_takes_its_time(origins: dict[str, str]) -> None:
    started = time.monotonic()
    reply = fetch(origins["almayadeen"] + "/edge/slow")
    assert reply.status == 200
    assert time.monotonic() - started >= SLOW_SECONDS - 0.05


def test_ready_line_on_stdout_and_clean_exit_on_sigterm(tmp_path: Path) -> None:
    sources_out = tmp_path / "sources.yaml"
    process = subprocess.Popen(_command(sources_out), stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    try:
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ)
            assert selector.select(timeout=60), "no ready line within 60 s"
            assert process.stdout.readline() == f"{READY_PREFIX}{sources_out}\n"
        assert sources_out.exists()
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
