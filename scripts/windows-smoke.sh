#!/usr/bin/env bash
# The Windows binary, run under Wine on the committed fixtures: the scan's findings.csv is the
# Linux binary's byte for byte; export-list, apply-corrections (on lists filled by
# examples/fill_lists.rs) and report work; a folder and file named with Vietnamese letters and
# spaces; the exit codes (0, 1 for --fail-on, 2 for a missing file or a bad argument); the help in
# Vietnamese; an output held open (as Excel does) refused with the sentence that says to close it;
# the progress bar on a terminal.
#
# Usage: scripts/windows-smoke.sh            (CI: .ci/run)
# Needs the Rust target x86_64-pc-windows-gnu, mingw-w64 (x86_64-w64-mingw32-gcc) and Wine 8+;
# without them, or when Wine cannot run a one-line Windows program (a full disk), it says so in one
# line and exits 0. PROFILE (default dist, what is shipped) is the cargo profile
# of the Windows build (WIN_EXE: an .exe already built instead); LINUX_BIN the Linux binary to
# compare with (default: built, release).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
TARGET=x86_64-pc-windows-gnu
PROFILE=${PROFILE:-dist}
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}

WINE=$(command -v wine64 || command -v wine || true)
[ -z "$WINE" ] && [ -x /usr/lib/wine/wine64 ] && WINE=/usr/lib/wine/wine64
if ! rustup target list --installed 2>/dev/null | grep -qx "$TARGET" \
    || ! command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1 || [ -z "$WINE" ]; then
  echo "windows-smoke: skipped: needs the Rust target $TARGET, x86_64-w64-mingw32-gcc and wine"
  exit 0
fi

start=$(date +%s)
if [ -n "${WIN_EXE:-}" ]; then
  EXE=$WIN_EXE
else
  cargo build --locked -q --profile "$PROFILE" --target "$TARGET"
  dir=$PROFILE
  [ "$PROFILE" = dev ] && dir=debug
  EXE=$TARGET_DIR/$TARGET/$dir/vaxclean.exe
fi
if [ -z "${LINUX_BIN:-}" ]; then
  cargo build --locked -q --release
  LINUX_BIN=$TARGET_DIR/release/vaxclean
fi
LINUX_BIN=$(realpath "$LINUX_BIN")
EXE=$(realpath "$EXE")
cargo build --locked -q --example fill_lists
FILL=$TARGET_DIR/debug/examples/fill_lists
built=$(date +%s)

T=$(mktemp -d "${TMPDIR:-/tmp}/vaxclean-win.XXXXXX")
HOLDER_PID=
cleanup() {
  [ -n "$HOLDER_PID" ] && kill "$HOLDER_PID" 2>/dev/null || true
  WINEPREFIX=$WINEPREFIX wineserver -k 2>/dev/null || true
  rm -rf "$T"
}
trap cleanup EXIT

# Wine's own state (a prefix, ~700 MB) lives in the temporary folder and goes with it: a prefix
# half written on a full disk is never reused, and CI's later steps get the space back.
export WINEPREFIX=$T/wine-prefix
export WINEDEBUG=-all
# Wine reads the command line in the locale's encoding: Vietnamese letters need UTF-8.
export LANG=C.UTF-8 LC_ALL=C.UTF-8
# No Mono or Gecko install prompts; our bcryptprimitives.dll (beside the exe) before Wine's.
export WINEDLLOVERRIDES="mscoree,mshtml=;bcryptprimitives=n,b"

# Wine 8's bcryptprimitives.dll lacks ProcessPrng, which Rust's standard library calls for
# random numbers (Windows 10 and 11 have it): a shim that asks RtlGenRandom, for this test only.
cat >"$T/prng.c" <<'C'
#include <windows.h>
#include <ntsecapi.h>
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
  while (len > 0) {
    ULONG n = len > 0x10000000 ? 0x10000000 : (ULONG)len;
    if (!RtlGenRandom(data, n)) return FALSE;
    data += n; len -= n;
  }
  return TRUE;
}
C
# A program that opens a file with no sharing and keeps it open, as Excel does a workbook.
cat >"$T/hold.c" <<'C'
#include <windows.h>
#include <stdio.h>
int wmain(int argc, wchar_t **argv) {
  if (argc < 3) return 2;
  HANDLE h = CreateFileW(argv[1], GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
  if (h == INVALID_HANDLE_VALUE) return 1;
  HANDLE r = CreateFileW(argv[2], GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
  CloseHandle(r);
  Sleep(60000);
  return 0;
}
C
# A one-line program: whether Wine itself runs here, before anything of ours is tried.
cat >"$T/hello.c" <<'C'
#include <stdio.h>
int main(void) { puts("hello"); return 0; }
C
BIN=$T/bin
mkdir -p "$BIN"
cp "$EXE" "$BIN/vaxclean.exe"
x86_64-w64-mingw32-gcc -O2 -shared -o "$BIN/bcryptprimitives.dll" "$T/prng.c" -ladvapi32
x86_64-w64-mingw32-gcc -O2 -municode -o "$BIN/hold.exe" "$T/hold.c"
x86_64-w64-mingw32-gcc -O2 -o "$T/hello.exe" "$T/hello.c"

# Wine makes its prefix on first use. On a disk that fills up meanwhile it leaves one without
# kernel32.dll and every program then fails ("could not load kernel32.dll, status c0000135"):
# that says nothing of vaxclean, so the test skips in one line naming the cause and the free space.
# Tried twice (the second time on a new prefix); a program of ours is only run once Wine works.
wine_works() {
  "$WINE" "$T/hello.exe" >"$T/hello.out" 2>"$T/hello.err" && grep -q hello "$T/hello.out"
}
if ! wine_works; then
  wineserver -k 2>/dev/null || true
  rm -rf "$WINEPREFIX"
  if ! wine_works; then
    why=$(grep -v -e syswow64 -e configuration "$T/hello.err" | grep . | tail -1 || true)
    free=$(df -Ph "$T" | awk 'NR == 2 { print $4 }')
    echo "windows-smoke: skipped: Wine cannot run even a one-line Windows program here" \
      "(${why:-no message}; $free free under $T)"
    exit 0
  fi
fi

fail() {
  echo "windows-smoke: FAILED: $*" >&2
  exit 1
}
# Runs the Windows binary; its exit code is in $rc, its output in $T/out and $T/err.
win() {
  set +e
  "$WINE" "$BIN/vaxclean.exe" "$@" >"$T/out" 2>"$T/err"
  rc=$?
  set -e
}
expect() {
  [ "$rc" = "$1" ] || { cat "$T/err" >&2; fail "$2: exit code $rc, expected $1"; }
}

# 1. The scan: the same findings.csv as on Linux (the same relative paths, from the root).
mkdir -p "$T/linux"
"$LINUX_BIN" scan fixtures/sample.csv fixtures/sample.xlsx --out "$T/linux/scan" -q
win scan fixtures/sample.csv fixtures/sample.xlsx --out "$T/scan"
expect 0 "scan"
grep -q "Đã quét 2 tệp" "$T/out" || fail "scan: no Vietnamese summary on stdout: $(head -3 "$T/out")"
cmp "$T/linux/scan/findings.csv" "$T/scan/findings.csv" || fail "findings.csv differs from the Linux run"

# 2. A folder and a file named with Vietnamese letters and spaces, as inputs and as outputs,
#    with a history (SQLite under Windows) and the report from it.
cd "$T"
mkdir -p "Dữ liệu xã Hòa Đông"
cp "$ROOT/fixtures/sample.csv" "Dữ liệu xã Hòa Đông/tháng 12 năm 2021.csv"
"$LINUX_BIN" scan "Dữ liệu xã Hòa Đông" --out "linux/Kết quả quét" --as-of 2022-01-10 -q
win scan "Dữ liệu xã Hòa Đông" --out "Kết quả quét" --history "lịch sử.sqlite" --as-of 2022-01-10 -q
expect 0 "scan of a Vietnamese path"
# The one difference: the file found under the folder is named with Windows' separator.
tr '\\' / <"Kết quả quét/findings.csv" | cmp "linux/Kết quả quét/findings.csv" - \
  || fail "findings.csv of the Vietnamese path differs from the Linux run"
win report --history "lịch sử.sqlite" --out "Báo cáo" -q
expect 0 "report from the history"
win report "Kết quả quét" scan --out "Báo cáo 2" -q
expect 0 "report from scan folders"
for f in "Báo cáo/report.xlsx" "Báo cáo/report.html" "Báo cáo 2/report.xlsx"; do
  [ -s "$f" ] || fail "report: no $f"
done

# 3. export-list, the lists filled as a team trusting the suggestions would, apply-corrections.
# (--include-repairable: the fixtures' people are mostly ones `repair` would fix, with suggestions.)
win export-list "Dữ liệu xã Hòa Đông" --out "Danh sách" --include-repairable -q
expect 0 "export-list"
lists=$(find "Danh sách" -name '*.xlsx' | wc -l)
[ "$lists" -gt 0 ] || fail "export-list wrote no list"
"$FILL" "Danh sách" "Trả về" >/dev/null
win apply-corrections --source "Dữ liệu xã Hòa Đông" --corrections "Trả về" --out "Kết quả sửa" -q
expect 0 "apply-corrections"
for f in audit.csv verification.xlsx summary.json; do
  [ -s "Kết quả sửa/$f" ] || fail "apply-corrections: no $f"
done
applied=$(grep -c ',applied,' "Kết quả sửa/audit.csv" || true)
[ "$applied" -gt 0 ] || fail "apply-corrections applied nothing"
[ -n "$(find "Kết quả sửa/merged" -name '*.csv')" ] || fail "apply-corrections: no merged dump"

# 4. Exit codes and messages.
win scan "không có tệp này.csv" --out "Kết quả 3" -q
expect 2 "a missing file"
grep -q "không có tệp hoặc thư mục này" "$T/err" || fail "missing file: $(cat "$T/err")"
win scan "Dữ liệu xã Hòa Đông" --fail-on warnnig
expect 2 "a bad argument"
grep -q "giá trị 'warnnig' không hợp lệ" "$T/err" || fail "bad argument: $(cat "$T/err")"
win scan "Dữ liệu xã Hòa Đông" --out "Kết quả 4" --fail-on error -q
expect 1 "--fail-on error"
win --help
expect 0 "--help"
grep -q "Cách dùng: vaxclean" "$T/out" || fail "--help is not Vietnamese"
win --help --lang en
grep -q "Usage: vaxclean" "$T/out" || fail "--help --lang en is not English"

# 5. An output held open by another program: the run says which file and to close it.
"$WINE" "$BIN/hold.exe" 'Báo cáo\report.xlsx' 'held.txt' >/dev/null 2>&1 &
HOLDER_PID=$!
for _ in $(seq 1 100); do [ -e held.txt ] && break; sleep 0.2; done
[ -e held.txt ] || fail "the holder did not start"
win report --history "lịch sử.sqlite" --out "Báo cáo" -q
expect 2 "an output held open"
grep -q "đóng tệp trong Excel rồi chạy lại" "$T/err" || fail "held open: $(cat "$T/err")"
grep -q "report.xlsx" "$T/err" || fail "held open: the file is not named: $(cat "$T/err")"
echo "windows-smoke: an output held open: $(head -1 "$T/err")"
kill "$HOLDER_PID" 2>/dev/null || true
wait "$HOLDER_PID" 2>/dev/null || true
HOLDER_PID=
# Once it is closed, the next run goes through.
win report --history "lịch sử.sqlite" --out "Báo cáo" -q
expect 0 "report after the file was closed"

# 6. On a terminal (the progress bar and Vietnamese text on Wine's console): no crash.
if command -v script >/dev/null 2>&1; then
  set +e
  script -qec "\"$WINE\" \"$BIN/vaxclean.exe\" scan \"$ROOT/fixtures/sample.csv\" --out \"Kết quả 5\"" /dev/null >"$T/tty" 2>&1
  rc=$?
  set -e
  expect 0 "scan on a terminal"
  [ -s "Kết quả 5/findings.csv" ] || fail "scan on a terminal wrote no findings.csv"
fi

end=$(date +%s)
echo "windows-smoke: passed ($(basename "$EXE"), profile $PROFILE, $(( $(stat -c %s "$EXE") / 1048576 )) MB; build $((built - start)) s, checks $((end - built)) s)"
