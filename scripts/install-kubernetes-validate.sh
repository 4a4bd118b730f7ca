#!/usr/bin/env bash
# Installs kubernetes-validate (PyPI; it carries the Kubernetes OpenAPI schemas, so it
# validates offline) into .tools/kubernetes-validate for the manifest check
# (scripts/validate-kubernetes.sh, test/production/kubernetes.test.ts). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET=.tools/kubernetes-validate
VERSION=1.37.0
if [ -f "$TARGET/.version-$VERSION" ] && PYTHONPATH="$TARGET" python3 -c 'import kubernetes_validate' 2>/dev/null; then
  exit 0
fi
rm -rf "$TARGET"
mkdir -p "$TARGET"
python3 -m pip install --quiet --disable-pip-version-check --target "$TARGET" "kubernetes-validate==$VERSION"
touch "$TARGET/.version-$VERSION"
