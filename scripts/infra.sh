#!/usr/bin/env bash
# Local stand-ins for the servers the services need: RabbitMQ, Temporal and a MongoDB
# stand-in, on 127.0.0.1 only, with state under .data/. Installs what is missing.
#
#   scripts/infra.sh up [--test|--dev]     start (or reuse) and print `export VAR=...` lines
#   scripts/infra.sh status [--test|--dev]
#   scripts/infra.sh down [--test|--dev]   stop what this script started (no mode: all)
#
#   eval "$(scripts/infra.sh up --test)"
#
# --test (default): MongoDB in memory on :27117, Temporal in memory.
# --dev: MongoDB persisted on :27017, Temporal persisted in .data/dev/temporal.db.
# RabbitMQ (:5672, management :15672) and Temporal (:7233) are shared by both modes, each mode
# in its own vhost and namespace (test: "/" and helpdesk; dev: helpdesk-dev and helpdesk-dev),
# so test runs never reach the development stack's queues or workflows.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
INFRA_DIR="$ROOT/scripts/infra"
DATA_DIR="$ROOT/.data"
TOOLS_DIR="$ROOT/.tools"
RUN_DIR="$DATA_DIR/run"
LOG_DIR="$DATA_DIR/logs"

. "$INFRA_DIR/common.sh"
. "$INFRA_DIR/rabbitmq.sh"
. "$INFRA_DIR/temporal.sh"
. "$INFRA_DIR/mongo.sh"
. "$INFRA_DIR/chromium.sh"

usage() { sed -n '5,9p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

cmd="${1:-}"; [ $# -gt 0 ] && shift
MODE=""
for arg in "$@"; do
  case "$arg" in
    --test) MODE="test" ;;
    --dev) MODE=dev ;;
    *) usage ;;
  esac
done
[ "$MODE" = dev ] && TEMPORAL_NS=$TEMPORAL_DEV_NS

# Two `up`s at once (parallel test runs) would both start servers on the same ports; the
# second waits here and then reuses what the first started. The ports are the machine's, so
# is the lock, and it survives `rm -rf .data`.
take_lock() {
  exec 9>"${TMPDIR:-/tmp}/helpdesk-infra.lock"
  flock -w 600 9 || die "another scripts/infra.sh up or down held the lock for 10 minutes"
}

up() {
  MODE="${MODE:-test}"
  UP_ID=$$
  mkdir -p "$RUN_DIR" "$LOG_DIR"
  take_lock
  local pidfile
  for pidfile in "$RUN_DIR"/*.pid; do
    [ -e "$pidfile" ] && ! pid_alive "$pidfile" && rm -f "$pidfile"
  done
  # The servers start in parallel; each subshell exits non-zero with its own message.
  # Chromium's install waits behind RabbitMQ's (apt runs one at a time) and overlaps its boot.
  # Tools the scripts themselves use; slim machines may lack them.
  local tools=()
  command -v python3 >/dev/null || tools+=(python3)
  command -v ss >/dev/null || tools+=(iproute2)
  [ ${#tools[@]} -eq 0 ] || apt_ensure "${tools[@]}" || die "could not install ${tools[*]}"
  local pids=() failed=0
  # Chromium is for the tests' browser check of the API docs only.
  { rabbit_start && { [ "$MODE" != test ] || chromium_install; } && rabbit_wait && rabbit_vhost "$MODE"; } & pids+=($!)
  temporal_up & pids+=($!)
  mongo_up "$MODE" & pids+=($!)
  for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
  rm -f "$RUN_DIR/apt-updated.$UP_ID"
  [ "$failed" = 0 ] || die "not every server came up (logs in $LOG_DIR)"
  mongo_exports "$MODE"
  rabbit_exports "$MODE"
  temporal_exports
  chromium_exports
}

down() {
  take_lock
  local modes=(test dev)
  [ -n "$MODE" ] && modes=("$MODE")
  for m in "${modes[@]}"; do stop_server "mongo ($m)" "$(mongo_pidfile "$m")" "$(mongo_port "$m")"; done
  # Shared servers stay while the other mode's MongoDB of ours still runs.
  local other=""
  [ "$MODE" = test ] && other=dev
  [ "$MODE" = dev ] && other="test"
  if [ -n "$other" ] && is_ours "$(mongo_pidfile "$other")" "$(mongo_port "$other")"; then
    log "rabbitmq and temporal kept: the $other stack still runs"
    return 0
  fi
  stop_server temporal "$TEMPORAL_PID" "$TEMPORAL_PORT" && rm -f "$RUN_DIR/temporal.mode"
  stop_server rabbitmq "$RABBIT_PID" "$RABBIT_PORT"
}

status() {
  local modes=(test dev)
  [ -n "$MODE" ] && modes=("$MODE")
  for m in "${modes[@]}"; do mongo_status "$m"; done
  rabbit_status
  temporal_status
}

case "$cmd" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) usage ;;
esac
