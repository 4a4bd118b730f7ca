#!/usr/bin/env bash
# Installs schemathesis (PyPI), pinned, into .tools/schemathesis for the API fuzz test
# (test/fuzz/schemathesis.test.ts). Idempotent: skips the install when that exact version is
# already there; another version is replaced, so every machine fuzzes with the same checks.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=4.32.5
TARGET=.tools/schemathesis
if [ "$(PYTHONPATH="$TARGET" python3 -c 'import schemathesis; print(schemathesis.__version__)' 2>/dev/null)" = "$VERSION" ]; then
  exit 0
fi
rm -rf "$TARGET"
mkdir -p "$TARGET"
python3 -m pip install --quiet --disable-pip-version-check --target "$TARGET" "schemathesis==$VERSION"
