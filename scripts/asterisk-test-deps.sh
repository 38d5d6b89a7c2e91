#!/bin/sh
# Debian packages `make test-asterisk` drives besides Asterisk itself: the baresip softphone (its aufile,
# sndfile, g711 and ctrl_tcp modules are in baresip-core). Does nothing when present.
set -e
command -v baresip >/dev/null 2>&1 && [ -f /usr/lib/baresip/modules/sndfile.so ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian packages: baresip-core"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends baresip-core >/dev/null \
        || { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
             --no-install-recommends baresip-core >/dev/null; }
else
    echo "missing Debian package: baresip-core — install it with: sudo apt-get install baresip-core" >&2
    exit 1
fi
