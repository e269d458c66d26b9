#!/usr/bin/env bash
# Builds drachtio-server from the pinned tarball in ../shared/vendor with its own
# sofia-sip fork (FreeSWITCH's sofia-sip lacks calls it needs) into a cache outside
# the checkout, once per machine. The tarball has no jansson, hiredis or
# prometheus-cpp submodules: Debian's packages stand in for them.
#
#   scripts/build-drachtio.sh      build if missing; print the install prefix (bin/drachtio)
#   TENOR_VENDOR, TENOR_ENGINE_CACHE as for build-freeswitch.sh
#
# Exit codes: 0 built or cached (prefix on stdout), 3 sources not found, 1 build failed.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=scripts/engine-build-common.sh
source "$here/engine-build-common.sh"

drachtio_tarball=drachtio-server-9c2dd4cb6a.tar.xz
sofia_tarball=sofia-sip-drachtio-8889fafb67.tar.xz

find_vendor "$drachtio_tarball" "$sofia_tarball"
prefix="$(cache_folder drachtio "$here/$(basename "$0")" "$drachtio_tarball" "$sofia_tarball")"
if [ -x "$prefix/bin/drachtio" ] && [ -f "$prefix/.complete" ]; then echo "$prefix"; exit 0; fi

ensure_debian_packages build-essential autoconf automake libtool libtool-bin pkg-config \
  libssl-dev libcurl4-openssl-dev zlib1g-dev libboost-dev libboost-thread-dev \
  libboost-system-dev libboost-log-dev libboost-filesystem-dev libjansson-dev libhiredis-dev \
  prometheus-cpp-dev

lock_build drachtio
work="$(mktemp -d "$cache_root/build-drachtio.XXXXXX")"
export CFLAGS="-O2" CXXFLAGS="-O2"

step "drachtio-server"
unpack "$drachtio_tarball" "$work/drachtio-server"
unpack "$sofia_tarball" "$work/drachtio-server/deps/sofia-sip"
cd "$work/drachtio-server"
# Link Debian's jansson, hiredis and prometheus-cpp instead of building the
# submodules the tarball does not carry; only the sofia-sip fork is built here.
sed -i \
  -e 's|-I${srcdir}/deps/hiredis|-I/usr/include/hiredis|' \
  -e 's|${srcdir}/deps/jansson/src/.libs/libjansson.a|-ljansson|' \
  -e 's|${srcdir}/deps/hiredis/libhiredis.a|-lhiredis|' \
  -e 's|${srcdir}/deps/prometheus-cpp/build/lib/libprometheus-cpp-pull.a|-lprometheus-cpp-pull|' \
  -e 's|${srcdir}/deps/prometheus-cpp/build/lib/libprometheus-cpp-core.a|-lprometheus-cpp-core|' \
  Makefile.am
# BUILT_SOURCES spans two lines; keep only the sofia-sip library in it.
sed -i -e '/^BUILT_SOURCES=/,/[^\\]$/c\BUILT_SOURCES=${srcdir}/deps/sofia-sip/libsofia-sip-ua/.libs/libsofia-sip-ua.a' Makefile.am
( ./autogen.sh && ./configure --prefix="$prefix" --enable-tcmalloc=no \
  && make -j"$(nproc)" && make install && strip "$prefix/bin/drachtio" ) >"$work/drachtio.log" 2>&1 \
  || fail_with_log "$work/drachtio.log"

finish_work "$work" "$prefix"
echo "$prefix"
