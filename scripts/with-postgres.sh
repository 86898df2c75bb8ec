#!/usr/bin/env bash
# Usage: scripts/with-postgres.sh CMD [ARG...]
#
# Runs CMD against a throwaway PostgreSQL server (used by `make test`): a fresh cluster
# in a temporary directory, listening on a free port of 127.0.0.1 only, with password
# (scram-sha-256) authentication, a role `planwatch` that may create databases
# (pytest-django creates test_planwatch*) and a database `planwatch`. CMD sees
#   DATABASE_URL=postgres://planwatch:<password>@127.0.0.1:<port>/planwatch
# The server is stopped and the directory deleted however CMD ends; CMD's exit status
# is the script's.
#
# PG_BIN overrides where initdb/pg_ctl/psql are (default: the newest
# /usr/lib/postgresql/*/bin, i.e. 15 on Debian 12).
set -euo pipefail

[ $# -gt 0 ] || { echo "usage: $0 CMD [ARG...]" >&2; exit 2; }

if [ -z "${PG_BIN:-}" ]; then
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
fi
if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
  echo "with-postgres: initdb not found (install the Debian package postgresql, or set PG_BIN)" >&2
  exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/planwatch-pg.XXXXXX")
data="$tmp/data"
mkdir "$tmp/socket"

# PostgreSQL refuses to run as root: as root, the cluster belongs to the `postgres` OS
# user that the Debian package creates.
as_owner=()
if [ "$(id -u)" -eq 0 ]; then
  as_owner=(runuser -u postgres --)
fi

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [ -f "$data/postmaster.pid" ]; then
    (cd "$tmp" && "${as_owner[@]}" "$PG_BIN/pg_ctl" -D "$data" -m fast -w -t 30 stop >/dev/null 2>&1) || {
      # pg_ctl could not stop it: end the postmaster by the PID it wrote.
      pid=$(head -n 1 "$data/postmaster.pid" 2>/dev/null || true)
      [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null || true
    }
  fi
  rm -rf "$tmp"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Hex passwords need no quoting in the URL or in SQL.
admin_password=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
password=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
printf '%s\n' "$admin_password" >"$tmp/pwfile"
chmod 600 "$tmp/pwfile"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

if [ "$(id -u)" -eq 0 ]; then
  chown -R postgres: "$tmp"
fi

# Run from the temporary directory: the postgres user may not be able to read the
# caller's working directory, and initdb/pg_ctl complain if they cannot.
(
  cd "$tmp"
  "${as_owner[@]}" "$PG_BIN/initdb" -D "$data" -U postgres --pwfile="$tmp/pwfile" \
    --auth=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >"$tmp/initdb.log" 2>&1 \
    || { cat "$tmp/initdb.log" >&2; exit 1; }
  rm -f "$tmp/pwfile"
  # A throwaway cluster: durability settings off make the test databases faster.
  "${as_owner[@]}" "$PG_BIN/pg_ctl" -D "$data" -l "$tmp/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $tmp/socket -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null \
    || { cat "$tmp/server.log" >&2; exit 1; }
)

PGPASSWORD="$admin_password" "$PG_BIN/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres \
  -v ON_ERROR_STOP=1 \
  -c "CREATE ROLE planwatch LOGIN CREATEDB PASSWORD '$password'" \
  -c "CREATE DATABASE planwatch OWNER planwatch"

export DATABASE_URL="postgres://planwatch:$password@127.0.0.1:$port/planwatch"
echo "with-postgres: PostgreSQL $("$PG_BIN/pg_ctl" --version | awk '{print $3}') on 127.0.0.1:$port" >&2

# Not exec: the trap must still stop the server after CMD.
set +e
"$@"
status=$?
set -e
exit "$status"
