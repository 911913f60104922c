# Shared helpers for scripts/infra.sh (sourced, not run).

log() { printf 'infra: %s\n' "$*" >&2; }
die() { printf 'infra: error: %s\n' "$*" >&2; exit 1; }

# True when something accepts TCP connections on 127.0.0.1:$1.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# The process-group leader of the server listening on $1, if this checkout started it (its
# command line names our directory). Covers a lost pid file, e.g. after `rm -rf .data`.
owned_pid_on_port() {
  local pid pgid
  pid="$(ss -ltnpH "sport = :$1" 2>/dev/null | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -n 1)"
  [ -n "$pid" ] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$ROOT/" || return 1
  # Field 5 of /proc/PID/stat, read after the parenthesised command name (it may hold spaces).
  pgid="$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f3)"
  echo "${pgid:-$pid}"
}

# True when the server on port $2 is ours; re-creates a lost pid file $1 on the way.
is_ours() {
  local pidfile="$1" port="$2" pid
  pid_alive "$pidfile" && return 0
  pid="$(owned_pid_on_port "$port")" || return 1
  mkdir -p "$(dirname "$pidfile")" && echo "$pid" >"$pidfile"
}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi; }

# Start a command detached from this script (own session, so it outlives us and can be
# stopped as a group), logging to $log and recording its pid in $pidfile.
spawn() {
  local pidfile="$1" logfile="$2"; shift 2
  mkdir -p "$(dirname "$pidfile")" "$(dirname "$logfile")"
  # fd 9 is the `up` lock: a server that inherited it would hold it for its whole life. The
  # working directory is .data, so stray files (crash dumps) never land in the source tree.
  (cd "$DATA_DIR" && exec setsid "$@") >"$logfile" 2>&1 </dev/null 9>&- &
  echo $! >"$pidfile"
}

# wait_until NAME PIDFILE LOGFILE SECONDS CHECK...: poll CHECK until it succeeds; fail early
# when the process we started has died, and after SECONDS with the log's tail. A server we
# reuse has no pid file (`up` clears stale ones first).
wait_until() {
  local name="$1" pidfile="$2" logfile="$3" seconds="$4"; shift 4
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if [ -f "$pidfile" ] && ! pid_alive "$pidfile"; then
      tail -n 30 "$logfile" >&2 2>/dev/null
      die "$name exited during start-up; see $logfile"
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      tail -n 30 "$logfile" >&2 2>/dev/null
      die "$name did not answer within ${seconds}s; see $logfile"
    fi
    sleep 0.1
  done
}

# Stop the process group recorded in $2 (or, without it, our server on port $3): TERM first,
# since the servers flush on it, KILL when late.
stop_server() {
  local name="$1" pidfile="$2" port="$3" pid
  if ! is_ours "$pidfile" "$port"; then rm -f "$pidfile"; return 0; fi
  pid="$(cat "$pidfile")"
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null
  for _ in $(seq 1 150); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name did not stop within 15s; killing it"
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null
  fi
  rm -f "$pidfile"
  log "$name stopped"
}

# Installs the Debian packages among "$@" that are missing. Serialised on our own lock, since
# several servers' installs run in parallel and apt allows one at a time; the package lists
# are refreshed once per `up`.
apt_ensure() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ "${#missing[@]}" = 0 ] && return 0
  mkdir -p "$RUN_DIR"
  (
    flock 9
    if [ ! -f "$RUN_DIR/apt-updated.$UP_ID" ]; then
      as_root apt-get update -qq >/dev/null && touch "$RUN_DIR/apt-updated.$UP_ID"
    fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      "${missing[@]}" >"$LOG_DIR/apt.log" 2>&1
  ) 9>"$RUN_DIR/apt.lock" || { tail -n 20 "$LOG_DIR/apt.log" >&2; return 1; }
}
