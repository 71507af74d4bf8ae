#!/usr/bin/env bash
# A throwaway PostgreSQL 15 for tests, listening on 127.0.0.1 only, with everything under
# one folder: the cluster in DIR/pgdata, the socket and the server log in DIR/run.
#
#   scripts/postgres.sh start DIR   prints postgresql://postgres@127.0.0.1:PORT/flow_test
#                                   (also written to DIR/url); a no-op when it runs already
#   scripts/postgres.sh stop DIR    stops it (fast shutdown); a no-op when it is not running
#
# Authentication is `trust` (no password), the collation is C (byte order, as SQLite
# compares text) and fsync stays on. As root the server runs as the user postgres, which
# initdb requires; any other user runs it as themselves.
set -euo pipefail

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
DATABASE=flow_test

die() {
  echo "postgres.sh: $*" >&2
  exit 1
}
[[ $# == 2 && ($1 == start || $1 == stop) ]] || die "usage: $0 start|stop DIR"
action=$1
if [ "$action" = stop ] && [ ! -d "$2" ]; then
  echo "postgres.sh: no server running in $2" >&2
  exit 0
fi
mkdir -p "$2"
dir=$(cd "$2" && pwd)
pgdata=$dir/pgdata
run=$dir/run
[ -x "$PGBIN/pg_ctl" ] ||
  die "PostgreSQL 15 is not installed ($PGBIN/pg_ctl is missing): apt-get install postgresql-15"

if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || die "there is no user postgres (it comes with postgresql-15)"
  as_server() { runuser -u postgres -- "$@"; }
else
  as_server() { "$@"; }
fi

running() { [ -f "$pgdata/postmaster.pid" ] && as_server "$PGBIN/pg_ctl" -D "$pgdata" status >/dev/null 2>&1; }

# Whether something accepts connections on 127.0.0.1:$1.
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port() {
  local port
  for _ in $(seq 200); do
    port=$((20000 + RANDOM % 40000))
    port_in_use "$port" || { echo "$port"; return 0; }
  done
  die "found no free port"
}

url_for() { echo "postgresql://postgres@127.0.0.1:$1/$DATABASE"; }

stop() {
  if running; then
    as_server "$PGBIN/pg_ctl" -D "$pgdata" -m fast -w -t 60 stop >&2
  else
    echo "postgres.sh: no server running in $pgdata" >&2
  fi
}

start() {
  if running; then
    [ -f "$dir/url" ] || die "a server runs in $pgdata but $dir/url is missing: stop it first"
    cat "$dir/url"
    return 0
  fi

  mkdir -p "$run"
  if [ "$(id -u)" = 0 ]; then
    # The server's user must reach DIR (search permission only) and own its folders.
    chmod a+x "$dir"
    mkdir -p "$pgdata"
    chown postgres: "$pgdata" "$run"
    as_server test -w "$run" ||
      die "the user postgres cannot reach $dir (a parent folder is closed to it): use a folder under /tmp"
  fi
  chmod 700 "$pgdata" 2>/dev/null || true

  if [ ! -f "$pgdata/PG_VERSION" ]; then
    # A cluster whose initdb was interrupted is started again from nothing.
    find "$pgdata" -mindepth 1 -delete 2>/dev/null || true
    as_server "$PGBIN/initdb" -D "$pgdata" -A trust -U postgres -E UTF8 --locale=C --no-sync \
      >"$run/initdb.log" 2>&1 || { cat "$run/initdb.log" >&2; die "initdb failed"; }
  fi

  # A port that was free a moment ago may be taken by the time the server binds: retry.
  local port started=no
  for _ in 1 2 3 4 5; do
    port=$(free_port)
    : >"$run/postgres.log"
    if [ "$(id -u)" = 0 ]; then chown postgres: "$run/postgres.log"; fi
    if as_server "$PGBIN/pg_ctl" -D "$pgdata" -l "$run/postgres.log" -w -t 60 \
        -o "-p $port -k $run -c listen_addresses=127.0.0.1" start >&2; then
      started=yes
      break
    fi
    grep -q "could not bind\|already in use" "$run/postgres.log" || break
  done
  if [ $started != yes ]; then
    tail -n 20 "$run/postgres.log" >&2 || true
    die "the server did not start (log: $run/postgres.log)"
  fi

  local exists
  exists=$("$PGBIN/psql" -X -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAq \
    -c "SELECT 1 FROM pg_database WHERE datname = '$DATABASE'")
  [ "$exists" = 1 ] || "$PGBIN/createdb" -h 127.0.0.1 -p "$port" -U postgres "$DATABASE"

  url_for "$port" >"$dir/url"
  cat "$dir/url"
}

"$action"
