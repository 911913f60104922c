#!/usr/bin/env bash
# Installs the production dependencies of one service (and of the workspace libs it uses) into the
# current directory, a copy of the workspace manifests. The Dockerfile runs exactly this, and so
# does CI (scripts/deploy/prod-install.test.ts) in a temporary directory, so the image's install
# step is exercised on machines without a Docker engine.
# Usage: scripts/deploy/install-prod.sh <service> [extra pnpm flags, e.g. --prefer-offline]
set -euo pipefail
service="${1:?usage: install-prod.sh <gateway|identity|tickets|sla|reporting> [pnpm flags]}"
shift
case "$service" in
  gateway | identity | tickets | sla | reporting) ;;
  *) echo "install-prod: unknown service '$service'" >&2; exit 2 ;;
esac
# A filtered install keeps the workspace layout: the libs stay symlinks to libs/*/src outside
# node_modules, where Node strips their types (it refuses to inside node_modules, which rules
# out `pnpm deploy`, whose copies land there). --filter-prod follows dependencies but not
# devDependencies, so the test kit (and testcontainers with it) stays out.
exec pnpm install --frozen-lockfile --prod --ignore-scripts --config.confirmModulesPurge=false \
  --filter-prod "@helpdesk/${service}..." "$@"
