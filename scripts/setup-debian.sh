#!/usr/bin/env bash
# Installs the system packages Strata's build and tests need on a fresh Debian machine that
# already has the Swift toolchain: liblz4 (segment compression), zlib (gzip request bodies),
# pkg-config (finds liblz4 for SwiftPM). Idempotent; needs root (or sudo).
set -euo pipefail
packages=(liblz4-dev zlib1g-dev pkg-config)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}"
fi
echo "system packages ready: ${packages[*]}"
