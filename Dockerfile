# One image per service: docker build --build-arg SERVICE=identity -t helpdesk/identity .
# Node 24 runs the TypeScript sources directly (type stripping), so the image holds the sources of
# the service and the libs it uses, and production dependencies only.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS deps
ARG SERVICE
WORKDIR /app
RUN npm install -g pnpm@12 --no-audit --no-fund
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
RUN pnpm install --frozen-lockfile --prod --filter "@helpdesk/${SERVICE}..."

FROM ${NODE_IMAGE}
ARG SERVICE
ENV NODE_ENV=production HOST=0.0.0.0 SERVICE=${SERVICE}
WORKDIR /app
COPY --from=deps /app /app
COPY libs/contracts/src libs/contracts/src
COPY libs/kit/src libs/kit/src
COPY libs/messaging/src libs/messaging/src
COPY services/${SERVICE}/src services/${SERVICE}/src
USER node
STOPSIGNAL SIGTERM
CMD ["sh", "-c", "exec node services/${SERVICE}/src/main.ts"]
