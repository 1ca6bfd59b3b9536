#!/usr/bin/env bash
# Packs the Linux installers (.deb and AppImage) with electron-builder where its downloads
# cannot be reached (CI: only apt and npm), then checks them (scripts/check-linux-packages.mjs).
# Stand-ins replace exactly the three downloads: Electron itself (electronDist, a folder shaped
# like Electron's dist, scripts/electron-standin.mjs), fpm (CUSTOM_FPM_PATH,
# scripts/fpm-standin.mjs: dpkg-deb) and the AppImage tools (APPIMAGE_TOOLS_PATH: Debian's
# mksquashfs and desktop-file-validate, a stand-in runtime). Everything else is electron-builder's
# own packing: asar, unpacked native modules, fuses, afterPack, the .deb's control and scripts,
# the AppImage's AppRun and desktop entry. The packages are not for release: the stand-in
# Electron does not run. Needs Node >= 22.12 for electron-builder (a Node 22 from the npm
# registry is used where the machine's is older). Usage: bash scripts/pack-linux.sh [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-release/linux-standin}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

node_bin=node
if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 22 || (a === 22 && b >= 12) ? 0 : 1)'; then
  echo "pack-linux: Node $(node --version) is older than 22.12; using node@22 from the npm registry"
  echo '{"name":"pack-node","private":true,"allowScripts":{"node":true}}' > "$work/package.json"
  npm install --prefix "$work" --no-audit --no-fund --silent node@22 >/dev/null
  node_bin="$work/node_modules/.bin/node"
fi
echo "pack-linux: electron-builder on Node $("$node_bin" --version)"

for tool in dpkg-deb mksquashfs desktop-file-validate unsquashfs; do
  command -v "$tool" >/dev/null || { echo "pack-linux: '$tool' is missing (apt-get install dpkg squashfs-tools desktop-file-utils)" >&2; exit 2; }
done
mkdir -p "$work/appimage-tools/runtimes" "$work/appimage-tools/lib/x64"
ln -s "$(command -v mksquashfs)" "$work/appimage-tools/mksquashfs"
ln -s "$(command -v desktop-file-validate)" "$work/appimage-tools/desktop-file-validate"
printf '#!/bin/sh\necho "AppImage runtime stand-in: extract with unsquashfs -o <offset>" >&2\nexit 1\n' \
  > "$work/appimage-tools/runtimes/runtime-x64"
"$node_bin" scripts/electron-standin.mjs "$work/electron-dist"

"$node_bin" scripts/build.mjs
rm -rf "$out"
CUSTOM_FPM_PATH="$PWD/scripts/fpm-standin.mjs" APPIMAGE_TOOLS_PATH="$work/appimage-tools" \
  "$node_bin" node_modules/electron-builder/cli.js --linux deb AppImage --x64 --publish never \
  -c.electronDist="$work/electron-dist" -c.directories.output="$out"
"$node_bin" scripts/check-linux-packages.mjs "$out"
