#!/usr/bin/env bash
# One-step set-up on a fresh machine: pnpm 12.4.2, the dependencies (better-sqlite3's native addon included)
# and a build. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

export TURBO_TELEMETRY_DISABLED=1

if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version)" != "12.4.2" ]; then
  npm install -g pnpm@12.4.2
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
  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql
fi

pnpm install --frozen-lockfile
pnpm build
