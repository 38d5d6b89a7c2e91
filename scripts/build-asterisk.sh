#!/bin/sh
# Build Asterisk 22 with chan_pjsip (bundled pjproject) and AudioSocket from release tarballs, offline.
#   scripts/build-asterisk.sh asterisk-22.x.y.tar.gz pjproject-2.z.tar.gz PREFIX
# Idempotent: does nothing when PREFIX already holds that Asterisk version. As root it installs the
# Debian build packages it needs; otherwise it lists the missing ones and stops.
# Environment: JOBS (make -j, default: number of cores), BUILD_DIR (default: a temporary directory).
set -eu

usage() { echo "usage: $0 ASTERISK_SRC.tar.gz PJPROJECT_SRC.tar.gz PREFIX" >&2; exit 2; }
die() { echo "build-asterisk: $*" >&2; exit 2; }

[ $# -eq 3 ] || usage
SRC=$1
PJ=$2
PREFIX=$3
[ -f "$SRC" ] || die "no such file: $SRC"
[ -f "$PJ" ] || die "no such file: $PJ"
case "$PREFIX" in /*) ;; *) die "PREFIX must be an absolute path: $PREFIX" ;; esac

SRC=$(cd "$(dirname "$SRC")" && pwd)/$(basename "$SRC")
PJ=$(cd "$(dirname "$PJ")" && pwd)/$(basename "$PJ")

# asterisk-22.10.1.tar.gz -> 22.10.1 ; pjproject-2.17.tar.gz -> 2.17
AST_VERSION=$(basename "$SRC" | sed -n 's/^asterisk-\([0-9][0-9.]*[0-9]\)\.tar\.gz$/\1/p')
PJ_VERSION=$(basename "$PJ" | sed -n 's/^pjproject-\([0-9][0-9.]*[0-9]\)\.tar\.gz$/\1/p')
[ -n "$AST_VERSION" ] || die "cannot read the Asterisk version from $(basename "$SRC") (want asterisk-X.Y.Z.tar.gz)"
[ -n "$PJ_VERSION" ] || die "cannot read the pjproject version from $(basename "$PJ") (want pjproject-X.Y.tar.gz)"
case "$AST_VERSION" in 22.*) ;; *) echo "build-asterisk: warning: tested with Asterisk 22, got $AST_VERSION" >&2 ;; esac

STAMP="$PREFIX/.voicebot-asterisk-version"
if [ -x "$PREFIX/sbin/asterisk" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$AST_VERSION" ]; then
    echo "build-asterisk: Asterisk $AST_VERSION is already in $PREFIX"
    exit 0
fi

# Debian packages. Configure refuses the bundled pjproject without wget or curl, even offline.
PKGS="build-essential libedit-dev libjansson-dev libxml2-dev libsqlite3-dev uuid-dev libssl-dev pkg-config bzip2 patch wget"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    if [ "$(id -u)" = 0 ]; then
        echo "build-asterisk: installing Debian packages:$missing"
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing >/dev/null \
            || { apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing >/dev/null; } \
            || die "apt-get install failed for:$missing"
    else
        die "missing Debian packages (install them as root):$missing"
    fi
fi

JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
if [ -n "${BUILD_DIR:-}" ]; then
    WORK=$BUILD_DIR
    mkdir -p "$WORK"
    CLEANUP=""
else
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/build-asterisk.XXXXXX")
    CLEANUP=$WORK
fi
cleanup() { [ -z "$CLEANUP" ] || rm -rf "$CLEANUP"; }
trap cleanup EXIT

echo "build-asterisk: building Asterisk $AST_VERSION (pjproject $PJ_VERSION) in $WORK, installing to $PREFIX"
cd "$WORK"
rm -rf "asterisk-$AST_VERSION"
tar -xzf "$SRC"
cd "asterisk-$AST_VERSION"
TOP=$(pwd)

WANT_PJ=$(sed -n 's/^PJPROJECT_VERSION=//p' third-party/versions.mak)
[ "$WANT_PJ" = "$PJ_VERSION" ] || die "Asterisk $AST_VERSION bundles pjproject $WANT_PJ, got $PJ_VERSION"

# Bundled pjproject without a download: unpack it where third-party/pjproject/Makefile would, apply
# Asterisk's patches, and leave a placeholder tarball in the externals cache that is older than
# source/.unpacked (and newer than third-party/versions.mak), so make neither downloads nor verifies.
CACHE="$WORK/externals"
mkdir -p "$CACHE"
(
    cd third-party/pjproject
    tar -xzf "$PJ"
    mv "pjproject-$PJ_VERSION" source
    ../apply_patches -q "$(pwd)/patches" "$(pwd)/source"
    # The placeholder must be newer than ../versions.mak (or make fetches it) and older than .unpacked.
    : > "$CACHE/pjproject-$PJ_VERSION.tar.bz2"
    touch -d '@'"$(( $(date +%s) - 60 ))" "$CACHE/pjproject-$PJ_VERSION.tar.bz2"
    touch source/.unpacked
)

./configure --prefix="$PREFIX" --with-pjproject-bundled --with-externals-cache="$CACHE" >configure.log 2>&1 \
    || { tail -30 configure.log >&2; die "configure failed (log: $TOP/configure.log)"; }

# Sound packages would be downloaded at install time: off. AudioSocket and PJSIP must be on.
make menuselect.makeopts >/dev/null
menuselect/menuselect \
    --disable-category MENUSELECT_CORE_SOUNDS \
    --disable-category MENUSELECT_MOH \
    --disable-category MENUSELECT_EXTRA_SOUNDS \
    --disable BUILD_NATIVE \
    --enable chan_pjsip --enable res_pjsip --enable app_audiosocket --enable res_audiosocket \
    --enable chan_audiosocket --enable func_uuid --enable app_queue \
    menuselect.makeopts >/dev/null

make -j"$JOBS" >make.log 2>&1 || { tail -40 make.log >&2; die "make failed (log: $TOP/make.log)"; }
make install >install.log 2>&1 || { tail -30 install.log >&2; die "make install failed (log: $TOP/install.log)"; }

for m in chan_pjsip res_audiosocket app_audiosocket chan_audiosocket func_uuid app_queue; do
    [ -f "$PREFIX/lib/asterisk/modules/$m.so" ] || die "module $m was not built"
done
# Asterisk 22 exits at start ("Stasis initialization failed") when astdatadir lacks
# documentation/core-en_US.xml: a configuration's astdatadir must point at $PREFIX/var/lib/asterisk.
[ -f "$PREFIX/var/lib/asterisk/documentation/core-en_US.xml" ] \
    || echo "build-asterisk: warning: $PREFIX/var/lib/asterisk/documentation/core-en_US.xml is missing" >&2

echo "$AST_VERSION" > "$STAMP"
echo "build-asterisk: Asterisk $AST_VERSION installed in $PREFIX ($("$PREFIX/sbin/asterisk" -V))"
