#!/usr/bin/env bash
# Validates deploy/kubernetes/ offline against the Kubernetes API schemas (kubernetes-validate,
# strict: unknown fields are errors). KUBERNETES_VERSION picks the schema version; the first
# argument another folder of manifests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-kubernetes-validate.sh
# kustomization.yaml is kustomize's own file, not a Kubernetes object.
DIR="${1:-deploy/kubernetes}"
files=$(find "$DIR" -name '*.yaml' ! -name kustomization.yaml | sort)
PYTHONPATH=.tools/kubernetes-validate python3 -m kubernetes_validate --strict -k "${KUBERNETES_VERSION:-1.33}" $files
