#!/usr/bin/env bash
# Installs Debian's Chromium and CJK fonts for the browser tests when they are missing and we
# are root. Elsewhere it says why it could not; the tests then skip (and fail under CI=true).
set -u
if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi "noto.*cjk"; then
  exit 0
fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null; then
  echo "install-browser: not root or no apt-get; browser tests will be skipped" >&2
  exit 0
fi
echo "install-browser: installing chromium and fonts-noto-cjk (apt-get)" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null && apt-get install -y -qq chromium fonts-noto-cjk >/dev/null \
  || echo "install-browser: apt-get failed; browser tests will be skipped" >&2
exit 0
