"""newsloom: crawl regional news, enrich every article, and make it searchable.

This package holds what every stage shares: the article schema, the settings object and the
command line. The stages themselves live beside it: ``crawler`` -> ``workers`` -> ``search``.
"""
