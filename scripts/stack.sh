#!/usr/bin/env bash
# Runs the whole stack on this machine without Docker: the local servers (persistent state under
# .data/dev) and the five services, gateway on 127.0.0.1:8080. Ctrl-C stops the services; the servers
# keep running for the next start (`scripts/infra.sh down` stops them).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/toolchain.sh

pnpm install --frozen-lockfile --reporter=append-only 2>&1 | tail -n 2 >&2
servers="$(scripts/infra.sh up --dev)" || { echo "the local servers did not start" >&2; exit 1; }
eval "$servers"

mongo_base="${MONGO_URL%/}"
mongo_base="${mongo_base%%\?*}"
mkdir -p .data/logs
export NODE_ENV="${NODE_ENV:-development}" LOG_LEVEL="${LOG_LEVEL:-info}"
export JWKS_URL="${JWKS_URL:-http://127.0.0.1:8081/api/auth/jwks.json}"

pids=()
stop() {
  trap - INT TERM EXIT
  echo "stopping services..." >&2
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

start() { # name port
  local name=$1 port=$2
  PORT=$port MONGO_URL="$mongo_base/$name" node services/"$name"/src/main.ts \
    > >(tee -a ".data/logs/$name.log") 2>&1 &
  pids+=($!)
}

wait_ready() { # port
  for _ in $(seq 1 120); do
    ready "$1" && return 0
    sleep 0.5
  done
  echo "service on :$1 is not ready; see .data/logs" >&2
  exit 1
}
ready() { node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "http://127.0.0.1:$1/readyz"; }

# The gateway, tickets and sla load identity's revocation (and user) snapshots before they
# serve, so identity goes first.
TRUST_PROXY=true start identity 8081
start reporting 8084
wait_ready 8081
start tickets 8082
start sla 8083
start gateway 8080
for port in 8082 8083 8084 8080; do wait_ready "$port"; done
cat >&2 <<MSG

Helpdesk is up: gateway http://127.0.0.1:8080  (Swagger UI /swagger/, ReDoc /redoc/, /openapi.json)
RabbitMQ management http://127.0.0.1:15672 (guest/guest, vhost helpdesk-dev),
Temporal UI http://127.0.0.1:8233/namespaces/helpdesk-dev/workflows
Logs: .data/logs/<service>.log. Ctrl-C stops the services.
MSG
wait -n "${pids[@]}"
echo "a service exited; stopping the stack" >&2
exit 1
