"""The Elasticsearch integ-test-zip from Maven Central, downloaded and unpacked once into cache_dir.

The integ-test-zip is the small (~115 MB) distribution Elasticsearch's own tests use: no
bundled JDK (we bring one) and only the modules a plain node needs, which includes
hunspell and x-pack security (so ``xpack.security.enabled`` is a known setting).
"""

from __future__ import annotations

import os
import re
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from rich.console import Console

from newsloom.settings import Settings
from ops.dev.local.errors import ServiceError
from ops.dev.local.supervision import file_lock, require_command, run_command

__all__ = [
    "FALLBACK_VERSIONS",
    "Distribution",
    "candidate_versions",
    "distribution_dir",
    "ensure_distribution",
]

# Newest first; each of these is known to be on Maven Central as an integ-test-zip.
FALLBACK_VERSIONS: Final[tuple[str, ...]] = ("9.3.2", "9.2.4", "9.1.10", "9.1.5", "9.1.0", "9.0.0")
_ARTIFACT: Final = "org.elasticsearch.distribution.integ-test-zip:elasticsearch:{version}:zip"
# How maven-dependency-plugin says "no such version" (as opposed to "network down").
_NOT_SERVED: Final = re.compile(r"Could not find artifact|Unable to find artifact|was not found in")
DOWNLOAD_TIMEOUT_S: Final = 1800.0


@dataclass(frozen=True)
class Distribution:
    """An unpacked distribution: ``home`` holds ``bin/``, ``lib/``, ``modules/``, ``config/``."""

    version: str
    home: Path


class _NotServedError(Exception):
    """Maven Central has no integ-test-zip for this version."""


def distribution_dir(settings: Settings) -> Path:
    """Where zips and unpacked distributions are cached: ``<cache_dir>/elasticsearch``."""
    return settings.cache_dir.expanduser().absolute() / "elasticsearch"


def candidate_versions(pinned: str) -> list[str]:
    """The pinned version first, then the known-served fallbacks, newest first."""
    return [pinned, *(version for version in FALLBACK_VERSIONS if version != pinned)]


def ensure_distribution(settings: Settings, console: Console) -> Distribution:
    """Return the pinned distribution, fetching and unpacking it only when not cached.

    When Maven Central does not serve the pinned version, the first fallback it does serve
    is used instead, and that is said on the console. Raises ServiceError when none is
    served or a download/unpack fails.
    """
    root = distribution_dir(settings)
    root.mkdir(parents=True, exist_ok=True)
    pinned = settings.elasticsearch_version
    # One process at a time: two test sessions starting cold would otherwise unzip over
    # each other.
    with file_lock(root / ".lock"):
        not_served: list[str] = []
        for version in candidate_versions(pinned):
            try:
                home = _unpacked(root, version, console)
            except _NotServedError:
                not_served.append(version)
                continue
            if version != pinned:
                skipped = f" (nor {', '.join(not_served[1:])})" if len(not_served) > 1 else ""
                console.print(
                    f"elasticsearch: {pinned} is not served by Maven Central{skipped}; "
                    f"FELL BACK TO {version}. "
                    f"Pin it with NEWSLOOM_ELASTICSEARCH_VERSION={version}.",
                    style="bold yellow",
                    markup=False,
                )
            return Distribution(version, home)
    raise ServiceError(
        f"Maven Central serves none of the Elasticsearch versions {', '.join(not_served)}.",
        log_file=_log_path(root),
        hint=(
            "check that https://repo.maven.apache.org is reachable, or set "
            "NEWSLOOM_ELASTICSEARCH_VERSION to a published 9.x version."
        ),
    )


def _log_path(root: Path) -> Path:
    return root / "download.log"


def _failure(root: Path, problem: str, output: str, hint: str) -> ServiceError:
    log = _log_path(root)
    log.write_text(output)
    tail = "\n".join(output.splitlines()[-15:])
    return ServiceError(problem, log_file=log, log_tail=tail, hint=hint)


def _unpacked(root: Path, version: str, console: Console) -> Path:
    home = root / f"elasticsearch-{version}"
    # The rename below is the last step, so a home with its launcher is a complete one.
    if (home / "bin" / "elasticsearch").is_file():
        return home
    zip_path = _downloaded(root, version, console)
    staging = root / f".unpack-{version}"
    shutil.rmtree(staging, ignore_errors=True)
    with console.status(f"elasticsearch: unpacking {zip_path.name}"):
        # `unzip`, not zipfile: zipfile drops the executable bits bin/ needs.
        result = run_command([require_command("unzip"), "-q", str(zip_path), "-d", str(staging)])
    unpacked = staging / f"elasticsearch-{version}"
    if result.returncode != 0 or not (unpacked / "bin" / "elasticsearch").is_file():
        shutil.rmtree(staging, ignore_errors=True)
        zip_path.unlink(missing_ok=True)
        raise _failure(
            root,
            f"Could not unpack {zip_path} (unzip status {result.returncode}); removed the zip.",
            result.stdout + result.stderr,
            "run `newsloom services up` again to download it afresh.",
        )
    _make_world_readable(unpacked)
    shutil.rmtree(home, ignore_errors=True)
    unpacked.rename(home)
    shutil.rmtree(staging, ignore_errors=True)
    return home


def _downloaded(root: Path, version: str, console: Console) -> Path:
    zip_path = root / f"elasticsearch-{version}.zip"
    if zip_path.is_file():
        return zip_path
    mvn = require_command("mvn")
    # mvn writes into a private directory that is renamed into place, so an interrupted
    # download never looks like a cached zip.
    partial = root / f".download-{version}"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir()
    argv = [
        mvn, "-B", "-q", "dependency:copy",
        f"-Dartifact={_ARTIFACT.format(version=version)}", f"-DoutputDirectory={partial}",
    ]  # fmt: skip
    with console.status(f"elasticsearch: downloading {version} from Maven Central (mvn)"):
        # cwd is the empty partial dir so mvn never picks up some unrelated pom.xml.
        result = run_command(argv, cwd=partial, timeout_s=DOWNLOAD_TIMEOUT_S)
    output = result.stdout + result.stderr
    fetched = partial / zip_path.name
    if result.returncode != 0 or not fetched.is_file():
        shutil.rmtree(partial, ignore_errors=True)
        if _NOT_SERVED.search(output):
            raise _NotServedError(version)
        raise _failure(
            root,
            f"mvn could not download Elasticsearch {version} (status {result.returncode}).",
            output,
            "check network access to https://repo.maven.apache.org and that mvn can use its "
            "local repository (~/.m2), then run `newsloom services up` again.",
        )
    fetched.rename(zip_path)
    shutil.rmtree(partial, ignore_errors=True)
    return zip_path


def _make_world_readable(tree: Path) -> None:
    # As root, Elasticsearch runs as another user and reads a hard-linked copy of these
    # files; the zip ships some config files without read access for others.
    for directory, _subdirs, files in os.walk(tree):
        _add_mode(Path(directory), stat.S_IRUSR | stat.S_IXUSR | 0o055)
        for name in files:
            _add_mode(Path(directory, name), 0o444)


def _add_mode(path: Path, bits: int) -> None:
    mode = path.lstat().st_mode
    if not stat.S_ISLNK(mode) and (mode & bits) != bits:
        path.chmod(stat.S_IMODE(mode) | bits)
