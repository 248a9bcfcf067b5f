#!/usr/bin/env bash
# tools/setup-lua.sh -- native Lua 5.1 interpreters for the test host.
#
# Builds, into .cache/lua/ of this checkout:
#   float/bin/lua5.1    Lua 5.1 with single-precision numbers, like the engine
#                       (Recoil): built from Debian's lua5.1 source package with
#                       tools/lua/lua5.1-float.patch + tools/lua/lfloatfmt.c,
#                       with LuaSocket (Debian's lua-socket source) and the
#                       hostclock module compiled against the float headers.
#   double/bin/lua5.1   Debian's stock /usr/bin/lua5.1 with the system LuaSocket
#                       and a double build of hostclock.
# Both are wrapper scripts that find their modules relative to themselves, so
# the cache works in any checkout. See tools/lua/*.c for what each part does.
#
# Usage: bash tools/setup-lua.sh [--force] [--check]
#   (no option)  build if the cache is missing or stale, then self-check;
#                if the cache is up to date, only say so (no network needed)
#   --force      rebuild even if the cache is up to date
#   --check      only run the self-check against the existing cache
#
# Needs Debian (tested on bookworm) or Ubuntu (and so WSL); installs packages with apt-get when run as root,
# otherwise prints the command to run. Safe to run twice or concurrently.

set -euo pipefail

SCRIPT_PATH=$(readlink -f -- "${BASH_SOURCE[0]}")
TOOLS_DIR=$(dirname -- "$SCRIPT_PATH")
REPO_ROOT=$(dirname -- "$TOOLS_DIR")
LUA_SRC_DIR=$TOOLS_DIR/lua
CACHE=$REPO_ROOT/.cache/lua   # everything this script writes in the checkout
STAMP=$CACHE/stamp

# Debian packages: interpreter, its headers (for the double hostclock), the
# system LuaSocket, a compiler, dpkg-dev for `apt-get source`, and the two JSON
# encoders the widget's own is benchmarked against (`npm run bench:json`; only
# read by the benchmark, never part of the widget).
PACKAGES=(lua5.1 liblua5.1-0-dev lua-socket build-essential dpkg-dev patch xz-utils lua-dkjson lua-cjson)
DEB_SRC_FILE=/etc/apt/sources.list.d/bar-lua-deb-src.sources

FORCE=0
CHECK_ONLY=0
for arg in "$@"; do
  case $arg in
    --force) FORCE=1 ;;
    --check) CHECK_ONLY=1 ;;
    -h | --help) sed -n '2,23p' "$SCRIPT_PATH" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "setup-lua: unknown option: $arg (try --help)" >&2; exit 2 ;;
  esac
done

log() { printf '[setup-lua] %s\n' "$*"; }
die() { printf '[setup-lua] ERROR: %s\n' "$*" >&2; exit 1; }

START_SECONDS=$SECONDS

# --- cache key ----------------------------------------------------------------
# Hash of this script, every file in tools/lua/ (names and contents) and the
# installed versions of the Debian packages the build uses. Local and fast.
inputs_hash() {
  {
    echo "script $(sha256sum < "$SCRIPT_PATH")"
    (cd "$LUA_SRC_DIR" && find . -type f -print0 | LC_ALL=C sort -z |
      xargs -0 sha256sum)
    dpkg-query -W -f='${Package} ${Version} ${Status}\n' "${PACKAGES[@]}" 2>/dev/null || true
  } | sha256sum | cut -d' ' -f1
}

OUTPUTS=(
  float/bin/lua5.1 float/bin/lua5.1-float-real
  float/lib/lua/5.1/socket/core.so float/lib/lua/5.1/mime/core.so
  float/lib/lua/5.1/hostclock.so float/share/lua/5.1/socket.lua
  double/bin/lua5.1 double/lib/lua/5.1/hostclock.so
)

cache_is_current() {
  [[ -f $STAMP ]] || return 1
  [[ $(cat "$STAMP") == "$1" ]] || return 1
  local f
  for f in "${OUTPUTS[@]}"; do
    [[ -e $CACHE/$f ]] || return 1
  done
  return 0
}

run_selfcheck() {  # $1 = cache dir
  local flavour
  for flavour in float double; do
    if ! "$1/$flavour/bin/lua5.1" "$LUA_SRC_DIR/selfcheck.lua" "$flavour"; then
      die "self-check of the $flavour interpreter failed (see above)"
    fi
  done
}

if [[ $CHECK_ONLY == 1 ]]; then
  [[ -x $CACHE/float/bin/lua5.1 && -x $CACHE/double/bin/lua5.1 ]] ||
    die "no cache at $CACHE: run bash tools/setup-lua.sh first"
  run_selfcheck "$CACHE"
  exit 0
fi

# One build at a time per checkout (parallel CI jobs, two terminals).
mkdir -p "$CACHE"
exec 9> "$CACHE/.lock"
flock 9

HASH=$(inputs_hash)
if [[ $FORCE == 0 ]] && cache_is_current "$HASH"; then
  log "cache is up to date: $CACHE (float: $CACHE/float/bin/lua5.1, double: $CACHE/double/bin/lua5.1)"
  exit 0
fi

# --- packages and deb-src entry ---------------------------------------------------
if ! command -v dpkg-query > /dev/null || ! command -v apt-get > /dev/null; then
  die "this script needs a Debian or Ubuntu system (dpkg and apt-get), e.g. WSL on Windows"
fi
IS_ROOT=0
[[ $(id -u) == 0 ]] && IS_ROOT=1
export DEBIAN_FRONTEND=noninteractive

missing_packages() {
  local p
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2> /dev/null | grep -q 'install ok installed' ||
      printf '%s\n' "$p"
  done
}

# apt-get source needs a deb-src entry (and its index from apt-get update).
have_sources() { apt-cache showsrc lua5.1 2> /dev/null | grep -q '^Package: lua5.1$'; }

# Writes $DEB_SRC_FILE: the Debian (or Ubuntu, hence WSL) entries of this machine's
# apt sources with Types: deb-src. Regenerated from scratch each time, so it is
# idempotent.
write_deb_src_entry() {
  local tmp deb822=""
  tmp=$(mktemp)
  for f in /etc/apt/sources.list.d/debian.sources /etc/apt/sources.list.d/ubuntu.sources; do
    [[ -f $f ]] && deb822=$f && break
  done
  if [[ -n $deb822 ]]; then
    # deb822: copy every stanza that has a "deb" type, as deb-src
    awk 'BEGIN { RS = ""; ORS = "\n\n" }
         /(^|\n)Types:[^\n]*(^|[ \t])deb([ \t]|\n|$)/ {
           s = $0
           gsub(/(^|\n)Types:[^\n]*/, "\nTypes: deb-src", s)
           sub(/^\n/, "", s)
           print s
         }' "$deb822" > "$tmp"
  elif [[ -f /etc/apt/sources.list ]]; then
    # one-line format: deb [options] uri suite components...
    awk '$1 == "deb" && $0 ~ /debian|ubuntu/ {
           printf "Types: deb-src\n"
           i = 2
           if ($2 ~ /^\[/) {  # [option=value ...]: keep signed-by
             for (; i <= NF; i++) {
               opt = $i; gsub(/[][]/, "", opt)
               if (opt ~ /^signed-by=/) { sub(/^signed-by=/, "", opt); printf "Signed-By: %s\n", opt }
               if ($i ~ /\]$/) break
             }
             i++
           }
           printf "URIs: %s\nSuites: %s\nComponents:", $i, $(i + 1)
           for (j = i + 2; j <= NF; j++) printf " %s", $j
           printf "\n\n"
         }' /etc/apt/sources.list > "$tmp"
  fi
  if ! grep -q '^Types: deb-src' "$tmp"; then
    rm -f "$tmp"
    die "found no Debian or Ubuntu entry in /etc/apt/sources.list.d/{debian,ubuntu}.sources or /etc/apt/sources.list to derive a deb-src entry from"
  fi
  {
    echo "# Written by bar-live-data-export tools/setup-lua.sh: source packages"
    echo "# for apt-get source lua5.1 lua-socket. Safe to delete."
    echo
    cat "$tmp"
  } > "$DEB_SRC_FILE"
  chmod 644 "$DEB_SRC_FILE"
  rm -f "$tmp"
}

mapfile -t MISSING < <(missing_packages)
NEED_SOURCES=0
have_sources || NEED_SOURCES=1

if [[ $IS_ROOT == 0 ]] && ((${#MISSING[@]} > 0 || NEED_SOURCES)); then
  echo "setup-lua: not root, and the system is not ready:" >&2
  if ((${#MISSING[@]} > 0)); then
    echo "  missing Debian packages: ${MISSING[*]}; install them with:" >&2
    echo "    sudo apt-get update && sudo apt-get install -y --no-install-recommends ${MISSING[*]}" >&2
  fi
  if ((NEED_SOURCES)); then
    echo "  apt has no deb-src entry, so 'apt-get source lua5.1' cannot work; either" >&2
    echo "    run this script once as root (sudo bash tools/setup-lua.sh), or" >&2
    echo "    add deb-src to 'Types:' in /etc/apt/sources.list.d/debian.sources, then sudo apt-get update" >&2
  fi
  exit 1
fi

if ((${#MISSING[@]} > 0 || NEED_SOURCES)); then
  if ((NEED_SOURCES)); then
    log "adding a deb-src entry: $DEB_SRC_FILE"
    write_deb_src_entry
  fi
  log "apt-get update"  # once: covers both the install and the new deb-src entry
  apt-get update -qq || die "apt-get update failed"
  if ((${#MISSING[@]} > 0)); then
    log "apt-get install ${MISSING[*]}"
    apt_log=$(mktemp)
    if ! apt-get install -y -qq --no-install-recommends "${MISSING[@]}" > "$apt_log" 2>&1; then
      cat "$apt_log" >&2
      die "apt-get install ${MISSING[*]} failed (output above)"
    fi
    rm -f "$apt_log"
    HASH=$(inputs_hash)  # package versions are part of the cache key
  fi
  have_sources || die "apt finds no source package for lua5.1 (deb-src entry: $DEB_SRC_FILE)"
fi

# --- build ------------------------------------------------------------------------
rm -rf "$CACHE"/.build.*  # left by an interrupted run (we hold the lock)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/setup-lua.XXXXXX")
STAGE=$(mktemp -d "$CACHE/.build.XXXXXX")
cleanup() { rm -rf "$WORK" "$STAGE"; }
trap cleanup EXIT

log "building in $WORK"

# Fetches and unpacks a Debian source package into $WORK; prints the directory.
# If the Debian part (debian.tar.xz) cannot be downloaded (seen on some
# mirrors for luasocket), falls back to the upstream tarball that apt did
# download and verify, after checking it against the .dsc's SHA-256.
first_match() {  # first name in $WORK matching the glob $1, or nothing
  (cd "$WORK" && compgen -G "$1" | head -n1) || true
}

fetch_source() {  # $1 = package name, $2 = glob of the unpacked directory
  local pkg=$1 glob=$2 dir dsc orig want got
  for _ in 1 2; do
    if (cd "$WORK" && apt-get -qq "${APT_SOURCE_OPTS[@]}" source "$pkg" > "$WORK/apt-source-$pkg.log" 2>&1); then
      break
    fi
  done
  dir=$(first_match "$glob")
  if [[ -n $dir && -d $WORK/$dir ]]; then
    echo "$WORK/$dir"
    return 0
  fi
  dsc=$(grep -l "^Binary:.*\b$pkg\b" "$WORK"/*.dsc 2> /dev/null | head -n1 || true)
  dsc=${dsc##*/}
  orig=$(first_match "${dsc%%_*}_*.orig.tar.*")
  if [[ -z $dsc || -z $orig ]]; then
    cat "$WORK/apt-source-$pkg.log" >&2
    die "apt-get source $pkg failed (log above)"
  fi
  want=$(awk -v f="$orig" '/^Checksums-Sha256:/ { on = 1; next } /^[^ ]/ { on = 0 }
                           on && $3 == f { print $1 }' "$WORK/$dsc")
  got=$(sha256sum "$WORK/$orig" | cut -d' ' -f1)
  [[ -n $want && $want == "$got" ]] || die "checksum of $orig does not match $dsc"
  echo "[setup-lua] note: Debian's packaging files for $pkg could not be fetched; using the verified upstream tarball $orig" >&2
  tar -xf "$WORK/$orig" -C "$WORK"
  dir=$(first_match "$glob")
  [[ -n $dir ]] || die "unpacking $orig gave no $glob directory"
  echo "$WORK/$dir"
}

# As root, apt would try to download as user _apt, which cannot write to
# our private temp dir (harmless but noisy warning).
APT_SOURCE_OPTS=()
[[ $IS_ROOT == 1 ]] && APT_SOURCE_OPTS=(-o APT::Sandbox::User=root)

log "apt-get source lua5.1"
LUA_DIR=$(fetch_source lua5.1 'lua5.1-5.1*')
log "apt-get source lua-socket"
SOCKET_DIR=$(fetch_source lua-socket 'luasocket-*')

CC=${CC:-gcc}
# Upstream sources (Lua, LuaSocket) build without -Wall: their old warnings
# are noise here. Our own C files get -Wall -Wextra.
CFLAGS_COMMON=(-O2 -g0 -std=gnu99 -fno-fast-math)
CFLAGS_OURS=(-Wall -Wextra)

# Float Lua: Debian's tree (with Debian's patches) + our patch + formatter.
log "building float Lua 5.1 from $(basename "$LUA_DIR")"
patch -d "$LUA_DIR" -p1 --forward --no-backup-if-mismatch --quiet < "$LUA_SRC_DIR/lua5.1-float.patch" ||
  die "tools/lua/lua5.1-float.patch does not apply to $(basename "$LUA_DIR")"
cp "$LUA_SRC_DIR/lfloatfmt.c" "$LUA_DIR/src/"
LUA_C_FILES=(lapi lcode ldebug ldo ldump lfunc lgc llex lmem lobject lopcodes
  lparser lstate lstring ltable ltm lundump lvm lzio lauxlib lbaselib ldblib
  liolib lmathlib loslib ltablib lstrlib loadlib linit lua)
mkdir -p "$STAGE/float/bin" "$STAGE/float/include" \
  "$STAGE/float/lib/lua/5.1/socket" "$STAGE/float/lib/lua/5.1/mime" \
  "$STAGE/float/share/lua/5.1/socket" "$STAGE/double/bin" "$STAGE/double/lib/lua/5.1"
# LUA_USE_POSIX + LUA_USE_DLOPEN = LUA_USE_LINUX without readline;
# -Wl,-E exports the API so that require()d C modules link against it.
(cd "$LUA_DIR/src" &&
  "$CC" "${CFLAGS_COMMON[@]}" "${CFLAGS_OURS[@]}" -c -o lfloatfmt.o lfloatfmt.c &&
  "$CC" "${CFLAGS_COMMON[@]}" -DLUA_USE_POSIX -DLUA_USE_DLOPEN \
    -o "$STAGE/float/bin/lua5.1-float-real" "${LUA_C_FILES[@]/%/.c}" lfloatfmt.o -Wl,-E -lm -ldl) ||
  die "compiling the float interpreter failed"
cp "$LUA_DIR"/src/{lua.h,luaconf.h,lualib.h,lauxlib.h} "$LUA_DIR/etc/lua.hpp" "$STAGE/float/include/"

# LuaSocket core modules against the float headers.
log "building LuaSocket $(basename "$SOCKET_DIR") for float Lua"
SOCKET_C_FILES=(luasocket timeout buffer io auxiliar compat options inet usocket
  except select tcp udp)
(cd "$SOCKET_DIR/src" &&
  "$CC" "${CFLAGS_COMMON[@]}" -fPIC -shared -DLUASOCKET_NODEBUG -I"$STAGE/float/include" \
    -o "$STAGE/float/lib/lua/5.1/socket/core.so" "${SOCKET_C_FILES[@]/%/.c}" &&
  "$CC" "${CFLAGS_COMMON[@]}" -fPIC -shared -DLUASOCKET_NODEBUG -I"$STAGE/float/include" \
    -o "$STAGE/float/lib/lua/5.1/mime/core.so" mime.c compat.c) ||
  die "compiling LuaSocket failed"
cp "$SOCKET_DIR"/src/{socket.lua,ltn12.lua,mime.lua} "$STAGE/float/share/lua/5.1/"
cp "$SOCKET_DIR"/src/{http.lua,url.lua,tp.lua,ftp.lua,headers.lua,smtp.lua} "$STAGE/float/share/lua/5.1/socket/"

# hostclock, once per number type.
log "building hostclock (float and double)"
"$CC" "${CFLAGS_COMMON[@]}" "${CFLAGS_OURS[@]}" -fPIC -shared -I"$STAGE/float/include" \
  -o "$STAGE/float/lib/lua/5.1/hostclock.so" "$LUA_SRC_DIR/hostclock.c" ||
  die "compiling hostclock (float) failed"
[[ -f /usr/include/lua5.1/lua.h ]] || die "/usr/include/lua5.1/lua.h missing (liblua5.1-0-dev)"
"$CC" "${CFLAGS_COMMON[@]}" "${CFLAGS_OURS[@]}" -fPIC -shared -I/usr/include/lua5.1 \
  -o "$STAGE/double/lib/lua/5.1/hostclock.so" "$LUA_SRC_DIR/hostclock.c" ||
  die "compiling hostclock (double) failed"

# Wrappers: resolve their own location (symlinks too) and set the module paths.
cat > "$STAGE/float/bin/lua5.1" << 'EOF'
#!/bin/sh
# Float Lua 5.1 (numbers like the Recoil engine), made by tools/setup-lua.sh.
# Modules: only this cache's float builds (LuaSocket, hostclock) and ./?.lua;
# never the system's double-built ones. Extend package.path from Lua if needed.
here=$(dirname "$(readlink -f "$0")")
root=$(dirname "$here")
LUA_PATH="./?.lua;$root/share/lua/5.1/?.lua;$root/share/lua/5.1/?/init.lua"
LUA_CPATH="$root/lib/lua/5.1/?.so"
export LUA_PATH LUA_CPATH
exec "$here/lua5.1-float-real" "$@"
EOF
cat > "$STAGE/double/bin/lua5.1" << 'EOF'
#!/bin/sh
# Debian's stock (double) Lua 5.1 plus this cache's hostclock, made by
# tools/setup-lua.sh. LuaSocket comes from the system (Debian's default paths).
here=$(dirname "$(readlink -f "$0")")
root=$(dirname "$here")
unset LUA_PATH
LUA_CPATH="$root/lib/lua/5.1/?.so;;"
export LUA_CPATH
exec /usr/bin/lua5.1 "$@"
EOF
chmod 755 "$STAGE/float/bin/lua5.1" "$STAGE/double/bin/lua5.1"

# --- install and verify ---------------------------------------------------------------
# Under the lock; the stamp is written last, so an interrupted run is rebuilt.
rm -rf "$STAMP" "$CACHE/float" "$CACHE/double"
mv "$STAGE/float" "$STAGE/double" "$CACHE/"

log "self-check"
run_selfcheck "$CACHE"
echo "$HASH" > "$STAMP"

log "done in $((SECONDS - START_SECONDS)) s"
log "float interpreter:  $CACHE/float/bin/lua5.1"
log "double interpreter: $CACHE/double/bin/lua5.1"
