"""Prometheus for newsloom: scrape config and alert rules (YAML), and the pipeline exporter."""
