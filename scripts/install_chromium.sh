#!/usr/bin/env bash
# The GraphiQL browser test drives Debian's Chromium headless. Install it when missing and
# we can (root with apt); otherwise say why, and the browser test skips with that reason.
set -uo pipefail
if command -v chromium >/dev/null; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "-- installing Debian's chromium for the GraphiQL browser test"
  { apt-get install -y -qq chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium; }; } >/dev/null 2>&1 \
    && exit 0
  echo "!! could not install chromium with apt-get; the browser test will be skipped" >&2
else
  echo "!! chromium is not installed (apt-get install chromium as root); the browser test will be skipped" >&2
fi
exit 0
