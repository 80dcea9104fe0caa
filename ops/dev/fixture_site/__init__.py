"""A fixture news site: real HTTP on loopback for the crawler's tests and the demo crawl.

One process serves three outlets, each on its own loopback port (see ``server.py``):

- ``almayadeen``: a seed article rendered as an Al Mayadeen English page;
- ``scmp``: a seed article rendered as a South China Morning Post page;
- ``corpus``: the shared publisher corpus's real pages, byte for byte, at
  ``/<country><original URL path>``.

Every outlet serves ``/`` (homepage), section pages, its articles, ``/rss.xml`` (RSS 2.0),
``/sitemap.xml`` (a sitemap index) and ``/sitemap-news.xml`` (Google News sitemap),
``/robots.txt`` (everything allowed but ``/private/``), a ``/private/`` page no crawler may
fetch, and an HTML 404 for anything else; with gzip on request, strong ETags,
Last-Modified, 304 revalidation and Cache-Control.

Edge endpoints for crawler robustness tests, on every outlet, linked from nowhere:

- ``/edge/charset-mismatch``: header says UTF-8, body is windows-1252;
- ``/edge/gzip-bomb``: 5 MiB decompressed, ~5 KB on the wire, gzip even when not asked;
- ``/edge/pdf``: ``application/pdf`` at an extension-less path;
- ``/edge/redirect-loop``: 302 to ``/edge/redirect-loop/next`` and back, forever;
- ``/edge/server-error``: 500;
- ``/edge/slow``: answers after 3 seconds;
- ``/edge/links-to-slow``: a listing whose one link is ``/edge/slow``.

Start it with ``python -m ops.dev.fixture_site --port-base 0 --sources-out FILE`` (or
``newsloom fixtures serve``); it prints ``fixture site ready: FILE`` once serving.
"""
