#!/usr/bin/env bash
# Regenerates the committed sample dumps under fixtures/ with the project's own generator.
# Everything is synthetic. The .xls and .ods copies are converted from the .xlsx by LibreOffice
# (apt-get install libreoffice-calc-nogui), since no Rust crate writes those formats.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked -q
V=target/release/vaxclean
D=2026-11-26
# Enough people with a defect that every finding code shows up in each file. Both files number their
# record ids from VX000000001 (--first-record 1, as samples did before each seed had its own block), so
# that scanned together they share record keys (RECORD_ID_DUPLICATE). The committed files were made
# before the record_id_reused defect kind: the defects this draws now differ from theirs.
$V sample -q --people 300 --seed 11 --first-record 1 --defect-rate 0.7 --as-of $D \
  --out fixtures/sample.csv --truth fixtures/sample.truth.csv
$V sample -q --people 400 --seed 12 --first-record 1 --defect-rate 0.8 --as-of $D --numeric-ids --title-lines \
  --out fixtures/sample.xlsx --truth fixtures/sample-xlsx.truth.csv
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for fmt in xls ods; do
  soffice --headless --norestore -env:UserInstallation=file://$tmp/profile \
    --convert-to $fmt --outdir "$tmp" fixtures/sample.xlsx >/dev/null
  mv "$tmp/sample.$fmt" fixtures/sample.$fmt
done
ls -l fixtures
