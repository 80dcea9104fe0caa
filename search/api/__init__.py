"""The HTTP search API analysts and dashboards call (FastAPI; OpenAPI at ``/openapi.json``)."""
