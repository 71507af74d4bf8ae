#!/usr/bin/env bash
# A throwaway Redis for tests, on 127.0.0.1 only, keeping nothing on disk, with its pid
# file and log in one folder.
#
#   scripts/redis.sh start DIR   prints redis://127.0.0.1:PORT (also written to DIR/url);
#                                a no-op when it runs already
#   scripts/redis.sh stop DIR    stops it; a no-op when it is not running
set -euo pipefail

die() {
  echo "redis.sh: $*" >&2
  exit 1
}
[[ $# == 2 && ($1 == start || $1 == stop) ]] || die "usage: $0 start|stop DIR"
mkdir -p "$2"
dir=$(cd "$2" && pwd)
pidfile=$dir/redis.pid

running() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

if [ "$1" = stop ]; then
  if running; then
    pid=$(cat "$pidfile")
    kill "$pid"
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -f "$pidfile"
  exit 0
fi

if running && [ -f "$dir/url" ]; then cat "$dir/url"; exit 0; fi
command -v redis-server >/dev/null || die "redis-server is not installed (apt-get install redis-server)"
for _ in 1 2 3 4 5; do
  port=$((20000 + RANDOM % 40000))  # a taken port fails the ping below, and another is tried
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --pidfile "$pidfile" --dir "$dir" --logfile "$dir/redis.log" || continue
  for _ in $(seq 50); do
    if redis-cli -p "$port" ping 2>/dev/null | grep -q PONG; then
      echo "redis://127.0.0.1:$port" | tee "$dir/url"
      exit 0
    fi
    sleep 0.1
  done
done
die "redis-server did not start; see $dir/redis.log"
