#!/bin/sh
# Writes the deployment's secrets, one file each, into ${SECRETS_DIR:-./secrets} (what
# docker-compose.yml mounts). Random values; files that exist are kept, so it is safe to
# re-run. Passwords are hex: they need no quoting in any config they end up in.
# The Alertmanager webhook URL cannot be invented: write yours into alertmanager_webhook_url.
set -eu
dir="${SECRETS_DIR:-./secrets}"
umask 077
mkdir -p "$dir"
chmod 700 "$dir"

random() { od -An -tx1 -N24 /dev/urandom | tr -d ' \n'; }

for name in redis_password elastic_password kibana_password grafana_admin_password api_key; do
    [ -s "$dir/$name" ] || random >"$dir/$name"
done
# Redis keeps only the password's SHA-256 (an ACL file), derived from redis_password.
hash="$(printf %s "$(cat "$dir/redis_password")" | sha256sum | cut -d' ' -f1)"
printf 'user default on #%s ~* &* +@all\n' "$hash" >"$dir/redis_acl"
[ -s "$dir/alertmanager_webhook_url" ] \
    || echo "http://127.0.0.1:9/write-your-webhook-url-here" >"$dir/alertmanager_webhook_url"
# The directory keeps other host users out; inside the containers the services run as their
# own users (redis, elasticsearch, grafana, nobody), so the files must be readable to them.
chmod 644 "$dir"/*
echo "secrets in $dir; put your chat webhook URL into $dir/alertmanager_webhook_url"
