#!/usr/bin/env bash
# Builds FreeSWITCH (with the sofia-sip and spandsp it links) from the pinned
# tarballs in ../shared/vendor into a cache outside the checkout, once per machine.
# The cache folder is named after the tarballs' checksums and this script's own,
# so a new pin or a changed recipe builds afresh and an unchanged one is reused.
#
#   scripts/build-freeswitch.sh            build if missing; print the install prefix
#   TENOR_VENDOR=/path/to/vendor           where the tarballs are (default ../shared/vendor)
#   TENOR_ENGINE_CACHE=/path               where builds go (default ~/.cache/tenor/engines)
#
# Exit codes: 0 built or cached (prefix on stdout), 3 sources not found, 1 build failed.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=scripts/engine-build-common.sh
source "$here/engine-build-common.sh"

freeswitch_tarball=freeswitch-cc93a683ca.tar.xz
sofia_tarball=sofia-sip-7333682a29.tar.xz
spandsp_tarball=spandsp-0c7bcebef4.tar.xz

find_vendor "$freeswitch_tarball" "$sofia_tarball" "$spandsp_tarball"
prefix="$(cache_folder freeswitch "$here/$(basename "$0")" "$freeswitch_tarball" "$sofia_tarball" "$spandsp_tarball")"
if [ -x "$prefix/bin/freeswitch" ] && [ -f "$prefix/.complete" ]; then echo "$prefix"; exit 0; fi

ensure_debian_packages build-essential autoconf automake libtool libtool-bin pkg-config \
  libssl-dev libsqlite3-dev libcurl4-openssl-dev libpcre2-dev libspeex-dev libspeexdsp-dev \
  libldns-dev libedit-dev libsndfile1-dev uuid-dev zlib1g-dev libtiff-dev libjpeg-dev \
  libexpat1-dev libopus-dev yasm nasm

lock_build freeswitch
work="$(mktemp -d "$cache_root/build-freeswitch.XXXXXX")"
jobs="$(nproc)"
export CFLAGS="-O2" CXXFLAGS="-O2"
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
export LD_LIBRARY_PATH="$prefix/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

step "sofia-sip"
unpack "$sofia_tarball" "$work/sofia-sip"
( cd "$work/sofia-sip" && ./bootstrap.sh && ./configure --prefix="$prefix" --disable-static --without-doxygen \
  && make -j"$jobs" && make install ) >"$work/sofia-sip.log" 2>&1 || fail_with_log "$work/sofia-sip.log"

step "spandsp"
unpack "$spandsp_tarball" "$work/spandsp"
( cd "$work/spandsp" && ./bootstrap.sh && ./configure --prefix="$prefix" --disable-static \
  && make -j"$jobs" && make install ) >"$work/spandsp.log" 2>&1 || fail_with_log "$work/spandsp.log"

step "FreeSWITCH"
unpack "$freeswitch_tarball" "$work/freeswitch"
cd "$work/freeswitch"
# The pinned library commits report 1.13.17 and 3.0.0; the FreeSWITCH commits that
# raised these checks changed only the checks (see ../shared/vendor/README.md).
sed -i 's/sofia-sip-ua >= 1.13.18/sofia-sip-ua >= 1.13.17/; s/spandsp >= 3.1.1/spandsp >= 3.0.0/' configure.ac
# A media server driven over the event socket: no video, Lua or signalwire modules.
cat > modules.conf <<'MODULES'
applications/mod_commands
applications/mod_conference
applications/mod_db
applications/mod_dptools
applications/mod_expr
applications/mod_hash
applications/mod_spandsp
applications/mod_avmd
dialplans/mod_dialplan_xml
endpoints/mod_loopback
endpoints/mod_sofia
event_handlers/mod_event_socket
formats/mod_local_stream
formats/mod_native_file
formats/mod_sndfile
formats/mod_tone_stream
loggers/mod_console
loggers/mod_logfile
say/mod_say_en
xml_int/mod_xml_curl
MODULES
( ./bootstrap.sh -j && ./configure --prefix="$prefix" --disable-libvpx --disable-libyuv \
  && make -j"$jobs" && make install ) >"$work/freeswitch.log" 2>&1 || fail_with_log "$work/freeswitch.log"

finish_work "$work" "$prefix"
echo "$prefix"
