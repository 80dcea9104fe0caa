"""Index lifecycle management (ILM) for deployments whose Elasticsearch has it.

The core distribution the tests run on has no ILM, so the policy lives in an optional
component template, ``<alias>-lifecycle``, that the index template lists as ignorable when
missing: a server without ILM simply never gets it, and one with ILM gets it from
``newsloom index lifecycle`` without the templates ``ensure_index`` writes ever changing.

Rollover is not an ILM action here: an ILM rollover would create the next index without the
read alias. ``newsloom index rollover`` (scheduled by beat) rolls over and keeps both aliases;
ILM then ages the indices it leaves behind.
"""

from __future__ import annotations

from typing import Any

from elasticsearch import ApiError, Elasticsearch

from newsloom.errors import NewsloomError
from search.aliases import indices_behind, write_index

__all__ = ["LifecycleError", "install_lifecycle", "lifecycle_component", "lifecycle_policy"]


class LifecycleError(NewsloomError):
    """The server cannot take the lifecycle policy."""


def lifecycle_component(alias: str) -> str:
    """Name of the optional component template holding the ILM settings."""
    return f"{alias}-lifecycle"


def lifecycle_policy(warm_after: str = "30d") -> dict[str, Any]:
    """An ILM policy: indices left behind by a rollover are merged and made read-only.

    Nothing is deleted: analysts search years back, so old news is kept, only made cheap.
    """
    return {
        "phases": {
            "hot": {"min_age": "0ms", "actions": {"set_priority": {"priority": 100}}},
            "warm": {
                "min_age": warm_after,
                "actions": {
                    "forcemerge": {"max_num_segments": 1},
                    "readonly": {},
                    "set_priority": {"priority": 50},
                },
            },
        }
    }


def install_lifecycle(es: Elasticsearch, alias: str, policy_name: str, warm_after: str) -> None:
    """Put the policy and attach it to every current and future index behind ``alias``."""
    try:
        es.ilm.put_lifecycle(name=policy_name, policy=lifecycle_policy(warm_after))
    except ApiError as error:
        raise LifecycleError(
            f"Elasticsearch refused the lifecycle policy ({error.message}); this server may "
            "have no index lifecycle management (the core distribution does not): use "
            "`newsloom index rollover` on a schedule instead"
        ) from error
    settings = {"index": {"lifecycle": {"name": policy_name}}}
    es.cluster.put_component_template(
        name=lifecycle_component(alias), template={"settings": settings}
    )
    writing = write_index(es, alias)
    indices = sorted({*indices_behind(es, alias), *([writing] if writing else [])})
    if indices:
        es.indices.put_settings(index=",".join(indices), settings=settings)
