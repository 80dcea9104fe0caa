"""One Elasticsearch node on 127.0.0.1:<elasticsearch_port>, with its state in state_dir.

Layout of ``<state_dir>/elasticsearch/``:

- ``home-<version>/``: the node's own copy of the distribution (hard links into cache_dir,
  so it costs no space), so that the node never depends on permissions of cache_dir;
- ``config/`` (``ES_PATH_CONF``), ``data/``, ``logs/``, ``tmp/`` (``ES_TMPDIR``), ``run/``
  (pidfile): owned by the ``newsloom-es`` user when we run as root, because Elasticsearch
  refuses to run as root.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import pwd
import re
import shutil
import stat
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from rich.console import Console

from newsloom.settings import Settings
from ops.dev.local.elasticsearch_dist import Distribution, ensure_distribution
from ops.dev.local.errors import ServiceError
from ops.dev.local.supervision import (
    LOCALHOST,
    DaemonFiles,
    Deadline,
    ServiceStatus,
    absent_status,
    check_port_free,
    file_lock,
    is_root,
    live_pid,
    log_tail,
    require_command,
    run_command,
    stop_daemon,
    stop_process,
    wait_until,
)

__all__ = [
    "ES_USER",
    "ElasticsearchPaths",
    "elasticsearch_paths",
    "elasticsearch_status",
    "find_java_home",
    "start_elasticsearch",
    "stop_elasticsearch",
    "transport_port",
]

NAME: Final = "elasticsearch"
CLUSTER_NAME: Final = "newsloom"
NODE_NAME: Final = "newsloom-1"
ES_USER: Final = "newsloom-es"
JVM_ROOT: Final = Path("/usr/lib/jvm")
HUNSPELL_ROOT: Final = Path("/usr/share/hunspell")
HUNSPELL_LOCALE: Final = "en_US"
MIN_JAVA: Final = 21
READY_TIMEOUT_S: Final = 120.0
STOP_TIMEOUT_S: Final = 120.0
TRANSPORT_PORT_OFFSET: Final = 100
_HEAP: Final = re.compile(r"\d+[kKmMgG]?")
# Plain-text log lines look like "[<time>][ERROR][<logger>] ...", followed by the exception.
_LOG_ERROR: Final = re.compile(r"^\[[^\]]+\]\[(ERROR|FATAL)")
_LOG_CAUSE: Final = re.compile(
    r"^(\[[^\]]+\]\[(ERROR|FATAL)|Caused by: |[\w.$]+(Exception|Error)\b)"
)
_MAX_CAUSES: Final = 8
_BOOTSTRAP_HINT: Final = "run `sudo ops/dev/local/bootstrap.sh`, then `newsloom services up` again."


@dataclass(frozen=True)
class ElasticsearchPaths(DaemonFiles):
    """Files and directories of the local node, all under ``<state_dir>/elasticsearch``."""

    config: Path
    data: Path
    logs: Path
    tmp: Path
    run: Path
    launcher_log: Path

    def home(self, version: str) -> Path:
        """The node's copy of distribution ``version``."""
        return self.root / f"home-{version}"

    def owned_by_node(self) -> tuple[Path, ...]:
        """Directories the node writes to (handed to ``newsloom-es`` when we are root)."""
        return (self.config, self.data, self.logs, self.tmp, self.run)


def elasticsearch_paths(settings: Settings) -> ElasticsearchPaths:
    """Where the local node keeps config, data, logs and its pidfile."""
    root = settings.state_dir.expanduser().absolute() / "elasticsearch"
    logs = root / "logs"
    return ElasticsearchPaths(
        root=root,
        config=root / "config",
        data=root / "data",
        logs=logs,
        tmp=root / "tmp",
        run=root / "run",
        pidfile=root / "run" / "elasticsearch.pid",
        # log4j2.properties in the distribution names it after cluster.name.
        log=logs / f"{CLUSTER_NAME}.log",
        launcher_log=logs / "launcher.log",
        lock=root / ".lock",
    )


def transport_port(settings: Settings) -> int:
    """The node-to-node port: beside the HTTP port, so sessions with distinct ports never clash."""
    return settings.elasticsearch_port + TRANSPORT_PORT_OFFSET


def _address(settings: Settings) -> str:
    return f"http://{LOCALHOST}:{settings.elasticsearch_port}"


def _owner_check(paths: ElasticsearchPaths) -> Callable[[str], bool]:
    # The JVM's command line carries -Des.path.home=<root>/home-<version>, which ties the
    # process to this state dir and not just to "some Elasticsearch".
    marker = f"-Des.path.home={paths.root}/home-"

    def is_ours(cmdline: str) -> bool:
        return marker in cmdline

    return is_ours


def _get_json(port: int, path: str, timeout_s: float = 5.0) -> Any:
    connection = http.client.HTTPConnection(LOCALHOST, port, timeout=timeout_s)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
    except (OSError, http.client.HTTPException):
        return None
    finally:
        connection.close()
    if response.status != 200:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return None


def _healthy(port: int) -> str | None:
    """The cluster status when it is at least yellow, else None."""
    # `GET /` does not exist in the integ-test-zip; cluster health does.
    health = _get_json(port, "/_cluster/health?wait_for_status=yellow&timeout=1s")
    if isinstance(health, dict) and health.get("status") in ("yellow", "green"):
        return str(health["status"])
    return None


def _node_version(port: int) -> str:
    nodes = _get_json(port, "/_nodes/_local?filter_path=nodes.*.version")
    try:
        return str(next(iter(nodes["nodes"].values()))["version"])
    except (TypeError, KeyError, StopIteration):
        return "?"


def elasticsearch_status(settings: Settings) -> ServiceStatus:
    """Whether our node runs (pidfile) and its cluster is at least yellow."""
    paths = elasticsearch_paths(settings)
    port = settings.elasticsearch_port
    pid = live_pid(paths.pidfile, _owner_check(paths))
    if pid is None:
        return absent_status(NAME, _address(settings), port)
    health = _healthy(port)
    if health is None:
        return ServiceStatus(NAME, _address(settings), pid, False, "not ready")
    return ServiceStatus(NAME, _address(settings), pid, True, f"{health}, {_node_version(port)}")


def _java_version(release: Path) -> tuple[int, ...]:
    match = re.search(r'^JAVA_VERSION="([^"]+)"', release.read_text(errors="replace"), re.MULTILINE)
    if match is None:
        return ()
    numbers = tuple(int(part) for part in re.findall(r"\d+", match.group(1)))
    # Java 8 and older call themselves 1.x.
    return numbers[1:] if numbers[:1] == (1,) else numbers


def find_java_home(jvm_root: Path = JVM_ROOT, minimum: int = MIN_JAVA) -> Path:
    """The newest JDK under ``jvm_root`` of at least version ``minimum`` (from its ``release``)."""
    found: dict[Path, tuple[int, ...]] = {}
    for release in jvm_root.glob("*/release"):
        home = release.parent.resolve()  # Debian adds symlinked aliases of one JDK
        version = _java_version(release)
        if version[:1] >= (minimum,) and (home / "bin" / "java").is_file():
            found[home] = version
    if not found:
        raise ServiceError(
            f"No JDK {minimum} or newer under {jvm_root}; Elasticsearch 9 needs one.",
            hint=(
                f"install a JDK {minimum}+ there (e.g. Temurin from adoptium.net, or "
                f"`apt-get install openjdk-{minimum}-jdk-headless` where Debian ships it)."
            ),
        )
    return max(found, key=lambda home: found[home])


def _heap_size(settings: Settings) -> str:
    heap = settings.elasticsearch_heap.strip()
    if not _HEAP.fullmatch(heap):
        raise ServiceError(
            f"NEWSLOOM_ELASTICSEARCH_HEAP={heap!r} is not a JVM heap size.",
            hint="use a size such as 512m or 1g.",
        )
    return heap


def _hunspell_files() -> list[Path]:
    files = [HUNSPELL_ROOT / f"{HUNSPELL_LOCALE}.{suffix}" for suffix in ("aff", "dic")]
    missing = [str(path) for path in files if not path.is_file()]
    if missing:
        raise ServiceError(
            f"The hunspell dictionary is missing ({', '.join(missing)}); the article analyzers "
            "need it.",
            hint=_BOOTSTRAP_HINT + " (it installs hunspell-en-us)",
        )
    return files


def _node_home(paths: ElasticsearchPaths, distribution: Distribution) -> Path:
    home = paths.home(distribution.version)
    if (home / "bin" / "elasticsearch").is_file():
        return home
    staging = paths.root / f".home-{distribution.version}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    if distribution.home.stat().st_dev == paths.root.stat().st_dev:
        shutil.copytree(distribution.home, staging, symlinks=True, copy_function=os.link)
    else:  # hard links cannot cross filesystems
        shutil.copytree(distribution.home, staging, symlinks=True)
    shutil.rmtree(home, ignore_errors=True)
    staging.rename(home)
    for old in paths.root.glob("home-*"):
        if old != home:  # left by a previous version; data stays in data/
            shutil.rmtree(old, ignore_errors=True)
    return home


def _write_config(settings: Settings, paths: ElasticsearchPaths, home: Path) -> None:
    if not paths.config.is_dir():
        # Copied once: the node may keep its own files there (keystore, hunspell).
        staging = paths.root / ".config.partial"
        shutil.rmtree(staging, ignore_errors=True)
        shutil.copytree(home / "config", staging)
        staging.rename(paths.config)
    for directory in paths.owned_by_node():
        directory.mkdir(parents=True, exist_ok=True)
    # JSON strings are valid YAML scalars, which quotes paths safely.
    (paths.config / "elasticsearch.yml").write_text(
        "# Generated by newsloom (ops/dev/local/elasticsearch_server.py) on every `up`;\n"
        "# edits are lost: change newsloom's settings instead.\n"
        f"cluster.name: {CLUSTER_NAME}\n"
        f"node.name: {NODE_NAME}\n"
        f"network.host: {LOCALHOST}\n"
        f"http.port: {settings.elasticsearch_port}\n"
        f"transport.port: {transport_port(settings)}\n"
        "discovery.type: single-node\n"
        f"path.data: {json.dumps(str(paths.data))}\n"
        f"path.logs: {json.dumps(str(paths.logs))}\n"
        "xpack.security.enabled: false\n"
        # Tests and tools delete indices by pattern.
        "action.destructive_requires_name: false\n"
        # Disk watermarks protect production clusters; on a nearly full laptop disk they
        # would leave new indices red and this node unusable for no benefit.
        "cluster.routing.allocation.disk.threshold_enabled: false\n"
    )
    heap = _heap_size(settings)
    options = paths.config / "jvm.options.d"
    options.mkdir(exist_ok=True)
    (options / "heap.options").write_text(f"-Xms{heap}\n-Xmx{heap}\n")
    # The hunspell token filter looks for <conf>/hunspell/<locale>/*.aff and *.dic.
    dictionary = paths.config / "hunspell" / HUNSPELL_LOCALE
    dictionary.mkdir(parents=True, exist_ok=True)
    for source in _hunspell_files():
        shutil.copyfile(source, dictionary / source.name)


def _es_user_ids() -> tuple[int, int]:
    try:
        entry = pwd.getpwnam(ES_USER)
    except KeyError:
        useradd = require_command("useradd")
        shell = "/usr/sbin/nologin"
        result = run_command([useradd, "--system", "--no-create-home", "--shell", shell, ES_USER])
        # Status 9: another `up` created it in the meantime, which is fine.
        if result.returncode not in (0, 9):
            raise ServiceError(
                f"Could not create the system user {ES_USER}: {result.stderr.strip()}",
                hint=f"create it by hand (`useradd --system {ES_USER}`) and run `up` again.",
            ) from None
        entry = pwd.getpwnam(ES_USER)
    return entry.pw_uid, entry.pw_gid


def _can_enter(directory: Path, uid: int, gid: int) -> bool:
    info = directory.stat()
    if info.st_uid == uid:
        return bool(info.st_mode & stat.S_IXUSR)
    if info.st_gid == gid:
        return bool(info.st_mode & stat.S_IXGRP)
    return bool(info.st_mode & stat.S_IXOTH)


def _prepare_es_user(settings: Settings, paths: ElasticsearchPaths) -> tuple[int, int]:
    """Create ``newsloom-es`` if needed and check it can reach the state dir (we are root)."""
    uid, gid = _es_user_ids()
    state_dir = settings.state_dir.expanduser().absolute()
    # The state dir is ours to open up, for traversal only (others still cannot list it).
    for directory in (state_dir, paths.root):
        directory.chmod(stat.S_IMODE(directory.stat().st_mode) | stat.S_IXOTH)
    # Above it we do not change permissions of someone else's directories.
    for ancestor in state_dir.parents:
        if not _can_enter(ancestor, uid, gid):
            raise ServiceError(
                f"Elasticsearch refuses to run as root, so it runs as {ES_USER}, which cannot "
                f"enter {ancestor} (mode {stat.filemode(ancestor.stat().st_mode)}) above the "
                f"state dir {state_dir}.",
                log_file=paths.log,
                hint=(
                    f"use a state dir {ES_USER} can reach (NEWSLOOM_STATE_DIR, e.g. one made by "
                    f"tempfile.mkdtemp()), or `chmod o+x {ancestor}`. Note pytest re-applies "
                    "0700 to /tmp/pytest-of-<user> at every session start."
                ),
            )
    return uid, gid


def _hand_over(paths: ElasticsearchPaths, uid: int, gid: int) -> None:
    """Give the node's writable directories to its user (a no-op for files it owns)."""
    for directory in paths.owned_by_node():
        for folder, subdirs, files in os.walk(directory):
            base = Path(folder)
            for path in (base, *(base / entry for entry in subdirs + files)):
                if path.lstat().st_uid != uid:
                    os.chown(path, uid, gid, follow_symlinks=False)


def _check_ports_free(settings: Settings, paths: ElasticsearchPaths) -> None:
    remedy = (
        "set NEWSLOOM_ELASTICSEARCH_URL to a free port "
        f"(the transport port is that + {TRANSPORT_PORT_OFFSET})"
    )
    for port in (settings.elasticsearch_port, transport_port(settings)):
        check_port_free("Elasticsearch", port, paths, remedy)


def _launch(paths: ElasticsearchPaths, home: Path, java_home: Path) -> subprocess.Popen[bytes]:
    paths.pidfile.unlink(missing_ok=True)
    # The launcher leaves a final-flags* directory behind on every start; keep them in
    # tmp/ (not /tmp) and clear out those of earlier starts.
    for leftover in paths.tmp.glob("final-flags*"):
        shutil.rmtree(leftover, ignore_errors=True)
    cli_java_opts = os.environ.get("CLI_JAVA_OPTS", "")
    env = {
        **os.environ,
        "ES_JAVA_HOME": str(java_home),
        "ES_PATH_CONF": str(paths.config),
        # Inside the state dir: a /tmp cleaner deleting the node's native libraries would
        # crash it, and tmp/ is owned by the node's user.
        "ES_TMPDIR": str(paths.tmp),
        "CLI_JAVA_OPTS": f"{cli_java_opts} -Djava.io.tmpdir={paths.tmp}".strip(),
    }
    env.pop("JAVA_HOME", None)  # ignored in favour of ES_JAVA_HOME, with a warning
    argv = [str(home / "bin" / "elasticsearch"), "-d", "-p", str(paths.pidfile)]
    if is_root():
        argv = [require_command("runuser"), "-u", ES_USER, "--", *argv]
    with paths.launcher_log.open("wb") as output:
        # `-d` makes the launcher wait until the node is up (or failed) and then exit; it
        # runs in its own session so Ctrl-C here does not reach the node.
        return subprocess.Popen(  # noqa: S603 - argv is built here from resolved paths
            argv,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=home,
            start_new_session=True,
        )


def _causes(log: str) -> list[str]:
    """The exception lines after the last ERROR in an Elasticsearch log, without stack frames."""
    lines = log.splitlines()
    errors = [number for number, line in enumerate(lines) if _LOG_ERROR.match(line)]
    if not errors:
        return []
    return [line for line in lines[errors[-1] :] if _LOG_CAUSE.match(line)][:_MAX_CAUSES]


def _failure(paths: ElasticsearchPaths, problem: str) -> ServiceError:
    # The end of the log is a stack trace and shutdown chatter; the cause is further up.
    causes = _causes(log_tail(paths.log, 300))
    tail = "\n".join([*causes, "...", log_tail(paths.log, 5)]) if causes else log_tail(paths.log)
    if not tail:  # the JVM never got as far as logging: the launcher's output says why
        tail = f"(nothing logged; launcher output {paths.launcher_log}:)\n" + log_tail(
            paths.launcher_log, 15
        )
    return ServiceError(
        problem,
        log_file=paths.log,
        log_tail=tail,
        hint=f"read the log, fix the cause, then run `newsloom services up --only {NAME}`.",
    )


def _wait_ready(
    settings: Settings,
    paths: ElasticsearchPaths,
    console: Console,
    launcher: subprocess.Popen[bytes] | None,
) -> None:
    """Wait for a yellow cluster, failing early when the node dies."""
    port = settings.elasticsearch_port
    owner_check = _owner_check(paths)

    def ready() -> bool:
        if _healthy(port) is not None:
            return True
        if launcher is not None:
            code = launcher.poll()
            if code is not None and code != 0:
                raise _failure(paths, f"Elasticsearch failed to start (launcher status {code}).")
            if code == 0 and live_pid(paths.pidfile, owner_check) is None:
                raise _failure(paths, "Elasticsearch exited right after starting.")
        elif live_pid(paths.pidfile, owner_check) is None:
            raise _failure(paths, "Elasticsearch stopped while we waited for it.")
        return False

    def tick(seconds: float) -> None:
        spinner.update(f"elasticsearch: starting on {_address(settings)} ({seconds:.0f} s)")

    with console.status(f"elasticsearch: starting on {_address(settings)}") as spinner:
        became_ready = wait_until(ready, READY_TIMEOUT_S, interval_s=0.5, on_tick=tick)
    if not became_ready:
        raise _failure(
            paths,
            f"Elasticsearch was not healthy (yellow) on {_address(settings)} within "
            f"{READY_TIMEOUT_S:.0f} s.",
        )


def _abandon(paths: ElasticsearchPaths, launcher: subprocess.Popen[bytes]) -> None:
    """Leave nothing half-started behind after a failed start.

    Errors here are swallowed: the one that made us give up is what the user needs to see.
    """
    pid = live_pid(paths.pidfile, _owner_check(paths))
    if pid is not None:
        with contextlib.suppress(ServiceError):
            stop_process(pid, name=NAME, timeout_s=STOP_TIMEOUT_S, log_file=paths.log)
    if launcher.poll() is None:
        launcher.terminate()
    try:
        launcher.wait(timeout=30)
    except subprocess.TimeoutExpired:
        launcher.kill()
        launcher.wait()


def start_elasticsearch(settings: Settings, console: Console) -> ServiceStatus:
    """Start the node unless ours already runs; wait until the cluster is yellow.

    Fetches the distribution on first use. Raises ServiceError when a port is taken by
    another process, prerequisites (JDK 21+, hunspell dictionary) are missing or the node
    fails to start.
    """
    paths = elasticsearch_paths(settings)
    paths.root.mkdir(parents=True, exist_ok=True)
    with file_lock(paths.lock):
        if live_pid(paths.pidfile, _owner_check(paths)) is not None:
            # Ours; it may still be starting (a concurrent `up`), so wait rather than judge.
            _wait_ready(settings, paths, console, launcher=None)
            current = elasticsearch_status(settings)
            console.print(f"{NAME}: already running on {current.address} (pid {current.pid})")
            return current
        _check_ports_free(settings, paths)
        # Prerequisites first: fail before a long download, not after.
        java_home = find_java_home()
        _hunspell_files()
        es_user = _prepare_es_user(settings, paths) if is_root() else None
        home = _node_home(paths, ensure_distribution(settings, console))
        _write_config(settings, paths, home)
        if es_user is not None:
            _hand_over(paths, *es_user)
        started = Deadline(READY_TIMEOUT_S)
        launcher = _launch(paths, home, java_home)
        try:
            _wait_ready(settings, paths, console, launcher)
            # The launcher exits once the node reports it started; reap it.
            launcher.wait(timeout=60)
        except BaseException:
            _abandon(paths, launcher)
            raise
        current = elasticsearch_status(settings)
        console.print(
            f"{NAME}: started on {current.address} (pid {current.pid}, {current.detail}) "
            f"in {started.elapsed:.0f} s"
        )
        return current


def stop_elasticsearch(settings: Settings, console: Console) -> ServiceStatus:
    """Stop our node (SIGTERM: it closes its shards cleanly); fine when it is not running."""
    paths = elasticsearch_paths(settings)
    stop_daemon(NAME, paths, _owner_check(paths), timeout_s=STOP_TIMEOUT_S, console=console)
    return elasticsearch_status(settings)
