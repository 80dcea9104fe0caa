"""Post the saved objects in ``saved_objects.ndjson`` to Kibana's saved objects import API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from newsloom.errors import NewsloomError

__all__ = ["SAVED_OBJECTS", "KibanaImportError", "import_saved_objects"]

SAVED_OBJECTS = Path(__file__).with_name("saved_objects.ndjson")


class KibanaImportError(NewsloomError):
    """Kibana was unreachable or refused some objects."""


def import_saved_objects(
    kibana_url: str, path: Path = SAVED_OBJECTS, *, api_key: str = "", timeout_s: float = 30
) -> int:
    """Import (overwriting) every object in ``path``; return how many Kibana accepted."""
    headers = {"kbn-xsrf": "newsloom"}
    if api_key:
        headers["Authorization"] = f"ApiKey {api_key}"
    url = kibana_url.rstrip("/") + "/api/saved_objects/_import"
    try:
        response = httpx.post(
            url,
            params={"overwrite": "true"},
            headers=headers,
            files={"file": (path.name, path.read_bytes(), "application/ndjson")},
            timeout=timeout_s,
        )
    except httpx.TransportError as error:
        raise KibanaImportError(
            f"cannot reach Kibana at {kibana_url} ({error}); start it or set NEWSLOOM_KIBANA_URL"
        ) from error
    if response.status_code != 200:
        raise KibanaImportError(f"Kibana answered {response.status_code}: {response.text[:300]}")
    result: dict[str, Any] = response.json()
    if not result.get("success", False):
        errors = [f"{e.get('type')}/{e.get('id')}: {e.get('error')}" for e in result["errors"]]
        raise KibanaImportError("Kibana refused: " + "; ".join(errors))
    return int(result.get("successCount", 0))
