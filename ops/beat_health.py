"""Beat's container healthcheck: ``python -m ops.beat_health`` exits 0 while a beat schedules.

Beat serves no port to probe. What matters is that *some* beat holds RedBeat's lock in Redis:
the holder renews it on every tick, and it expires a few ticks after the holder dies. So a
standby beat is healthy while another leads, and every beat turns unhealthy once nothing
renews the lock, i.e. nothing is being scheduled.
"""

from __future__ import annotations

import sys

import redis
from redbeat.schedulers import RedBeatConfig

from newsloom.settings import Settings, get_settings
from newsloom.state import redis_client

__all__ = ["lock_key", "main", "schedule_is_led"]


def lock_key() -> str:
    """The Redis key of the lock the leading beat holds (RedBeat's setting for ours)."""
    # Imported here: the schedule's app reads settings when imported.
    from ops.schedule import app

    key: str = RedBeatConfig(app).lock_key
    return key


def schedule_is_led(settings: Settings) -> bool:
    """Whether a beat currently holds the schedule lock in ``settings``' Redis."""
    return bool(redis_client(settings).exists(lock_key()))


def main() -> int:
    """Exit status for the healthcheck; one line says what is wrong and what to check."""
    settings = get_settings()
    try:
        led = schedule_is_led(settings)
    except redis.RedisError as error:
        print(f"beat: cannot reach Redis at {settings.redis_url} ({error})", file=sys.stderr)
        return 1
    if not led:
        print(
            f"beat: no beat holds the schedule lock {lock_key()!r}: see `docker compose logs beat`",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
