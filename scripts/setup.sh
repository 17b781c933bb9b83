#!/usr/bin/env bash
# One-step set-up on a fresh machine: pnpm 12.4.2, the dependencies (better-sqlite3's native addon included),
# a build, and `playbook` on the PATH (scripts/link-cli.sh). Safe to run again. Quiet: one line per step, the
# tools' own output only when something fails or needs the user.
set -euo pipefail
cd "$(dirname "$0")/.."

export TURBO_TELEMETRY_DISABLED=1
# No "a new version of npm is available" notice: nothing this set-up needs.
export NPM_CONFIG_UPDATE_NOTIFIER=false

if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version)" != "12.4.2" ]; then
  echo "› pnpm 12.4.2"
  npm install -g pnpm@12.4.2 --no-fund --no-audit --loglevel=error
fi

# better-sqlite3 downloads a prebuilt binary where it can; where it can't (no internet), node-gyp compiles it
# and needs the headers of the installed Node. pnpm ignores `nodedir` from .npmrc, so pass it on explicitly
# when the system Node ships its headers.
if [ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/node.h ]; then
  export npm_config_nodedir=/usr
fi

# The @playbook/postgres tests start a throw-away PostgreSQL server: they need its binaries (initdb, pg_ctl,
# postgres). Install them when none are found and apt-get can be used; elsewhere the tests say what to install.
if ! { command -v pg_ctl >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; } \
  && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "› PostgreSQL (for the tests of @playbook/postgres)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi

echo "› dependencies"
pnpm install --frozen-lockfile --loglevel=warn
echo "› build"
node scripts/build-quietly.mjs
scripts/link-cli.sh
