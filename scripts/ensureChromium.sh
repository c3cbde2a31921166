#!/usr/bin/env bash
# The playground test drives Debian's Chromium. On a fresh machine of this
# project's kind it is not installed yet: install it (as root) or say how.
set -euo pipefail
[ -x /usr/bin/chromium ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's chromium for the playground browser test..." >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "The playground test needs /usr/bin/chromium: run 'sudo apt-get install -y chromium'." >&2
exit 1
