#!/usr/bin/env bash
# Debian packages the tests drive: Chromium (the playground test) and HAProxy
# (the replica test). On a fresh machine of this project's kind they are not
# installed yet: install what is missing (as root) or say how.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/sbin/haproxy ] || missing+=(haproxy)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's ${missing[*]} for the tests..." >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  exit 0
fi
echo "The tests need ${missing[*]}: run 'sudo apt-get install -y ${missing[*]}'." >&2
exit 1
