#!/usr/bin/env bash
# Installs scim2-tester (PyPI), the independent SCIM 2.0 compliance checker, pinned, into
# .tools/scim2-tester for test/directory/scim-compliance.test.ts (via scripts/scim-check.py).
# Idempotent: skips the install when that exact version is already there; another version is
# replaced, so every machine runs the same checks.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=0.5.2
TARGET=.tools/scim2-tester
if [ "$(PYTHONPATH="$TARGET" python3 -c 'import importlib.metadata as m; print(m.version("scim2-tester"))' 2>/dev/null)" = "$VERSION" ]; then
  exit 0
fi
rm -rf "$TARGET"
mkdir -p "$TARGET"
python3 -m pip install --quiet --disable-pip-version-check --target "$TARGET" "scim2-tester[httpx2]==$VERSION" scim2-client==0.13.2 scim2-models==0.12.3 httpx2==2.17.0
