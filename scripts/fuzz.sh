#!/usr/bin/env bash
# Runs the coverage-guided fuzz targets of fuzz/ with libFuzzer on the stable toolchain.
#
#   scripts/fuzz.sh                 # every target for 60 s each
#   scripts/fuzz.sh name 3600       # one target for an hour
#   scripts/fuzz.sh all 20          # every target for 20 s (what CI runs)
#
# Targets: id, date, name, csv, csv_chunks (the scan's chunked CSV reading against the csv crate's),
# workbook, returned (the returned-list reader of apply-corrections), merged (its merged copy),
# registry (a police extract read and matched against a fixed dump).
# Each starts from its committed seeds in fuzz/corpus/<target>/ and keeps what it learns
# in target/fuzz-corpus/<target>/ (not committed).
# A crash is written to fuzz/artifacts/<target>/ and the script exits non-zero; rerun it with
#   fuzz/target/<host triple>/release/<target> fuzz/artifacts/<target>/crash-…
# then fix the cause and add a regression test named after it (see docs/SECURITY.md).
#
# Coverage comes from LLVM's sanitizer-coverage pass, which stable rustc runs with -Cpasses; only
# AddressSanitizer would need nightly, and safe Rust does not need it to find panics and hangs.
set -euo pipefail
cd "$(dirname "$0")/.."

targets=(id date name csv csv_chunks workbook returned merged registry)
which="${1:-all}"
seconds="${2:-60}"
if [[ "$which" != all ]]; then
  targets=("$which")
fi

export RUSTFLAGS="--cfg fuzzing -Cpasses=sancov-module \
-Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters \
-Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares \
-Cdebug-assertions -Coverflow-checks"
# With an explicit --target, RUSTFLAGS reach only the targets, not build scripts (which would not
# link against libFuzzer's hooks).
host="$(rustc -vV | sed -n 's/^host: //p')"
cargo build --locked --release --manifest-path fuzz/Cargo.toml --bins --target "$host"
bin="fuzz/target/$host/release"

for t in "${targets[@]}"; do
  work="target/fuzz-corpus/$t"
  mkdir -p "$work" "fuzz/artifacts/$t"
  echo "== fuzzing $t for ${seconds}s"
  # -rss_limit_mb bounds memory (a zip bomb must not get past it); -timeout flags a hang.
  "$bin/$t" "$work" "fuzz/corpus/$t" \
    -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=20 -max_len=65536 \
    -artifact_prefix="fuzz/artifacts/$t/" -print_final_stats=1 2>&1 | tail -n 12
  status=${PIPESTATUS[0]}
  if [[ $status -ne 0 ]]; then
    echo "fuzz target $t failed (exit $status); see fuzz/artifacts/$t/" >&2
    exit "$status"
  fi
done
