#!/usr/bin/env bash
# Installs what Strata's build and tests need on a fresh Debian machine that already has the
# Swift toolchain and Python 3 with pip:
#   - liblz4 (segment compression), zlib (gzip request bodies), pkg-config (finds liblz4),
#     libre2-dev (RE2, the linear-time regular expressions of InfluxQL's =~, Go's syntax);
#   - tzdata (the IANA time zone database in /usr/share/zoneinfo, which InfluxQL's tz() reads);
#   - influxdb (InfluxDB 1.6, the reference the differential test compares Strata with;
#     the test starts its own influxd on a free loopback port, the package's service is
#     kept from starting at install time and is never needed);
#   - chromium (headless, for the live page's browser test) and the Python package
#     `websocket-client` that drives it over the DevTools protocol;
#   - mosquitto (the MQTT broker the MQTT ingest tests start on a free loopback port; its
#     service is kept from starting like influxdb's), openssl (the tests' self-signed
#     certificates, which curl checks https:// with) and the Python package paho-mqtt (the
#     robots that publish to it); mosquitto-clients (mosquitto_pub, the MQTT benchmark's
#     publishers: C, where paho-mqtt in Python tops out near 2,000 messages a second);
#     nats-server (NATS's MQTT listener, the second broker the ingest is tested against);
#   - the Python package `influxdb` (the official 1.x client) for the python3 on PATH, for
#     the Python client test.
# With --bench, also victoria-metrics: `strata bench --start-peers` runs it beside InfluxDB
# (docs/bench.md); the tests never need it.
# Idempotent and quiet; needs root (or sudo).
set -euo pipefail
packages=(liblz4-dev zlib1g-dev pkg-config libre2-dev tzdata influxdb chromium mosquitto mosquitto-clients nats-server openssl curl)
for arg in "$@"; do
  case "$arg" in
    --bench) packages+=(victoria-metrics) ;;
    *) echo "usage: scripts/setup-debian.sh [--bench]" >&2; exit 2 ;;
  esac
done
sudo_cmd=""
[ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  # Keep apt from starting services (influxdb's) while it installs: policy-rc.d answers 101
  # ("action forbidden") to invoke-rc.d and deb-systemd-invoke. Only if none is there yet.
  policy=/usr/sbin/policy-rc.d
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo_cmd tee "$policy" >/dev/null
    $sudo_cmd chmod 755 "$policy"
    trap '$sudo_cmd rm -f "$policy"' EXIT
  fi
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Python packages for whichever python3 the tests will run: pip_module MODULE PIP_NAME DEB_NAME
# prints the module's version, installing it first if python3 cannot import it.
pip_module() {
  local module=$1 pip_name=$2 deb_name=$3
  module_version() { python3 -c "import $module; print($module.__version__)" 2>/dev/null; }
  if ! module_version; then
    local pip_args=(-m pip install --quiet --disable-pip-version-check --no-input "$pip_name")
    # A Debian-managed python3 refuses plain pip installs (PEP 668): then the Debian package
    # if that python3 is Debian's, else pip past the marker (this machine is a build box).
    python3 "${pip_args[@]}" 2>/dev/null \
      || { [ "$(command -v python3)" = /usr/bin/python3 ] \
           && DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "$deb_name" >/dev/null; } \
      || python3 "${pip_args[@]}" --break-system-packages
    module_version || { echo "python3 cannot import $module after installing it" >&2; return 1; }
  fi
}
# The InfluxDB 1.x client for the Python client test; websocket-client for the live page test.
version=$(pip_module influxdb influxdb python3-influxdb)
ws_version=$(pip_module websocket websocket-client python3-websocket)
# The MQTT robots of scripts/mqtt_robots.py (either paho-mqtt API, 1.x from Debian or 2.x).
mqtt_version=$(pip_module paho.mqtt paho-mqtt python3-paho-mqtt)
echo "system packages ready: ${packages[*]}; python3 influxdb client $version, websocket-client $ws_version, paho-mqtt $mqtt_version"
