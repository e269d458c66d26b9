#!/usr/bin/env bash
# Builds FreeSWITCH for bench/compare with sofia-sip, spandsp and FreeSWITCH all
# compiled at -O2, into a cache of its own (~/.cache/tenor/bench-engines), never the
# suite's. The recipe is scripts/build-freeswitch.sh's (same tarballs, patches and
# module list); it is repeated here rather than called because that script takes no
# compiler flags and its cache key must stay the suite's. The shared helpers
# (vendor lookup, checksums, cache key, lock, packages) are sourced from
# scripts/engine-build-common.sh unchanged.
#
# Every part is built with "-O2 -g": -g changes no generated code, and it leaves the
# compiler's command line in each installed library (DW_AT_producer), which
# verify_optimised below reads back, so a build whose flags did not reach the
# compiler fails instead of flattering Tenor in the comparison.
#
#   bench/compare/build-freeswitch-o2.sh     build if missing; print the install prefix
#   TENOR_VENDOR=/path/to/vendor             where the tarballs are (default ../shared/vendor)
#   TENOR_BENCH_ENGINE_CACHE=/path           where builds go (default ~/.cache/tenor/bench-engines)
#
# Exit codes: 0 built or cached (prefix on stdout), 3 sources not found, 1 build failed.
set -euo pipefail

recipe="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
# engine-build-common.sh finds the vendor folder and hashes itself relative to $here.
here="$(cd "$(dirname "$0")/../../scripts" && pwd)"
export TENOR_ENGINE_CACHE="${TENOR_BENCH_ENGINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tenor/bench-engines}"
# shellcheck source=scripts/engine-build-common.sh
source "$here/engine-build-common.sh"

freeswitch_tarball=freeswitch-cc93a683ca.tar.xz
sofia_tarball=sofia-sip-7333682a29.tar.xz
spandsp_tarball=spandsp-0c7bcebef4.tar.xz
optimisation="-O2 -g"

# Fails unless every named ELF file says it was compiled at -O2 (and nowhere at -O0).
verify_optimised() {
  local file producers
  for file in "$@"; do
    producers="$(readelf --debug-dump=info "$file" 2>/dev/null | grep DW_AT_producer | grep -v 'GNU AS' || true)"
    if [ -z "$producers" ] || ! grep -q -- ' -O2' <<<"$producers" || grep -q -- ' -O0' <<<"$producers"; then
      echo "$file was not compiled at -O2 (compiler lines: ${producers:-none})" >&2
      return 1
    fi
  done
}

find_vendor "$freeswitch_tarball" "$sofia_tarball" "$spandsp_tarball"
prefix="$(cache_folder freeswitch-o2 "$recipe" "$freeswitch_tarball" "$sofia_tarball" "$spandsp_tarball")"
if [ -x "$prefix/bin/freeswitch" ] && [ -f "$prefix/.complete" ]; then echo "$prefix"; exit 0; fi

ensure_debian_packages build-essential autoconf automake libtool libtool-bin pkg-config \
  libssl-dev libsqlite3-dev libcurl4-openssl-dev libpcre2-dev libspeex-dev libspeexdsp-dev \
  libldns-dev libedit-dev libsndfile1-dev uuid-dev zlib1g-dev libtiff-dev libjpeg-dev \
  libexpat1-dev libopus-dev yasm nasm binutils

lock_build freeswitch-o2
work="$(mktemp -d "$cache_root/build-freeswitch-o2.XXXXXX")"
jobs="$(nproc)"
export CFLAGS="$optimisation" CXXFLAGS="$optimisation"
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
export LD_LIBRARY_PATH="$prefix/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
# The configure logs stay with the build, as the record of the flags it was made with.
logs="$prefix/build-logs"
keep_config_logs() { mkdir -p "$logs"; cp "$work/$1/config.log" "$logs/$1-config.log"; }

step "sofia-sip (-O2)"
unpack "$sofia_tarball" "$work/sofia-sip"
( cd "$work/sofia-sip" && ./bootstrap.sh && ./configure --prefix="$prefix" --disable-static --without-doxygen \
  && make -j"$jobs" && make install ) >"$work/sofia-sip.log" 2>&1 || fail_with_log "$work/sofia-sip.log"
keep_config_logs sofia-sip
verify_optimised "$prefix/lib/libsofia-sip-ua.so"

step "spandsp (-O2)"
unpack "$spandsp_tarball" "$work/spandsp"
( cd "$work/spandsp" && ./bootstrap.sh && ./configure --prefix="$prefix" --disable-static \
  && make -j"$jobs" && make install ) >"$work/spandsp.log" 2>&1 || fail_with_log "$work/spandsp.log"
keep_config_logs spandsp
verify_optimised "$prefix/lib/libspandsp.so"

step "FreeSWITCH (-O2)"
unpack "$freeswitch_tarball" "$work/freeswitch"
cd "$work/freeswitch"
# As in scripts/build-freeswitch.sh: the pinned library commits report 1.13.17 and
# 3.0.0, and the FreeSWITCH commits that raised these checks changed only the checks.
sed -i 's/sofia-sip-ua >= 1.13.18/sofia-sip-ua >= 1.13.17/; s/spandsp >= 3.1.1/spandsp >= 3.0.0/' configure.ac
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
keep_config_logs freeswitch
verify_optimised "$prefix/lib/libfreeswitch.so" "$prefix/lib/freeswitch/mod/mod_sofia.so" \
  "$prefix/lib/freeswitch/mod/mod_spandsp.so"

finish_work "$work" "$prefix"
echo "$prefix"
