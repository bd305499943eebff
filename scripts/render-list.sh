#!/usr/bin/env bash
# Renders a correction list (or any workbook) the way it prints: LibreOffice turns it into a PDF,
# pdftoppm makes a PNG of each page at 80 dpi.
#
#   scripts/render-list.sh LIST.xlsx OUTDIR [PAGES]
#
# Writes OUTDIR/<name>.pdf and OUTDIR/<name>-<page>.png (the first PAGES pages, 1 by default) and
# prints the PDF's page count. Without LibreOffice (soffice) or poppler-utils it says so in one line
# and exits with status 3, so that a test can skip.
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: $0 LIST.xlsx OUTDIR [PAGES]" >&2
  exit 2
fi
list=$1
out=$2
pages=${3:-1}
for tool in soffice pdfinfo pdftoppm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "skipped: $tool is not installed (apt-get install libreoffice-calc-nogui poppler-utils)"
    exit 3
  fi
done
mkdir -p "$out"
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
# A profile of its own, so that it runs beside an open LibreOffice and leaves nothing behind.
soffice -env:UserInstallation="file://$profile" --headless --norestore \
  --convert-to pdf --outdir "$out" "$list" >/dev/null 2>&1
name=$(basename "${list%.*}")
pdf="$out/$name.pdf"
if [ ! -s "$pdf" ]; then
  echo "LibreOffice wrote no PDF for '$list'" >&2
  exit 1
fi
pdftoppm -png -r 80 -f 1 -l "$pages" "$pdf" "$out/$name"
pdfinfo "$pdf" | awk '/^Pages:/ {print $2}'
