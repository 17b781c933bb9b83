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

pnpm install --frozen-lockfile
pnpm build
