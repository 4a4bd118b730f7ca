#!/usr/bin/env bash
# Drops from an `npm ci --omit=dev` node_modules what can never run on this machine: the
# Temporal core bridge's native builds for other platforms and its Rust sources (~120 MB of
# the ~370 MB). The image's production-deps stage runs it; so does the production build test,
# which then runs Herald on the pruned tree. Usage: prune-production-modules.sh <node_modules>
set -euo pipefail
MODULES="${1:?usage: prune-production-modules.sh <node_modules>}"
BRIDGE="$MODULES/@temporalio/core-bridge"
[ -d "$BRIDGE/releases" ] || { echo "no $BRIDGE/releases: nothing to prune" >&2; exit 0; }
case "$(node -p process.arch)" in
  x64) target=x86_64-unknown-linux-gnu ;;
  arm64) target=aarch64-unknown-linux-gnu ;;
  *) echo "unknown architecture; keeping every core-bridge build" >&2; exit 0 ;;
esac
[ -f "$BRIDGE/releases/$target/index.node" ] || { echo "no core-bridge build for $target" >&2; exit 1; }
find "$BRIDGE/releases" -mindepth 1 -maxdepth 1 ! -name "$target" -exec rm -rf {} +
rm -rf "$BRIDGE/sdk-core"
