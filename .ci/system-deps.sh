#!/usr/bin/env bash
# Debian packages the test suite uses: a PostgreSQL server for the SQL reader tests.
# Installs only what is missing; without root or apt-get it says what it skipped (the tests
# that need the package then skip with that reason).
set -uo pipefail
need=()
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || need+=(postgresql)
if ((${#need[@]} == 0)); then
  echo "system-deps: all present"
  exit 0
fi
if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
  echo "system-deps: not root or no apt-get; skipped installing: ${need[*]} (tests needing them will skip)"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null || echo "system-deps: apt-get update failed; trying the install anyway"
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null \
  && echo "system-deps: installed ${need[*]}" \
  || { echo "system-deps: could not install ${need[*]}"; exit 1; }
