#!/usr/bin/env bash
# Installs the system packages the end-to-end tests drive, when they are missing and we are root: Debian's
# Chromium and CJK fonts (browser tests), LibreOffice Calc without a GUI (an Excel export opened by another
# spreadsheet). Elsewhere it says why it could not; the tests then skip (browser tests fail under CI=true).
set -u
if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi "noto.*cjk" && command -v soffice >/dev/null; then
  exit 0
fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null; then
  echo "install-browser: not root or no apt-get; browser tests will be skipped" >&2
  exit 0
fi
echo "install-browser: installing chromium, fonts-noto-cjk and libreoffice-calc-nogui (apt-get)" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null && apt-get install -y -qq chromium fonts-noto-cjk >/dev/null \
  || echo "install-browser: apt-get failed; browser tests will be skipped" >&2
apt-get install -y -qq --no-install-recommends libreoffice-calc-nogui >/dev/null \
  || echo "install-browser: apt-get could not install LibreOffice; its Excel test will be skipped" >&2
exit 0
