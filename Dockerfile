# One image per service, from one file:
#   docker build --build-arg SERVICE=identity -t helpdesk/identity .
# SERVICE is gateway, identity, tickets, sla or reporting. Node 24 runs the TypeScript sources
# directly (type stripping), so there is no compile step: the image holds the service's and the
# libs' sources and the production dependencies only. CI runs the same install and bundle scripts
# without Docker (scripts/deploy/prod-install.test.ts), so these steps are exercised everywhere.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
ARG SERVICE
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN test -n "${SERVICE}" || { echo "build with --build-arg SERVICE=<name>" >&2; exit 1; }
RUN npm install -g pnpm@12.21.0 --no-audit --no-fund
WORKDIR /app
# Manifests first: the dependency layer is rebuilt only when one of them changes.
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./
COPY libs/contracts/package.json libs/contracts/
COPY libs/kit/package.json libs/kit/
COPY libs/messaging/package.json libs/messaging/
COPY libs/testkit/package.json libs/testkit/
COPY services/gateway/package.json services/gateway/
COPY services/identity/package.json services/identity/
COPY services/tickets/package.json services/tickets/
COPY services/sla/package.json services/sla/
COPY services/reporting/package.json services/reporting/
COPY e2e/package.json e2e/
COPY scripts/deploy/install-prod.sh scripts/deploy/
RUN scripts/deploy/install-prod.sh "${SERVICE}"
COPY libs/contracts/src libs/contracts/src
COPY libs/kit/src libs/kit/src
COPY libs/messaging/src libs/messaging/src
COPY services/${SERVICE}/src services/${SERVICE}/src
COPY scripts/deploy/bundle-sla-workflows.ts scripts/deploy/
# The sla worker loads this bundle (SLA_WORKFLOW_BUNDLE) instead of bundling at every start.
RUN if [ "${SERVICE}" = sla ]; then node scripts/deploy/bundle-sla-workflows.ts services/sla/workflow-bundle.js; fi \
  && rm -rf scripts

FROM ${NODE_IMAGE}
ARG SERVICE
ENV NODE_ENV=production HOST=0.0.0.0 SLA_WORKFLOW_BUNDLE=/app/services/sla/workflow-bundle.js
# Owned by root and not writable by the app's user: the process cannot change its own code.
COPY --from=build /app /app
WORKDIR /app/services/${SERVICE}
# Numeric, so that Kubernetes' runAsNonRoot can verify it (uid 1000 is the image's `node` user).
USER 1000:1000
# Exec form: node is PID 1 and receives SIGTERM itself; every service drains and closes on it
# (libs/kit serveApp). Nothing forks, so no init process is needed to reap children.
STOPSIGNAL SIGTERM
CMD ["node", "src/main.ts"]
