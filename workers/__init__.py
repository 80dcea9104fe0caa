"""Workers stage: Celery tasks that enrich crawled articles and hand them to the indexer."""
