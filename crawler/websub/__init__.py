"""WebSub: hubs push a feed's new items, so an article is crawled seconds after publication.

The flow, each step in a module of its own:

- :mod:`.discovery`: a feed the crawler reads names its hub (``rel="hub"``) and its own
  topic URL (``rel="self"``), in the document or in HTTP ``Link`` headers;
- :mod:`.subscriptions`: what every receiver process shares about each topic, in Redis;
- :mod:`.subscriber`: asks hubs to subscribe, and to renew before the lease runs out;
- :mod:`.receiver`: the callback the hubs call, to verify intent and to deliver content;
  each delivery becomes a crawl of its new item URLs on the crawl queue.

Polling stays on: a hub is an accelerator, never the only way an article is found.
"""
