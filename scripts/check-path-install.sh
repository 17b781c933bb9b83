#!/usr/bin/env bash
# After scripts/setup.sh, from a folder outside the repository and through the PATH only: `playbook --version`
# answers with this clone's version, and `playbook run ./x.playbook.toml` runs the file of that folder — the
# README's first steps, as a newcomer types them. .ci/run calls it on a fresh clone.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"

if ! command -v playbook >/dev/null 2>&1; then
  echo "✘ playbook is not on the PATH after scripts/setup.sh" >&2
  exit 1
fi
expected="$(node -p 'require(process.argv[1]).version' "$repo/apps/cli/package.json")"
version="$(playbook --version)"
case "$version" in
  *"$expected"*) ;;
  *) echo "✘ playbook --version printed '$version', expected $expected (is $(command -v playbook) another playbook?)" >&2; exit 1 ;;
esac

cat > x.playbook.toml <<'TOML'
[runbook]
title = "First hour"
description = "a runbook in the operator's own folder"
version = "0.1.0"
author = "ci"
created_at = "2025-05-03T12:08:00Z"

[mark]
type = "Command"
command_name = "echo marked > mark.txt"
TOML
XDG_CONFIG_HOME="$work/config" playbook run ./x.playbook.toml --non-interactive --state-path ./state.db >/dev/null
if [ "$(cat mark.txt 2>/dev/null)" != marked ] || [ ! -f state.db ]; then
  echo "✘ playbook run ./x.playbook.toml did not run the file of $work (or did not keep its state in ./state.db)" >&2
  exit 1
fi
echo "✔ playbook on the PATH ($(command -v playbook)): --version and run ./x.playbook.toml from another folder"
