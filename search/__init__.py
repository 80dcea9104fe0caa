"""Search stage: index templates, the indexer, and the queries analysts run."""
