#!/usr/bin/env bash
# Install the Debian packages the test suite drives from outside Python, when they are missing:
# chromium (the browser journeys, driven by Playwright: Playwright's own browser download cannot
# work here), docker-compose (v1 client, validates docker-compose.yml without an engine), nginx
# (the reverse proxy of the docker-compose stack: a test runs deploy/nginx.conf for real in front
# of the test server; Debian's service is left stopped) and wrk (the HTTP load generator of
# `make bench`; without it the benchmark falls back to a slower Python load generator), and
# Noto fonts for the Arabic and Chinese pages (fonts-noto-core has Arabic and Cyrillic,
# fonts-noto-cjk Chinese): without them Chromium draws boxes in the screenshots, and the layout
# tests measure boxes instead of words.
# Needs root and apt; elsewhere it says what is missing, and the tests that need it are skipped.
set -uo pipefail

packages=()
command -v docker-compose >/dev/null 2>&1 || packages+=(docker-compose)
[ -x /usr/bin/chromium ] || packages+=(chromium fonts-liberation)
# (grep -q on a pipe would stop fc-list early, and pipefail would count that as a miss)
fonts=$(fc-list : family 2>/dev/null)
grep -qi "Noto Sans Arabic" <<<"$fonts" || packages+=(fonts-noto-core)
grep -qi "Noto Sans CJK" <<<"$fonts" || packages+=(fonts-noto-cjk)
command -v wrk >/dev/null 2>&1 || packages+=(wrk)
[ -x /usr/sbin/nginx ] || packages+=(nginx)

[ ${#packages[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "NOTE: missing system packages: ${packages[*]} (install them with apt-get as root);"
  echo "      the tests that need them will be skipped."
  exit 0
fi

echo "Installing system packages: ${packages[*]}…"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
if [[ " ${packages[*]} " == *" nginx "* ]]; then
  # Only the binary is wanted: the tests start their own nginx on a loopback port.
  { systemctl disable --now nginx || service nginx stop; } >/dev/null 2>&1 || true
fi
