#!/usr/bin/env bash
# Installs what building and testing Flow needs on Debian 12, and nothing when it is all
# there already. As root it runs apt-get; otherwise it uses sudo, or prints the one line
# to run. One Debian package is unpacked into .deps/ rather than installed:
# libphonenumber-dev (installing it would pull Boost 1.74 beside 1.81). The docs page's
# renderers (Swagger UI, AsyncAPI) come from npm with the web app (webapp/package.json).
#
# `install-deps.sh --fuzz` adds what only `make fuzz` needs: clang with its libFuzzer
# and sanitizer runtimes (Debian 12's clang 14); `--build-only` installs what building
# flowd needs and none of what the tests start (a container image's build stage).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake ninja-build pkg-config libboost1.81-dev libboost-json1.81-dev
  libboost-url1.81-dev libssl-dev libsqlite3-dev libpq-dev libhiredis-dev
  libcurl4-openssl-dev libsodium-dev libspdlog-dev libfmt-dev libcli11-dev libmagic-dev
  libwebp-dev libjpeg-dev libgtest-dev libbenchmark-dev libphonenumber8 libprotobuf-dev
  libabsl-dev libicu-dev libjemalloc-dev curl ca-certificates
  # thumbnails: libvips decodes images (in a child process of flowd)
  libvips-dev
)
# What the tests and benchmarks start or drive; `--build-only` (a container image) leaves them out.
test_packages=(
  coturn postgresql-15 redis-server
  # video posters (flowd runs it at run time too) and the tests' media
  ffmpeg
  # make bench writes a long chat history straight into flowd's database with it
  sqlite3
  # the web app's browser tests drive them (tests/integration/webapp*.test.mjs)
  chromium firefox-esr
  # the fake push services make a throwaway CA with its command line (tests/support)
  openssl
  # deploy.test.mjs runs deploy/Caddyfile in front of flowd (Debian's Caddy 2.6)
  caddy
)
if [ "${1:-}" != --build-only ]; then packages+=("${test_packages[@]}"); fi
if [ "${1:-}" = --fuzz ]; then packages+=(clang libclang-rt-dev); fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

# Node.js (with npm) bundles the web app and the docs page at build time and runs the
# client tests; a machine that has it from elsewhere keeps it.
command -v npm >/dev/null || missing+=(nodejs npm)

if ((${#missing[@]})); then
  if [ "$(id -u)" = 0 ]; then sudo=""
  elif command -v sudo >/dev/null; then sudo="sudo"
  else
    echo "Flow needs these Debian packages; as root, run:" >&2
    echo "  apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
  echo "Installing: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
  # Debian's caddy starts a service on every address's port 80 where systemd runs; the
  # tests start their own Caddy on 127.0.0.1, so the one just installed is stopped.
  if [[ " ${missing[*]} " == *" caddy "* ]] && [ -d /run/systemd/system ]; then
    $sudo systemctl disable --now caddy >/dev/null 2>&1 || true
  fi
fi

# unpack_deb PACKAGE DIR: the package's files under DIR, without installing it.
unpack_deb() {
  local pkg=$1 dir=$2 tmp
  [ -f "$dir/.unpacked" ] && return 0
  tmp=$(mktemp -d)
  (cd "$tmp" && chmod 777 . && apt-get download -q "$pkg" >/dev/null 2>&1 ||
     { [ "$(id -u)" = 0 ] && apt-get update -qq && apt-get download -q "$pkg" >/dev/null; })
  rm -rf "$dir" && mkdir -p "$dir"
  dpkg -x "$tmp"/*.deb "$dir"
  rm -rf "$tmp"
  touch "$dir/.unpacked"
}
unpack_deb libphonenumber-dev .deps/libphonenumber
