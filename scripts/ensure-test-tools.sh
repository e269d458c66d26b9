#!/usr/bin/env bash
# The tests drive real peers: SIPp and baresip for SIP and RTP, sox and espeak-ng
# for audio, tcpdump to see what went over the wire, Chromium for the web client.
# Install them with apt-get when we can (root on Debian), otherwise say what to install.
set -uo pipefail

declare -A package_of=(
  [sipp]=sip-tester
  [baresip]=baresip-core
  [sox]=sox
  [espeak-ng]=espeak-ng
  [tcpdump]=tcpdump
  [chromium]=chromium
  [rtpengine]=rtpengine-daemon
  [kamailio]=kamailio
  [iptables]=iptables
)
missing_packages=()
for tool in "${!package_of[@]}"; do
  command -v "$tool" >/dev/null 2>&1 || missing_packages+=("${package_of[$tool]}")
done
# sox needs its format plug-ins to read and write WAV and raw u-law.
if command -v sox >/dev/null 2>&1 && ! sox -h 2>/dev/null | grep -q 'ul '; then missing_packages+=(libsox-fmt-all); fi

if [ ${#missing_packages[@]} -eq 0 ]; then
  echo "== test tools present: ${!package_of[*]}"
  exit 0
fi

missing_packages+=(libsox-fmt-all)
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "== installing test tools: ${missing_packages[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing_packages[@]}" >/dev/null || {
    echo "apt-get could not install: ${missing_packages[*]}" >&2
    exit 1
  }
  exit 0
fi

echo "The test suite needs these Debian packages, which are missing: ${missing_packages[*]}" >&2
echo "Install them as root:  apt-get install -y --no-install-recommends ${missing_packages[*]}" >&2
exit 1
