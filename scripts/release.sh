#!/usr/bin/env bash
# Builds the binaries handed to the officers with the `dist` profile (stripped, whole-program
# optimised; see Cargo.toml) and writes dist/:
#   vaxclean-VERSION-linux-x86_64            the Linux binary
#   vaxclean-VERSION-windows-x86_64.zip      vaxclean.exe and the Vietnamese guide, to unzip
#   vaxclean.exe                             the same Windows binary, unzipped
#   README.md, HUONG-DAN-WINDOWS.txt         the README and the guide (docs/huong-dan-windows.md)
#   SHA256SUMS                               the SHA-256 of every file above
# Each binary must stay under 15 MB (the script fails otherwise).
# Needs: rustup target add x86_64-pc-windows-gnu; Debian's gcc-mingw-w64-x86-64; python3 (zip).
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target}
WIN=x86_64-pc-windows-gnu
LIMIT=$((15 * 1024 * 1024))
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)

cargo build --locked --profile dist
cargo build --locked --profile dist --target "$WIN"

rm -rf dist
mkdir -p dist
linux=dist/vaxclean-$version-linux-x86_64
cp "$TARGET_DIR/dist/vaxclean" "$linux"
cp "$TARGET_DIR/$WIN/dist/vaxclean.exe" dist/vaxclean.exe
cp README.md dist/README.md
# Windows' Notepad reads the guide as text; line ends as Windows writes them.
sed 's/$/\r/' docs/huong-dan-windows.md >dist/HUONG-DAN-WINDOWS.txt

for bin in "$linux" dist/vaxclean.exe; do
  size=$(stat -c %s "$bin")
  if [ "$size" -ge "$LIMIT" ]; then
    echo "release: $bin is $size bytes, over 15 MB" >&2
    exit 1
  fi
done

python3 - "dist/vaxclean-$version-windows-x86_64.zip" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    z.write("dist/vaxclean.exe", "vaxclean/vaxclean.exe")
    z.write("dist/HUONG-DAN-WINDOWS.txt", "vaxclean/HUONG-DAN-WINDOWS.txt")
    z.write("dist/README.md", "vaxclean/README.md")
PY

(cd dist && sha256sum -- * | grep -v ' SHA256SUMS$' >SHA256SUMS)
ls -l dist
