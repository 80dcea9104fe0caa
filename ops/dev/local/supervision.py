"""Pidfiles, deadlines, locks and commands shared by the Redis and Elasticsearch launchers.

Both services daemonize themselves, so we never hold a child handle for them: a service is
"ours" when the pid in its pidfile is alive *and* its command line looks like the service
(pids get reused after reboots and crashes).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from rich.console import Console

from ops.dev.local.errors import ServiceError

__all__ = [
    "LOCALHOST",
    "DaemonFiles",
    "Deadline",
    "ServiceStatus",
    "absent_status",
    "check_port_free",
    "child_pids",
    "file_lock",
    "is_root",
    "live_pid",
    "log_tail",
    "pid_alive",
    "port_in_use",
    "process_cmdline",
    "process_tree",
    "read_pid",
    "require_command",
    "run_command",
    "stop_daemon",
    "stop_process",
    "wait_until",
]

LOCALHOST: Final = "127.0.0.1"


@dataclass(frozen=True)
class ServiceStatus:
    """One row of ``newsloom services status``."""

    name: str
    address: str
    pid: int | None
    healthy: bool
    detail: str


@dataclass(frozen=True)
class DaemonFiles:
    """Files every self-daemonizing local service keeps under its state directory."""

    root: Path
    pidfile: Path
    log: Path
    lock: Path


class Deadline:
    """A point in monotonic time that polling loops give up at."""

    def __init__(self, seconds: float) -> None:
        self._start = time.monotonic()
        self._end = self._start + seconds

    @property
    def elapsed(self) -> float:
        """Seconds since the deadline was set."""
        return time.monotonic() - self._start

    @property
    def remaining(self) -> float:
        """Seconds left, never negative."""
        return max(0.0, self._end - time.monotonic())

    def expired(self) -> bool:
        """Whether the deadline has passed."""
        return time.monotonic() >= self._end


def wait_until(
    check: Callable[[], bool],
    timeout_s: float,
    *,
    interval_s: float = 0.25,
    on_tick: Callable[[float], None] | None = None,
) -> bool:
    """Call ``check`` until it returns true or ``timeout_s`` passes; return whether it did.

    ``check`` may raise (e.g. ``ServiceError``) to give up early, which is how callers
    notice a process that died instead of waiting out the whole deadline.
    ``on_tick`` gets the seconds elapsed, for progress displays.
    """
    deadline = Deadline(timeout_s)
    while True:
        if check():
            return True
        if deadline.expired():
            return False
        if on_tick is not None:
            on_tick(deadline.elapsed)
        time.sleep(min(interval_s, max(deadline.remaining, 0.01)))


def read_pid(pidfile: Path) -> int | None:
    """The pid written in ``pidfile``, or None when it is missing or garbled."""
    try:
        text = pidfile.read_text().strip()
    except (FileNotFoundError, PermissionError):
        return None
    return int(text) if text.isdigit() else None


def pid_alive(pid: int) -> bool:
    """Whether ``pid`` is a running process.

    Zombies count as dead: daemons are re-parented to pid 1, and a minimal init (as in
    containers and micro-VMs) may never reap them, so ``kill(pid, 0)`` alone would say
    a stopped service is still running.
    """
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    # The state letter follows the command name, which is in parentheses and may hold spaces.
    state = stat.rpartition(")")[2].split()[0]
    return state not in ("Z", "X")


def process_cmdline(pid: int) -> str:
    """The command line of ``pid`` as one space-separated string ("" when gone)."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return ""
    return raw.replace(b"\0", b" ").decode(errors="replace").strip()


def child_pids(pid: int) -> list[int]:
    """The processes ``pid`` forked and that still run (Linux ``/proc``; none once it ended)."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except (FileNotFoundError, ProcessLookupError):
        return []
    return [int(child) for child in children]


def process_tree(pid: int) -> list[int]:
    """``pid`` and every process below it, parents before their children."""
    return [pid, *(member for child in child_pids(pid) for member in process_tree(child))]


def live_pid(pidfile: Path, looks_like: Callable[[str], bool]) -> int | None:
    """The pid in ``pidfile`` if that process is alive and ``looks_like`` its command line."""
    pid = read_pid(pidfile)
    if pid is None or not pid_alive(pid):
        return None
    return pid if looks_like(process_cmdline(pid)) else None


def stop_process(pid: int, *, name: str, timeout_s: float, log_file: Path) -> None:
    """Send SIGTERM to ``pid`` and wait until it is gone.

    Both services treat SIGTERM as a clean shutdown (Redis saves, Elasticsearch closes its
    shards), so we never escalate to SIGKILL on our own: that could lose data.
    """
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    except PermissionError as error:
        raise ServiceError(
            f"Not allowed to stop {name} (pid {pid}).",
            log_file=log_file,
            hint="run `newsloom services down` as the user who started the services (root?).",
        ) from error
    if not wait_until(lambda: not pid_alive(pid), timeout_s, interval_s=0.2):
        raise ServiceError(
            f"{name} (pid {pid}) did not stop within {timeout_s:.0f} s of SIGTERM.",
            log_file=log_file,
            log_tail=log_tail(log_file),
            hint=f"read the log; if it is stuck, `kill -9 {pid}` and run `newsloom services up`.",
        )


def stop_daemon(
    name: str,
    files: DaemonFiles,
    looks_like: Callable[[str], bool],
    *,
    timeout_s: float,
    console: Console,
) -> None:
    """Stop the service in ``files.pidfile`` if it is ours; fine when it is not running."""
    if not files.root.exists():  # never started here: nothing to stop, nothing to create
        console.print(f"{name}: not running")
        return
    with file_lock(files.lock):
        pid = live_pid(files.pidfile, looks_like)
        if pid is None:
            console.print(f"{name}: not running")
        else:
            stop_process(pid, name=name, timeout_s=timeout_s, log_file=files.log)
            console.print(f"{name}: stopped (was pid {pid})")
        # Services remove it on a clean exit; after a crash it would linger and mislead.
        files.pidfile.unlink(missing_ok=True)


def absent_status(name: str, address: str, port: int) -> ServiceStatus:
    """The status of a service with no live process of ours, saying if its port is taken."""
    detail = "port taken by another process" if port_in_use(port) else "not running"
    return ServiceStatus(name, address, None, False, detail)


def check_port_free(title: str, port: int, files: DaemonFiles, remedy: str) -> None:
    """Raise ServiceError when a process that is not ours listens on ``port``."""
    if port_in_use(port):
        raise ServiceError(
            f"Port {LOCALHOST}:{port} is taken by a process that is not newsloom's {title} "
            f"(no live pid in {files.pidfile}); {title} was not started.",
            log_file=files.log,
            hint=f"see who holds it with `ss -ltnp 'sport = :{port}'`, stop it, or {remedy}.",
        )


def port_in_use(port: int, host: str = LOCALHOST) -> bool:
    """Whether something accepts TCP connections on ``host:port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((host, port)) == 0


def log_tail(path: Path, lines: int = 20) -> str:
    """The last ``lines`` lines of a log file ("" when it does not exist yet)."""
    try:
        with path.open("rb") as log:
            # Logs grow large; only the end matters for an error message.
            log.seek(0, os.SEEK_END)
            log.seek(max(0, log.tell() - 64 * 1024))
            text = log.read().decode(errors="replace")
    except (FileNotFoundError, PermissionError):
        return ""
    return "\n".join(text.splitlines()[-lines:])


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` so concurrent ``up``/``down`` calls take turns."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def require_command(name: str) -> str:
    """The full path of command ``name``; a ServiceError pointing at bootstrap when missing."""
    found = shutil.which(name)
    if found is None:
        raise ServiceError(
            f"The `{name}` command is not installed.",
            hint="run `sudo ops/dev/local/bootstrap.sh` to install the system packages.",
        )
    return found


def run_command(
    argv: Sequence[str],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout_s: float = 600.0,
) -> subprocess.CompletedProcess[str]:
    """Run a command to completion, capturing its output (the caller checks the status)."""
    return subprocess.run(  # noqa: S603 - argv is built by this package from resolved paths
        list(argv),
        cwd=cwd,
        env=None if env is None else dict(env),
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )


def is_root() -> bool:
    """Whether we run as root (Elasticsearch must then run as another user)."""
    return os.geteuid() == 0
