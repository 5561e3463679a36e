#!/usr/bin/env bash
# Installs everything Œuvre needs to build, test and benchmark on Debian 12. Idempotent; run as root
# (or with sudo available). Debian packages; npm for the test servers below and the web app's build
# (scripts/build_web.sh, from web/package-lock.json). chromium runs the web app's browser tests.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libpq-dev libsqlite3-dev sqlite3 libssl-dev libsodium-dev libcli11-dev
  prometheus-cpp-dev libzstd-dev libcurl4-openssl-dev libhiredis-dev libexpat1-dev
  libgtest-dev libgmock-dev googletest libbenchmark-dev
  postgresql-15 postgresql-contrib postgresql-client-15 zstd
  prometheus prometheus-alertmanager python3-yaml redis-server
  docker-compose haproxy systemd
  clang libclang-rt-14-dev
  wrk curl python3 time
  awscli python3-botocore nodejs
  chromium
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Test servers from the npm registry, pinned, outside the repository: s3rver (an S3-compatible store
# for the backup tests). Tests find it at this path (or OEUVRE_S3RVER).
test_tools=/opt/oeuvre-test-tools
# npm: Debian's, unless the nodejs package already brings one (as NodeSource's does).
if ! command -v npm >/dev/null; then $SUDO apt-get install -y -qq --no-install-recommends npm; fi
if [ ! -x "$test_tools/node_modules/.bin/s3rver" ]; then
  $SUDO mkdir -p "$test_tools"
  $SUDO npm install --prefix "$test_tools" --no-audit --no-fund --loglevel=error s3rver@3.7.1
fi
# The cluster that the postgresql package creates is not used: tests start their own server in a temp dir.
# Likewise the prometheus, prometheus-alertmanager and haproxy services: the monitoring and deploy
# tests run their own. docker-compose and systemd are there to check deploy/ (docker-compose config,
# systemd-analyze verify): no Docker engine is installed, and systemd is not made the init.
