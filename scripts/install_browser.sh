#!/usr/bin/env bash
# Install the headless browser the UI test drives: Debian's chromium (+ chromium-driver).
# Idempotent: does nothing when chromium is already on PATH. Never runs `playwright install`
# (Playwright drives the system Chromium through executable_path).
# Exit status: 0 when a browser is available afterwards, 1 when none could be installed
# (the browser test then skips with this script's message).
set -u

find_browser() {
  for name in chromium chromium-browser google-chrome; do
    if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return 0; fi
  done
  return 1
}

if path=$(find_browser); then
  echo "install_browser: browser present: $path ($("$path" --version 2>/dev/null | head -1))"
  exit 0
fi

if [ "$(id -u)" != "0" ]; then
  echo "install_browser: no chromium found and not root; install it with:" >&2
  echo "  sudo apt-get install -y chromium chromium-driver" >&2
  echo "  (or set CLEANSPEECH_CHROMIUM=/path/to/chrome). The browser test will be skipped." >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install_browser: no chromium and no apt-get on this system; install Chromium by hand" >&2
  echo "  and set CLEANSPEECH_CHROMIUM=/path/to/chrome. The browser test will be skipped." >&2
  exit 1
fi

echo "install_browser: installing chromium and chromium-driver with apt-get (a minute or two)"
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y --no-install-recommends chromium chromium-driver; then
  apt-get update && apt-get install -y --no-install-recommends chromium chromium-driver
fi
if path=$(find_browser); then
  echo "install_browser: installed $path"
  exit 0
fi
echo "install_browser: apt-get could not install chromium; the browser test will be skipped." >&2
exit 1
