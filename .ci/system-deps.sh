#!/usr/bin/env bash
# Debian packages the test suite uses: a PostgreSQL server for the SQL reader tests, Chromium
# and npm for the browser tests of the report pack.
# Installs only what is missing; without root or apt-get it says what it skipped (the tests
# that need the package then skip with that reason).
set -uo pipefail
need=()
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || need+=(postgresql)
# The report browser tests: Debian's Chromium driven by Playwright, axe-core from npm.
command -v chromium >/dev/null || need+=(chromium)
command -v npm >/dev/null || need+=(npm)
# Chromium needs fonts to lay out text; without any, pages render blank.
compgen -G "/usr/share/fonts/truetype/dejavu/*.ttf" >/dev/null || need+=(fonts-dejavu-core)
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
# Quiet on success; on failure show apt's own reason (a bare "could not install" says nothing).
if ! log=$(apt-get install -y -qq --no-install-recommends "${need[@]}" 2>&1); then
  echo "system-deps: could not install ${need[*]}; apt-get said:"
  tail -n 20 <<<"$log"
  exit 1
fi
# The tests look for the server under this path (tests/pgserver.py); check it is really there.
if ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
  echo "system-deps: installed ${need[*]} but found no /usr/lib/postgresql/*/bin/initdb"
  exit 1
fi
echo "system-deps: installed ${need[*]}"
