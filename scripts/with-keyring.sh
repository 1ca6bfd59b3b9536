#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with its own unlocked gnome-keyring, so keytar
# talks to a real Secret Service without touching the developer's own keyring. A fresh
# XDG_DATA_HOME keeps an older login keyring (with another password) out of the way: that one
# would stay locked and keytar would fail with "Cannot create an item in a locked collection".
set -euo pipefail
if [ -n "${SEVERA_KEYRING_SESSION:-}" ]; then exec "$@"; fi
for tool in dbus-run-session gnome-keyring-daemon; do
  if ! command -v "$tool" >/dev/null; then
    echo "with-keyring: '$tool' is missing; install the Debian packages dbus and gnome-keyring (see .ci/run)" >&2
    exit 2
  fi
done
data_home=$(mktemp -d)
trap 'rm -rf "$data_home"' EXIT
XDG_DATA_HOME="$data_home" SEVERA_KEYRING_SESSION=1 dbus-run-session -- bash -c '
  printf "test-keyring" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  exec "$@"' with-keyring "$@"
