#!/usr/bin/env bash
# Installs schemathesis (PyPI) into .tools/schemathesis for the API fuzz test
# (test/fuzz/schemathesis.test.ts). Idempotent: skips the install when it is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET=.tools/schemathesis
if PYTHONPATH="$TARGET" python3 -c 'import schemathesis' 2>/dev/null; then
  exit 0
fi
mkdir -p "$TARGET"
python3 -m pip install --quiet --disable-pip-version-check --target "$TARGET" schemathesis
