#!/usr/bin/env bash
# Builds kvstore for Windows on this Debian machine and runs its test suite under Wine:
#   1. installs the mingw-w64 cross compiler, wine64, dpkg-dev (dpkg-source) and the autotools
#      (libsodium's configure is generated) through tools/install-deps.sh;
#   2. fetches Debian's source packages of the dependencies with apt's source download (a deb-src
#      entry derived at run time from the machine's own apt sources, in a private apt state) and
#      builds them for Windows into <build>/prefix: SQLiteCpp with the SQLite amalgamation its
#      source carries, libsodium (the CLI's base64); the header-only ones (nlohmann-json, Catch2,
#      CLI11, kainjow mustache) are copied from the installed Debian -dev packages;
#   3. cross-builds the library, kvstore.exe and kvstore_tests.exe (cmake/toolchains/mingw-w64.cmake);
#   4. runs kvstore_tests.exe under Wine (WINEPREFIX in the build directory), without the cases
#      tagged [posix] (listed, with why, before the run), and prints the counts.
# Usage: tools/windows-build.sh [build-dir]   (default: build-windows; dependencies built once
# there are kept, so a second run only rebuilds kvstore). An argument after the build
# directory: a test spec for the test binary ("[storage]").
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=$(mkdir -p "${1:-$root/build-windows}" && cd "${1:-$root/build-windows}" && pwd)
shift $(($# > 0 ? 1 : 0))
prefix=$build/prefix
sources=$build/sources
toolchain=$root/cmake/toolchains/mingw-w64.cmake
started=$SECONDS

"$root/tools/install-deps.sh" g++-mingw-w64-x86-64-posix wine64 dpkg-dev autoconf automake libtool

# apt's source download, with deb-src entries made from this machine's deb entries (deb822
# .sources files and one-line .list files), in a state and cache of our own: the system's apt
# configuration is read, never changed.
apt_dir=$build/apt
apt_options=(
  -o Dir::Etc::sourcelist="$apt_dir/sources.list"
  -o Dir::Etc::sourceparts="$apt_dir/sources.list.d"
  -o Dir::State::Lists="$apt_dir/lists"
  -o Dir::Cache="$apt_dir/cache"
  -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache=
)
fetch_sources() {
  mkdir -p "$apt_dir/sources.list.d" "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
  : >"$apt_dir/sources.list"
  for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$file" ] && sed -n 's/^deb \(.*\)/deb-src \1/p' "$file" >>"$apt_dir/sources.list"
  done
  for file in /etc/apt/sources.list.d/*.sources; do
    [ -f "$file" ] && sed 's/^Types:.*/Types: deb-src/' "$file" \
      >"$apt_dir/sources.list.d/$(basename "$file")"
  done
  apt-get "${apt_options[@]}" update -qq
  mkdir -p "$sources"
  (cd "$sources" && apt-get "${apt_options[@]}" source --download-only -qq "$@")
}

# The unpacked source of a Debian source package, with Debian's patches applied.
unpacked() {
  local dsc
  dsc=$(ls "$sources"/"$1"_*.dsc | head -n 1)
  if [ ! -d "$sources/$1" ]; then
    dpkg-source --no-check -x "$dsc" "$sources/$1" >/dev/null
  fi
  echo "$sources/$1"
}

# Each dependency is built once per build directory (a stamp in the prefix says it is there).
built_once() {
  [ -f "$prefix/.built-$1" ] && return 0
  echo "windows-build: $1 for Windows"
  "build_$1"
  touch "$prefix/.built-$1"
}

build_sqlitecpp() {
  local source
  source=$(unpacked sqlitecpp)
  cmake -S "$source" -B "$build/sqlitecpp" -DCMAKE_TOOLCHAIN_FILE="$toolchain" \
    -DKVSTORE_WINDOWS_PREFIX="$prefix" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_INSTALL_PREFIX="$prefix" -DSQLITECPP_INTERNAL_SQLITE=ON \
    -DSQLITECPP_RUN_CPPLINT=OFF -DSQLITECPP_RUN_CPPCHECK=OFF -DSQLITECPP_BUILD_TESTS=OFF \
    -DSQLITECPP_BUILD_EXAMPLES=OFF >/dev/null
  cmake --build "$build/sqlitecpp" -j1 >/dev/null 2>&1
  cmake --install "$build/sqlitecpp" >/dev/null
}

# Debian's libsodium source is a git snapshot: its configure is generated first.
build_libsodium() {
  local source
  source=$(unpacked libsodium)
  (cd "$source" && autoreconf -fi >/dev/null 2>&1 &&
    ./configure -q --host=x86_64-w64-mingw32 --prefix="$prefix" --disable-shared \
      --enable-static --enable-minimal CC=x86_64-w64-mingw32-gcc-posix >/dev/null &&
    make -s -j1 >/dev/null 2>&1 && make -s install >/dev/null)
}

build_headers() {
  mkdir -p "$prefix/include" "$prefix/share/cmake" "$prefix/lib/cmake/Catch2"
  cp -r /usr/include/nlohmann /usr/include/catch2 /usr/include/CLI /usr/include/kainjow \
    "$prefix/include/"
  cp -r /usr/share/cmake/nlohmann_json /usr/share/cmake/CLI11 "$prefix/share/cmake/"
  # Catch2's package without its prebuilt Linux main (the suite has its own main).
  cp /usr/lib/cmake/Catch2/{Catch2Config,Catch2ConfigVersion,Catch2Targets,Catch,CatchAddTests}.cmake \
    "$prefix/lib/cmake/Catch2/"
}

mkdir -p "$prefix"
if [ ! -f "$prefix/.built-sqlitecpp" ] || [ ! -f "$prefix/.built-libsodium" ]; then
  fetch_sources sqlitecpp libsodium
fi
built_once sqlitecpp
built_once libsodium
built_once headers

echo "windows-build: kvstore for Windows"
# Wine runs the schema generator during the build, and the tests after it.
export WINEPREFIX=$build/wine WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
PKG_CONFIG_LIBDIR=$prefix/lib/pkgconfig cmake -S "$root" -B "$build/kvstore" \
  -DCMAKE_TOOLCHAIN_FILE="$toolchain" \
  -DKVSTORE_WINDOWS_PREFIX="$prefix" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CXX_FLAGS=-DSODIUM_STATIC -DPKG_CONFIG_EXECUTABLE="$(command -v pkg-config)" \
  -DKVSTORE_BUILD_BENCH=OFF -DKVSTORE_BUILD_EXAMPLES=OFF >/dev/null
if ! cmake --build "$build/kvstore" -j1 --target kvstore-cli kvstore_tests >"$build/kvstore.log" 2>&1; then
  grep -B2 -A12 -m3 "error" "$build/kvstore.log" || tail -n 40 "$build/kvstore.log"
  exit 1
fi
built=$SECONDS

echo "windows-build: built $build/kvstore/tools/kvstore.exe and $build/kvstore/tests/kvstore_tests.exe"
wine64=$(command -v wine64 || echo /usr/lib/wine/wine64)  # Debian's wine64 package puts it there
tests=$build/kvstore/tests/kvstore_tests.exe
echo "windows-build: test files not built for Windows (tests/windows.cmake), with why:"
sed -n 's/^  "\(.*\)|\(.*\)")\{0,1\}$/    tests\/\1: \2/p' "$root/tests/windows.cmake"
echo "windows-build: skipped under Wine (the [posix] cases, with why):"
# Catch2 exits with the number of cases listed, or failed: the log decides, not the status.
{ "$wine64" "$tests" --list-tests "[posix]" 2>/dev/null || true; } | tr -d '\r' |
  sed -n 's/^  \(.*\)/    \1/p'
# One spec (Catch2 ORs separate arguments): the cases asked for, less [posix] and hidden ones.
{ "$wine64" "$tests" "${1:-}~[posix]~[.]" 2>&1 || true; } | tr -d '\r' |
  tee "$build/wine-tests.log" | tail -n 4
skipped=$({ "$wine64" "$tests" --list-test-names-only "[posix]" 2>/dev/null || true; } |
  tr -d '\r' | grep -c . || true)
echo "windows-build: $skipped cases skipped ([posix]); build $((built - started)) s, tests $((SECONDS - built)) s"
grep -q "All tests passed" "$build/wine-tests.log"
