#!/usr/bin/env bash
# Creates the secret files deploy/docker-compose.yml mounts, in deploy/secrets/ (or DIR): random
# passwords, keys and tokens (formats: deploy/secrets/*.example).
#
#   bash deploy/create-secrets.sh [DIR]
#
# A file that exists is kept, so running it again changes nothing; to replace a secret, remove its
# file and run it again. Values that must agree are made together from one value, and only when
# neither file exists: postgres_password and database_url, redis_conf and redis_url, metrics_token
# and prometheus_metrics_token. slack_webhook_url gets a placeholder (Alertmanager then fails to
# post, and says so in its log): write the webhook URL into it.
#
# Compose mounts a secret with its owner and mode on the host, so each file is made readable by the
# uid of the container that reads it alone (0600): 10001 oeuvre (the image's user), 999 postgres and
# redis, 65534 nobody (prometheus, alertmanager); MinIO and its init container run as root. chown
# needs root: run it as root or with sudo available.
set -euo pipefail

dir=${1:-"$(cd "$(dirname "$0")" && pwd)/secrets"}
mkdir -p "$dir"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

readonly OEUVRE_UID=10001 POSTGRES_UID=999 REDIS_UID=999 NOBODY_UID=65534

# N random bytes as 2N hex digits.
random_hex() { od -An -tx1 -N"$1" /dev/urandom | tr -d ' \n'; }

# write NAME UID VALUE: DIR/NAME holding VALUE, owned by UID, mode 0600.
write() {
  local path="$dir/$1"
  (umask 077 && printf '%s\n' "$3" >"$path")
  $SUDO chown "$2:$2" "$path"
  echo "created $path"
}

# pair NAME1 NAME2: true when both are to be made, false when both exist; stops when only one does.
pair() {
  if [ -e "$dir/$1" ] && [ -e "$dir/$2" ]; then
    echo "kept    $dir/$1, $dir/$2"
    return 1
  fi
  if [ -e "$dir/$1" ] || [ -e "$dir/$2" ]; then
    echo "$dir/$1 and $dir/$2 share a password or token, but only one exists:" \
      "remove it, or write the other by hand." >&2
    exit 1
  fi
}

# single NAME: true when it is to be made.
single() {
  if [ -e "$dir/$1" ]; then
    echo "kept    $dir/$1"
    return 1
  fi
}

if pair postgres_password database_url; then
  password=$(random_hex 24)
  write postgres_password "$POSTGRES_UID" "$password"
  write database_url "$OEUVRE_UID" "postgres://oeuvre:$password@postgres:5432/oeuvre"
fi
if pair redis_conf redis_url; then
  password=$(random_hex 24)
  write redis_conf "$REDIS_UID" "requirepass $password"
  write redis_url "$OEUVRE_UID" "redis://:$password@redis:6379/0"
fi
if pair metrics_token prometheus_metrics_token; then
  token=$(random_hex 32)
  write metrics_token "$OEUVRE_UID" "$token"
  write prometheus_metrics_token "$NOBODY_UID" "$token"
fi
# openssl rand -hex 32, as docs/secrets.md and docs/backups.md advise, without needing openssl.
if single jwt_secret; then write jwt_secret "$OEUVRE_UID" "$(random_hex 32)"; fi
if single backup_encryption_key; then write backup_encryption_key "$OEUVRE_UID" "$(random_hex 32)"; fi
if single s3_access_key; then write s3_access_key "$OEUVRE_UID" "oeuvre-$(random_hex 4)"; fi
if single s3_secret_key; then write s3_secret_key "$OEUVRE_UID" "$(random_hex 24)"; fi
if single slack_webhook_url; then
  write slack_webhook_url "$NOBODY_UID" "https://hooks.slack.com/services/REPLACE/WITH/YOURS"
fi
echo "Keep a copy of backup_encryption_key outside this machine: without it no backup can be read."
