#!/bin/sh
# Healthcheck: the cluster answers and is at least yellow. curl reads the credentials from its
# config on stdin, so the password is never on a command line.
set -eu
password="$(cat "${SECRETS_DIR:-/run/secrets}/elastic_password")"
printf 'user = "elastic:%s"\n' "$password" \
    | curl -fsS -K - 'http://localhost:9200/_cluster/health?wait_for_status=yellow&timeout=5s' >/dev/null
