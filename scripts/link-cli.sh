#!/usr/bin/env bash
# Puts `playbook` on the PATH: a symbolic link to the built CLI (apps/cli/dist/bin.cjs) in a folder of commands.
# Every hint the CLI prints and every example in the docs says `playbook …`, run from the operator's own folder,
# so relative paths resolve from where they stand.
#
# The folder is the first of these that can be written:
#   1. $PLAYBOOK_BIN_DIR, when set (created if missing);
#   2. npm's global bin folder (`npm prefix -g`/bin), when it is on the PATH: where `npm install -g` puts
#      commands — and pnpm itself when set-up installed it — so it is on the PATH wherever npm works
#      (an nvm or Volta Node, a CI runner, root);
#   3. ~/.local/bin (created if missing), the per-user folder of the XDG layout; a hint says how to add it to the
#      PATH when it is not there yet.
# Safe to run again: an earlier link (of this clone or another) is replaced; any other file is left alone.
set -euo pipefail
cd "$(dirname "$0")/.."

target="$PWD/apps/cli/dist/bin.cjs"
if [ ! -f "$target" ]; then
  echo "playbook is not built yet ($target is missing): run pnpm build first" >&2
  exit 1
fi

on_path() {
  case ":$PATH:" in *":$1:"*) return 0 ;; *) return 1 ;; esac
}

writable_dir() {
  { [ -d "$1" ] || mkdir -p "$1" 2>/dev/null; } && [ -w "$1" ]
}

bin_dir=""
if [ -n "${PLAYBOOK_BIN_DIR:-}" ]; then
  bin_dir="$PLAYBOOK_BIN_DIR"
  if ! writable_dir "$bin_dir"; then
    echo "cannot write to PLAYBOOK_BIN_DIR ($bin_dir): choose a folder of yours" >&2
    exit 1
  fi
else
  npm_bin="$(npm prefix -g 2>/dev/null)/bin" || npm_bin=""
  if [ -n "$npm_bin" ] && on_path "$npm_bin" && [ -d "$npm_bin" ] && [ -w "$npm_bin" ]; then
    bin_dir="$npm_bin"
  else
    bin_dir="$HOME/.local/bin"
    if ! writable_dir "$bin_dir"; then
      echo "cannot write to $bin_dir: set PLAYBOOK_BIN_DIR to a folder of yours on the PATH" >&2
      exit 1
    fi
  fi
fi

link="$bin_dir/playbook"
if [ -e "$link" ] && [ ! -L "$link" ]; then
  echo "$link exists and is not a link made by this script: left alone; set PLAYBOOK_BIN_DIR to link elsewhere" >&2
  exit 1
fi
ln -sfn "$target" "$link"
echo "› playbook on the PATH: $link"

if ! on_path "$bin_dir"; then
  echo "  $bin_dir is not on your PATH: add it, e.g. echo 'export PATH=\"$bin_dir:\$PATH\"' >> ~/.profile" >&2
elif [ "$(command -v playbook)" != "$link" ]; then
  echo "  another playbook comes first on your PATH: $(command -v playbook)" >&2
fi
