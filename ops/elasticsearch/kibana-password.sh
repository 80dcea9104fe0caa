#!/bin/sh
# Sets the kibana_system user's password (Elasticsearch only creates the user). Both passwords
# come from secret files and reach curl through its config on stdin, never a command line.
# Usage: newsloom-kibana-password <elasticsearch URL>
set -eu
url="${1:?usage: newsloom-kibana-password <elasticsearch URL>}"
secrets="${SECRETS_DIR:-/run/secrets}"
# Read first: a failed assignment stops the script (set -e), a failed argument would not.
elastic="$(cat "$secrets/elastic_password")"
kibana="$(cat "$secrets/kibana_password")"
printf 'user = "elastic:%s"\ndata = "{\\"password\\":\\"%s\\"}"\n' "$elastic" "$kibana" \
    | curl -fsS -K - -H 'Content-Type: application/json' -X POST \
        "$url/_security/user/kibana_system/_password" >/dev/null
echo "kibana_system password set"
