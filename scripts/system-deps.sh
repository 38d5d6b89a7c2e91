#!/bin/sh
# Installs the Debian packages that the test suite drives for real: headless Chromium
# (widget test), espeak-ng (Korean fallback voice), sox and PostgreSQL (the store tests start a
# throwaway server from its initdb/pg_ctl binaries). Does nothing when present.
# With --system also HAProxy, which only the multi-worker test of `make test-system` runs.
set -e
missing=""
if [ "$1" = "--system" ]; then
    command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || missing="$missing haproxy"
fi
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
command -v chromedriver >/dev/null 2>&1 || missing="$missing chromium-driver"
command -v espeak-ng >/dev/null 2>&1 || missing="$missing espeak-ng"
# Debian keeps the server binaries off PATH, one directory per major version.
ls /usr/lib/postgresql/*/bin/initdb /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || missing="$missing postgresql"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian packages:$missing"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
else
    echo "missing Debian packages:$missing — install them with: sudo apt-get install$missing" >&2
    exit 1
fi
