#!/bin/sh
# Healthcheck: the cluster answers and is at least yellow. curl reads the credentials from its
# config on stdin, so the password is never on a command line.
set -eu
printf 'user = "elastic:%s"\n' "$(cat /run/secrets/elastic_password)" \
    | curl -fsS -K - 'http://localhost:9200/_cluster/health?wait_for_status=yellow&timeout=5s' >/dev/null
