"""Secrets reach the clients from files, never through the URLs or the environment."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from pydantic import RedisDsn, ValidationError

from newsloom.messaging import task_sender
from newsloom.settings import Settings
from newsloom.state import redis_client

# Characters a URL would misread if the password were pasted into it unquoted.
AWKWARD_PASSWORD = "p@ss/w:rd?#%"  # noqa: S105 - for a throwaway test ACL user


@pytest.fixture
def redis_user(services: Settings, tmp_path: Path) -> Iterator[Settings]:
    """Settings for a password-protected ACL user created on the session's Redis."""
    user = f"newsloom-test-{uuid.uuid4().hex[:8]}"
    admin = redis_client(services)
    admin.acl_setuser(
        user, enabled=True, passwords=[f"+{AWKWARD_PASSWORD}"], keys=["*"], channels=["*"],
        commands=["+@all"],
    )  # fmt: skip
    secret = tmp_path / "redis_password"
    secret.write_text(AWKWARD_PASSWORD + "\n")  # editors and `echo` leave a newline
    base = str(services.redis_url).replace("redis://", f"redis://{user}@", 1)
    try:
        yield services.model_copy(
            update={"redis_url": RedisDsn(base), "redis_password_file": secret}
        )
    finally:
        admin.acl_deluser(user)


def test_the_password_file_authenticates_redis_and_celery(redis_user: Settings) -> None:
    assert AWKWARD_PASSWORD not in str(redis_user.redis_url)
    assert redis_client(redis_user).ping()
    with task_sender(redis_user).connection_for_write() as connection:
        connection.ensure_connection(max_retries=1)


def test_a_wrong_password_is_refused(redis_user: Settings, tmp_path: Path) -> None:
    wrong = tmp_path / "wrong"
    wrong.write_text("not-the-password")
    with pytest.raises(redis.AuthenticationError):
        redis_client(redis_user.model_copy(update={"redis_password_file": wrong})).ping()


def test_a_missing_or_empty_secret_file_names_the_setting(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match=r"NEWSLOOM_REDIS_PASSWORD_FILE=.*create the file"):
        Settings(redis_password_file=tmp_path / "absent")
    empty = tmp_path / "empty"
    empty.write_text("\n")
    with pytest.raises(ValidationError, match=r"NEWSLOOM_ELASTICSEARCH_PASSWORD_FILE=.*is empty"):
        Settings(elasticsearch_password_file=empty)


def test_a_password_in_the_url_and_a_file_conflict(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("s")
    with pytest.raises(ValidationError, match="remove the password from the URL"):
        Settings(redis_url=RedisDsn("redis://:inline@127.0.0.1:6379/0"), redis_password_file=secret)


def test_elasticsearch_and_api_secrets_come_from_files(tmp_path: Path) -> None:
    (tmp_path / "elastic").write_text("elastic-secret\n")
    (tmp_path / "api").write_text("api-secret\n")
    settings = Settings(
        elasticsearch_password_file=tmp_path / "elastic", api_key_file=tmp_path / "api"
    )
    assert settings.elasticsearch_basic_auth() == ("elastic", "elastic-secret")
    assert settings.api_key == "api-secret"
    assert Settings().elasticsearch_basic_auth() is None
    # Child processes get the file's path, and read the same key from it.
    environment = settings.as_environment()
    assert environment["NEWSLOOM_API_KEY_FILE"] == str(tmp_path / "api")
    assert "elastic-secret" not in " ".join(environment.values())
    with pytest.raises(ValidationError, match="not both"):
        Settings(api_key="other", api_key_file=tmp_path / "api")
