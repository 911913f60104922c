# RabbitMQ from Debian's package, run as our own node with its state under .data/rabbitmq.

RABBIT_PORT=5672
RABBIT_MGMT_PORT=15672
RABBIT_PID="$RUN_DIR/rabbitmq.pid"
RABBIT_LOG="$LOG_DIR/rabbitmq.log"
RABBIT_SERVER=/usr/lib/rabbitmq/bin/rabbitmq-server

rabbit_install() {
  [ -x "$RABBIT_SERVER" ] && return 0
  log "rabbitmq: installing rabbitmq-server (apt)"
  # Keep the package's init script from starting a system-wide node bound to every
  # interface; we run our own. An existing policy is left alone.
  local policy=/usr/sbin/policy-rc.d created=""
  if [ ! -e "$policy" ]; then
    as_root sh -c "printf '#!/bin/sh\nexit 101\n' > $policy && chmod +x $policy" && created=1
  fi
  apt_ensure rabbitmq-server
  local rc=$?
  [ -n "$created" ] && as_root rm -f "$policy"
  [ "$rc" = 0 ] && [ -x "$RABBIT_SERVER" ] || die "apt-get install rabbitmq-server failed"
}

# A real AMQP login on the default vhost, then the management API with the same user.
rabbit_ready() {
  python3 "$INFRA_DIR/rabbitmq/rabbitmq-check.py" 127.0.0.1 "$RABBIT_PORT" guest guest "$RABBIT_MGMT_PORT"
}

# Starts our node unless one answers already; returns without waiting for it to boot.
rabbit_start() {
  if port_open "$RABBIT_PORT"; then
    if rabbit_ready >/dev/null 2>&1; then log "rabbitmq: reusing the node on :$RABBIT_PORT"; return 0; fi
    is_ours "$RABBIT_PID" "$RABBIT_PORT" && return 0
    die "something answers on :$RABBIT_PORT but does not take an AMQP login as guest"
  fi
  rabbit_install
  # A package whose init script was allowed to run may have started a system node meanwhile.
  port_open "$RABBIT_PORT" && { log "rabbitmq: reusing the node the package started"; return 0; }
  local base="$DATA_DIR/rabbitmq"
  mkdir -p "$base/mnesia" "$base/log"
  log "rabbitmq: starting (log $RABBIT_LOG)"
  # The Erlang distribution port and epmd would otherwise listen on every interface.
  spawn "$RABBIT_PID" "$RABBIT_LOG" env \
    HOME="$base" \
    RABBITMQ_NODENAME=helpdesk@localhost \
    RABBITMQ_MNESIA_BASE="$base/mnesia" \
    RABBITMQ_LOG_BASE="$base/log" \
    RABBITMQ_CONFIG_FILE="$INFRA_DIR/rabbitmq/rabbitmq.conf" \
    RABBITMQ_ENABLED_PLUGINS_FILE="$INFRA_DIR/rabbitmq/enabled_plugins" \
    RABBITMQ_PID_FILE="$base/rabbit.pid" \
    RABBITMQ_DIST_PORT=25672 \
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}" \
    ERL_EPMD_ADDRESS=127.0.0.1 \
    ERL_CRASH_DUMP="$LOG_DIR/rabbitmq-erl_crash.dump" \
    "$RABBIT_SERVER"
}

rabbit_wait() {
  wait_until rabbitmq "$RABBIT_PID" "$RABBIT_LOG" "${INFRA_WAIT_RABBITMQ:-90}" rabbit_ready
  log "rabbitmq: ready on :$RABBIT_PORT (management :$RABBIT_MGMT_PORT)"
}

# The dev stack's vhost: its durable queues (sla.tickets, reporting.events, ...) would otherwise
# also collect every event the test runs publish on the same broker, and its consumers take them.
RABBIT_DEV_VHOST=helpdesk-dev

rabbit_vhost_of() { [ "$1" = dev ] && echo "$RABBIT_DEV_VHOST" || echo ""; }

# Creates the mode's vhost (the default one needs nothing).
rabbit_vhost() {
  local vhost
  vhost="$(rabbit_vhost_of "$1")"
  [ -z "$vhost" ] && return 0
  python3 "$INFRA_DIR/rabbitmq/rabbitmq-vhost.py" 127.0.0.1 "$RABBIT_MGMT_PORT" guest guest "$vhost" ||
    die "rabbitmq: could not create the vhost $vhost"
}

rabbit_exports() {
  local vhost
  vhost="$(rabbit_vhost_of "$1")"
  echo "export AMQP_URL=amqp://guest:guest@127.0.0.1:$RABBIT_PORT${vhost:+/$vhost}"
  echo "export AMQP_MANAGEMENT_URL=http://guest:guest@127.0.0.1:$RABBIT_MGMT_PORT"
}

rabbit_status() {
  if rabbit_ready >/dev/null 2>&1; then echo "rabbitmq  :$RABBIT_PORT  up$(is_ours "$RABBIT_PID" "$RABBIT_PORT" && echo ' (ours)')"
  else echo "rabbitmq  :$RABBIT_PORT  down"; fi
}
