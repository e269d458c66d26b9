# Shared by build-freeswitch.sh and build-drachtio.sh: where the pinned tarballs are,
# the cache folder a build goes into, Debian packages, and progress on stderr.
# Sourced, not run.

vendor="${TENOR_VENDOR:-$(cd "$here/.." && pwd)/../shared/vendor}"
cache_root="${TENOR_ENGINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tenor/engines}"

step() { echo "== $(date +%H:%M:%S) building $1" >&2; }

# Exit 3 (the callers' "sources not found") unless every named tarball is there
# and matches SHA256SUMS.
find_vendor() {
  local tarball
  for tarball in "$@"; do
    if [ ! -f "$vendor/$tarball" ]; then
      echo "sources not found: $vendor/$tarball (set TENOR_VENDOR to the folder holding the pinned tarballs)" >&2
      exit 3
    fi
  done
  (cd "$vendor" && grep -F -e "$(printf '%s\n' "$@")" SHA256SUMS | sha256sum --check --quiet --strict) >&2 || {
    echo "checksum mismatch in $vendor: refusing to build from altered sources" >&2
    exit 1
  }
}

# The cache folder for an engine: named by the checksums of its tarballs and of the
# recipe (the calling script and this file), so any change builds into a new folder.
cache_folder() {
  local engine="$1" recipe="$2"; shift 2
  local key
  key="$( { (cd "$vendor" && grep -F -e "$(printf '%s\n' "$@")" SHA256SUMS | sort); sha256sum "$recipe" "$here/engine-build-common.sh" | cut -d' ' -f1; } | sha256sum | cut -c1-16)"
  echo "$cache_root/$engine-$key"
}

# Install what is missing with apt-get when we are root on Debian; otherwise say
# exactly what to install and stop.
ensure_debian_packages() {
  local missing=() package
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "== installing build packages: ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >&2 || {
      echo "apt-get could not install: ${missing[*]}" >&2
      exit 1
    }
    return 0
  fi
  echo "Building needs these Debian packages, which are missing: ${missing[*]}" >&2
  echo "Install them as root:  apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
}

# A lock keeps two test runs from building the same engine at once: the second
# waits, then finds the build done and prints its prefix. Run in the main shell.
lock_build() {
  mkdir -p "$cache_root"
  exec 9>"$cache_root/$1.lock"
  flock 9
  if [ -f "$prefix/.complete" ]; then echo "$prefix"; exit 0; fi
  rm -rf "$prefix"
}

unpack() {
  mkdir -p "$2"
  tar -xJf "$vendor/$1" -C "$2" --strip-components=1
}

fail_with_log() {
  echo "build failed; the last lines of $1:" >&2
  tail -n 40 "$1" >&2
  exit 1
}

finish_work() {
  touch "$2/.complete"
  rm -rf "$1"
}
