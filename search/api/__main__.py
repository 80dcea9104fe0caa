"""``python -m search.api``: serve the search API with the settings from the environment."""

from search.api.server import api_app

api_app()
