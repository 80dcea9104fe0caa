"""A wire service with its own WebSub hub, on loopback, for the WebSub tests and bench.

Real publishers' hubs are not reachable from tests, so this is one small enough to read:
the site serves a feed that names the hub, article pages built from the seed articles, and
``POST /publish``, which adds an article and pushes the new feed to every verified
subscriber, signed with the subscriber's secret as WebSub sections 7 and 8 describe.
"""
