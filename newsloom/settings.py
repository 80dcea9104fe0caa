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
