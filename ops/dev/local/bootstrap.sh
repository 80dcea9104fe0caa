#!/usr/bin/env bash
# Install what newsloom needs on a fresh Debian machine, then build the project's .venv.
#
# Safe to rerun, and quick and silent when everything is already there (the Makefile runs
# it before every target). Root is needed only when a system package is missing.
# Output of the steps is kept aside and shown only when a step fails.
set -euo pipefail

PACKAGES=(redis-server hunspell-en-us prometheus prometheus-alertmanager prometheus-pushgateway docker-compose maven unzip curl)
MIN_JAVA=21
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
STEP_LOG="$(mktemp -t newsloom-bootstrap.XXXXXX)"
trap 'rm -f "$STEP_LOG"' EXIT
export DEBIAN_FRONTEND=noninteractive
apt_updated=no

fail() {
    echo "bootstrap: $*" >&2
    exit 1
}

# Run a command silently; on failure show its output and stop.
quietly() {
    if ! "$@" >"$STEP_LOG" 2>&1; then
        echo "bootstrap: failed: $*" >&2
        cat "$STEP_LOG" >&2
        exit 1
    fi
}

installed() {
    dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null | grep -q '^ii'
}

apt_install() {
    [[ $(id -u) -eq 0 ]] || fail "missing system packages ($*); run as root: sudo $0"
    if [[ $apt_updated == no ]]; then
        quietly apt-get update
        apt_updated=yes
    fi
    quietly apt-get install -y --no-install-recommends "$@"
}

have_jdk() {
    local release major
    for release in /usr/lib/jvm/*/release; do
        [[ -f $release ]] || continue
        major="$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release")"
        if [[ -n $major && $major -ge $MIN_JAVA ]]; then
            return 0
        fi
    done
    return 1
}

missing=()
for package in "${PACKAGES[@]}"; do
    installed "$package" || missing+=("$package")
done
if ((${#missing[@]})); then
    apt_install "${missing[@]}"
fi

# Elasticsearch 9 needs a JDK 21+ (ops/local looks under /usr/lib/jvm). Debian ships one
# from trixie on; on older releases install e.g. Temurin from adoptium.net.
if ! have_jdk; then
    if [[ $(id -u) -eq 0 ]] && apt-cache show "openjdk-$MIN_JAVA-jdk-headless" >/dev/null 2>&1; then
        apt_install "openjdk-$MIN_JAVA-jdk-headless"
    else
        echo "bootstrap: warning: no JDK $MIN_JAVA+ under /usr/lib/jvm;" \
            "\`newsloom services up\` needs one for Elasticsearch (e.g. Temurin from adoptium.net)" >&2
    fi
fi

if ! command -v uv >/dev/null 2>&1; then
    python3 -m pip --version >/dev/null 2>&1 || apt_install python3-pip
    # Debian marks its Python "externally managed" (PEP 668); uv is a self-contained tool,
    # so installing it there is harmless where a plain install is refused.
    if ! python3 -m pip install --quiet uv >"$STEP_LOG" 2>&1; then
        quietly python3 -m pip install --quiet --break-system-packages uv
    fi
    hash -r
    command -v uv >/dev/null 2>&1 || fail "installed uv with pip, but it is not on PATH ($PATH)"
fi

cd "$REPO_ROOT"
if [[ -f uv.lock ]]; then
    quietly uv sync --frozen
else
    quietly uv sync
fi
