#!/usr/bin/env bash
# Chromium for the tests that open pages in a real headless browser: an HTML run report
# (apps/cli/test/report-browser.e2e.test.ts) and the web view of `playbook serve`
# (apps/cli/test/serve-browser.e2e.test.ts), driven by playwright-core, which downloads no browser of its own.
# Installs Debian's package when no Chromium is found and apt-get can be used; about 3 minutes on a fresh
# machine. Elsewhere the tests are skipped outside CI and say what to install.
set -euo pipefail

if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then
  exit 0
fi
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "› Chromium (for the browser tests of HTML reports and the web view)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
else
  echo "Chromium is not installed and apt-get cannot be used: install it for the browser tests" >&2
fi
