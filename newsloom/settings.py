"""One settings object for every component, read from ``NEWSLOOM_*`` environment variables."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, HttpUrl, RedisDsn
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Typed configuration; every field can be set as ``NEWSLOOM_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="NEWSLOOM_", env_file=".env", extra="ignore")

    redis_url: RedisDsn = Field(
        default=RedisDsn("redis://127.0.0.1:6379/0"),
        description="Broker and shared crawl state.",
    )
    elasticsearch_url: HttpUrl = HttpUrl("http://127.0.0.1:9200")
    elasticsearch_version: str = Field(
        default="9.3.2", description="Pinned version of the local Elasticsearch distribution."
    )
    elasticsearch_heap: str = "1g"
    index_alias: str = Field(default="articles", description="Alias searches read from.")
    index_replicas: int = Field(default=0, ge=0)
    state_dir: Path = Field(
        default=REPO_ROOT / ".newsloom",
        description="Where local services keep data, logs and pid files.",
    )
    cache_dir: Path = Field(
        default=Path.home() / ".cache" / "newsloom",
        description="Downloads kept between runs (the Elasticsearch distribution).",
    )
    shared_dir: Path = Field(
        default=REPO_ROOT.parent / "shared",
        description="Seed articles and the news corpus the fixture site serves.",
    )
    sources_file: Path = Field(default=REPO_ROOT / "crawler" / "sources" / "registry.yaml")
    user_agent: str = "newsloom/0.1 (+https://github.com/newsloom/newsloom; news research crawler)"
    task_time_limit_s: int = Field(default=300, gt=0)
    # Delivery (issue #12). A worker renews the lease on every message it holds, so only a
    # dead worker's messages outlive this and go back to the queue; see docs/decisions.md.
    broker_visibility_timeout_s: int = Field(
        default=30,
        ge=3,
        description="A message held this long without its worker renewing it is redelivered.",
    )
    retry_backoff_max_s: float = Field(
        default=30.0,
        gt=0,
        description=(
            "Longest wait between retries of a transient error, so work resumes within about "
            "this long after Elasticsearch or Redis comes back."
        ),
    )
    retry_max_age_s: int = Field(
        default=7 * 86400,
        gt=0,
        description="A task still failing with transient errors this long after its first "
        "failure is quarantined.",
    )
    # Metrics (issue #6). Ports of 0 switch an endpoint off; "" switches the Pushgateway off.
    metrics_host: str = Field(
        default="127.0.0.1", description="Address metrics endpoints bind to (0.0.0.0 in compose)."
    )
    crawler_metrics_port: int = Field(default=0, ge=0, le=65535)
    crawler_metrics_linger_s: float = Field(
        default=0.0,
        ge=0,
        description="Keep serving crawl metrics this long after a crawl, for a last scrape.",
    )
    worker_metrics_port: int = Field(default=0, ge=0, le=65535)
    pushgateway_url: str = Field(
        default="", description="Crawls push their final metrics here when set."
    )
    # Scheduled crawls (issue #6): sources without their own interval use this one.
    crawl_interval_s: int = Field(default=3600, gt=0)
    crawl_timeout_s: int = Field(
        default=3600,
        gt=0,
        description="A scheduled crawl is stopped, and its lock freed, after this.",
    )
    # Index rotation: `newsloom index rollover` and its beat schedule start a new write index
    # once the current one is this old or its primary shard this large.
    rollover_max_age: str = "30d"
    rollover_max_primary_shard_size: str = "25gb"
    rollover_check_interval_s: int = Field(default=3600, gt=0)
    # Search API (issue #5).
    api_host: str = Field(default="127.0.0.1", description="Address `newsloom api` binds to.")
    api_port: int = Field(default=8000, ge=1, le=65535)
    api_key: str = Field(
        default="",
        description=(
            "When set, every API call needs X-API-Key: <key>, except /health, /metrics "
            "and the OpenAPI docs."
        ),
    )
    api_cors_origins: list[str] = Field(
        default_factory=list, description="Browser origins allowed to call the API (JSON list)."
    )
    kibana_url: HttpUrl = Field(
        default=HttpUrl("http://127.0.0.1:5601"),
        description="Where `newsloom kibana import` posts.",
    )

    @cached_property
    def redis_port(self) -> int:
        """Port of the Redis server named by ``redis_url``."""
        return self.redis_url.port or 6379

    @cached_property
    def elasticsearch_port(self) -> int:
        """Port of the Elasticsearch server named by ``elasticsearch_url``."""
        return urlsplit(str(self.elasticsearch_url)).port or 9200

    def as_environment(self) -> dict[str, str]:
        """These settings as ``NEWSLOOM_*`` variables, for child processes."""
        values = self.model_dump(mode="json")
        return {f"NEWSLOOM_{name.upper()}": str(values[name]) for name in type(self).model_fields}


def get_settings() -> Settings:
    """Read settings from the environment now (never cached: tests and CLIs override it)."""
    return Settings()
