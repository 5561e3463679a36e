#!/usr/bin/env bash
# Installs everything Œuvre needs to build, test and benchmark on Debian 12. Idempotent; run as root
# (or with sudo available). Only Debian packages; npm is used by later test servers only.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libpq-dev libsqlite3-dev sqlite3 libssl-dev libsodium-dev libspdlog-dev libfmt-dev libcli11-dev
  prometheus-cpp-dev libzstd-dev libcurl4-openssl-dev
  libgtest-dev libgmock-dev googletest libbenchmark-dev
  postgresql-15 postgresql-contrib postgresql-client-15 zstd
  prometheus prometheus-alertmanager python3-yaml
  clang libclang-rt-14-dev
  wrk curl python3 time
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
# The cluster that the postgresql package creates is not used: tests start their own server in a temp dir.
# Likewise the prometheus and prometheus-alertmanager services: the monitoring tests run their own.
