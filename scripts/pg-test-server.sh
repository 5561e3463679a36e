#!/usr/bin/env bash
# A throwaway PostgreSQL 15 server for tests, on a free loopback TCP port.
#
#   scripts/pg-test-server.sh start DIR   # (re)creates DIR, starts a server, writes its URL to DIR/url
#   scripts/pg-test-server.sh stop DIR    # stops the server started in DIR and removes DIR
#
# start: any server left running in DIR by an earlier run is stopped and DIR is recreated. The cluster
# trusts local TCP connections (tests only), runs as user postgres when started by root (initdb refuses
# root), and is tuned for speed, not durability (fsync off). DIR/url holds
# postgres://postgres@127.0.0.1:PORT/postgres, readable by everyone; DIR/log is the server log.
# If the postgres user cannot reach DIR (a parent folder it may not traverse), the cluster and its log
# live in a private folder under ${TMPDIR:-/tmp} whose path is recorded in DIR/workdir.
# stop: idempotent; exits 0 when there is nothing to stop.
# Both exit non-zero with the reason (and the server log) when something really fails.
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

usage() {
  echo "usage: $0 start|stop DIR" >&2
  exit 2
}

[ $# -eq 2 ] || usage
action=$1
dir=$2
[ -n "$dir" ] || usage
case "$dir" in
  /) echo "refusing to use / as the server folder" >&2; exit 2 ;;
esac
# An absolute path: pg_ctl and the server change directory.
case "$dir" in
  /*) ;;
  *) dir="$(pwd)/$dir" ;;
esac

as_root=0
if [ "$(id -u)" -eq 0 ]; then as_root=1; fi

# Runs a command as the cluster owner: postgres when we are root, else ourselves.
as_owner() {
  if [ "$as_root" -eq 1 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# The folder holding the cluster (data/, log) started from $dir; empty when there is none.
recorded_workdir() {
  if [ -f "$dir/workdir" ]; then
    cat "$dir/workdir"
  elif [ -d "$dir" ]; then
    echo "$dir"
  fi
}

# Stops whatever server runs on data folder $1 and waits for it to go. Never fails.
stop_cluster() {
  local datadir=$1
  [ -n "$datadir" ] && [ -d "$datadir" ] || return 0
  if [ -f "$datadir/postmaster.pid" ]; then
    as_owner "$PG_BIN/pg_ctl" stop -D "$datadir" -m fast -w -t 30 >/dev/null 2>&1 || true
  fi
  # pg_ctl may fail (a half-created cluster, an unreadable folder): end the postmaster by its pid file,
  # and only when that pid really is a postgres process.
  if [ -f "$datadir/postmaster.pid" ]; then
    local pid
    pid=$(head -n 1 "$datadir/postmaster.pid" 2>/dev/null || true)
    if [[ "$pid" =~ ^[0-9]+$ ]] && [ -r "/proc/$pid/comm" ] &&
      [ "$(cat "/proc/$pid/comm")" = "postgres" ]; then
      kill -INT "$pid" 2>/dev/null || true
      for _ in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || break
        # A zombie waits for its parent, not for us.
        [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != "Z" ] || break
        sleep 0.1
      done
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
}

remove_all() {
  local workdir
  workdir=$(recorded_workdir)
  [ -n "$workdir" ] || return 0
  stop_cluster "$workdir/data"
  if [ "$workdir" != "$dir" ]; then rm -rf -- "$workdir"; fi
  rm -rf -- "$dir"
}

free_port() {
  python3 - <<'EOF'
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
EOF
}

start() {
  remove_all
  mkdir -p -- "$dir"
  chmod 755 "$dir"
  if [ "$as_root" -eq 1 ]; then chown postgres:postgres "$dir"; fi

  local workdir="$dir"
  if ! as_owner test -w "$dir" -a -x "$dir"; then
    workdir=$(mktemp -d "${TMPDIR:-/tmp}/oeuvre-pg.XXXXXX")
    chmod 755 "$workdir"
    if [ "$as_root" -eq 1 ]; then chown postgres:postgres "$workdir"; fi
    echo "$workdir" >"$dir/workdir"
  fi
  local datadir="$workdir/data"

  local initlog="$workdir/initdb.log"
  if ! as_owner "$PG_BIN/initdb" -D "$datadir" -A trust -U postgres --encoding=UTF8 --no-locale \
    --no-sync >"$initlog" 2>&1; then
    echo "initdb failed:" >&2
    cat "$initlog" >&2
    exit 1
  fi
  # One role logs in with a password (the others are trusted): the test of a rotated database
  # password (DatabaseCredentialsTest) needs a server that checks it. The first matching line wins.
  as_owner sh -c "{ echo 'host all oeuvre_pw_rotation 127.0.0.1/32 scram-sha-256'; cat '$datadir/pg_hba.conf'; } \
    > '$datadir/pg_hba.conf.new' && mv '$datadir/pg_hba.conf.new' '$datadir/pg_hba.conf'"

  # Unix sockets live in the work folder when the socket path fits the 107-byte limit; else TCP only.
  local sockdir="$workdir"
  if [ ${#workdir} -gt 80 ]; then sockdir=""; fi
  cat >>"$datadir/postgresql.conf" <<EOF

# --- oeuvre test server ---
listen_addresses = '127.0.0.1'
unix_socket_directories = '$sockdir'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
shared_buffers = 32MB
max_wal_size = 1GB
log_min_messages = warning
EOF

  # The chosen port may be taken between choosing and binding: try a few.
  local log="$workdir/log"
  local port
  for attempt in 1 2 3 4 5; do
    port=$(free_port)
    as_owner touch "$log"
    if as_owner "$PG_BIN/pg_ctl" start -D "$datadir" -l "$log" -w -t 60 -o "-p $port" \
      >"$workdir/pg_ctl.log" 2>&1; then
      # A readiness probe over TCP, the way the tests will connect.
      if "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres -t 10; then
        echo "postgres://postgres@127.0.0.1:$port/postgres" >"$dir/url.tmp"
        chmod 644 "$dir/url.tmp"
        mv -f "$dir/url.tmp" "$dir/url"
        echo "PostgreSQL test server on 127.0.0.1:$port (data in $datadir)"
        return 0
      fi
    fi
    stop_cluster "$datadir"
    if ! grep -q "could not bind\|Address already in use" "$log" 2>/dev/null; then break; fi
    echo "port $port was taken (attempt $attempt); trying another" >&2
  done
  echo "PostgreSQL did not start. pg_ctl said:" >&2
  cat "$workdir/pg_ctl.log" >&2 || true
  echo "--- server log ($log) ---" >&2
  cat "$log" >&2 || true
  exit 1
}

case "$action" in
  start) start ;;
  stop)
    remove_all
    ;;
  *) usage ;;
esac
