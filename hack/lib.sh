# shellcheck shell=bash
# Shared by the hack/ scripts: configuration with upstream's defaults, process
# bookkeeping in $SPIKE_DEV_DIR, and waiting for the apps' lifecycle events
# (docs/contracts.md, "Log events the tooling waits for").

SPIKE_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

: "${SPIKE_DEV_DIR:=${HOME:-/tmp}/.spike/dev}"
: "${SPIKE_NEXUS_DATA_DIR:=$SPIKE_DEV_DIR/nexus}"
# The dev agent's trust domain (same rule as spike-dev-agent).
spike_trust_domain() {
  if [ -n "${SPIKE_DEV_TRUST_DOMAIN:-}" ]; then echo "$SPIKE_DEV_TRUST_DOMAIN"; return; fi
  if [ -n "${SPIKE_TRUST_ROOT:-}" ]; then echo "${SPIKE_TRUST_ROOT%%,*}" | tr -d ' '; return; fi
  echo spike.ist
}

# Keeper i's own SPIFFE ID (the dev agent's default entry keeper-i).
spike_keeper_id() { echo "spiffe://$(spike_trust_domain)/spike/keeper/$1"; }

# Each Keeper URL pinned to its Keeper's ID (URL=SPIFFE-ID, docs/design.md
# § Identities): Nexus and Bootstrap accept no other Keeper at that URL.
if [ -z "${SPIKE_NEXUS_KEEPER_PEERS:-}" ]; then
  SPIKE_NEXUS_KEEPER_PEERS="https://localhost:8443=$(spike_keeper_id 1),https://localhost:8543=$(spike_keeper_id 2),https://localhost:8643=$(spike_keeper_id 3)"
fi
: "${SPIKE_NEXUS_TLS_PORT:=:8553}"
: "${SPIKE_NEXUS_API_URL:=https://localhost:${SPIKE_NEXUS_TLS_PORT##*:}}"
: "${SPIKE_NEXUS_BACKEND_STORE:=sqlite}"
export SPIKE_DEV_DIR SPIKE_NEXUS_DATA_DIR SPIKE_NEXUS_KEEPER_PEERS SPIKE_NEXUS_TLS_PORT SPIKE_NEXUS_API_URL SPIKE_NEXUS_BACKEND_STORE

IFS=',' read -r -a SPIKE_KEEPER_URLS <<<"$SPIKE_NEXUS_KEEPER_PEERS"
SPIKE_KEEPER_COUNT=${#SPIKE_KEEPER_URLS[@]}
: "${SPIKE_NEXUS_SHAMIR_SHARES:=$SPIKE_KEEPER_COUNT}"
export SPIKE_NEXUS_SHAMIR_SHARES

SPIKE_LOG_DIR="$SPIKE_DEV_DIR/logs"
SPIKE_PID_DIR="$SPIKE_DEV_DIR/pids"
SPIKE_SOCKET_DIR="$SPIKE_DEV_DIR/sockets"

say() { printf '%s\n' "$*"; }
die() { printf 'Error: %s\n' "$*" >&2; exit 1; }

# die_with_log NAME MESSAGE: die, after showing the last lines NAME wrote
# since byte OFFSET of its log (the cause of a failed start, e.g. a config
# error or a port in use, without opening the file). Offset: $3, default 0.
die_with_log() {
  local name=$1 msg=$2 offset=${3:-0}
  printf 'Error: %s; see %s\n' "$msg" "$SPIKE_LOG_DIR/$name.log" >&2
  tail -c +"$((offset + 1))" "$SPIKE_LOG_DIR/$name.log" 2>/dev/null | tail -n 5 | sed 's/^/  | /' >&2
  exit 1
}

spike_ensure_dirs() {
  mkdir -p "$SPIKE_DEV_DIR" "$SPIKE_LOG_DIR" "$SPIKE_PID_DIR"
  chmod 700 "$SPIKE_DEV_DIR"
}

spike_ensure_built() {
  if [ ! -f "$SPIKE_ROOT/dist/spike.js" ] || [ ! -f "$SPIKE_ROOT/dist/spike-nexus.js" ]; then
    say "Building spike-ts (dist/ is missing)..."
    (cd "$SPIKE_ROOT" && npm run --silent build) || die "build failed"
  fi
}

# The port of keeper i (1-based), from SPIKE_NEXUS_KEEPER_PEERS (either form).
spike_keeper_port() {
  local url=${SPIKE_KEEPER_URLS[$(($1 - 1))]}
  url=${url%%=*}; url=${url#https://}; url=${url%%/*}
  case "$url" in
    *:*) echo "${url##*:}" ;;
    *) echo 443 ;;
  esac
}

spike_components() {
  echo agent
  local i
  for ((i = 1; i <= SPIKE_KEEPER_COUNT; i++)); do echo "keeper-$i"; done
  echo nexus
}

spike_pid() { cat "$SPIKE_PID_DIR/$1.pid" 2>/dev/null || true; }

# Running = the pid file names a live process that runs one of our binaries.
spike_is_running() {
  local pid
  pid=$(spike_pid "$1")
  [ -n "$pid" ] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  grep -q "spike" "/proc/$pid/cmdline" 2>/dev/null || return 1
}

spike_log_size() { stat -c %s "$SPIKE_LOG_DIR/$1.log" 2>/dev/null || echo 0; }

# spike_start NAME ENTRY [VAR=value...]: start dist/ENTRY.js in the background, detached.
spike_start() {
  local name=$1 entry=$2
  shift 2
  local log="$SPIKE_LOG_DIR/$name.log"
  # shellcheck disable=SC2016
  setsid env "$@" node "$SPIKE_ROOT/dist/$entry.js" ${SPIKE_START_ARGS:-} >>"$log" 2>&1 </dev/null &
  echo $! >"$SPIKE_PID_DIR/$name.pid"
}

# spike_wait_event NAME MSG OFFSET TIMEOUT_S [MSG2]: wait until the log of NAME, past byte OFFSET,
# has a line with "msg":"MSG" (or MSG2). Prints the message seen. Fails if the process died.
spike_wait_event() {
  local name=$1 msg=$2 offset=$3 timeout=$4 msg2=${5:-}
  local log="$SPIKE_LOG_DIR/$name.log" deadline=$((SECONDS + timeout)) tail
  while [ "$SECONDS" -lt "$deadline" ]; do
    tail=$(tail -c +"$((offset + 1))" "$log" 2>/dev/null || true)
    if grep -q "\"msg\":\"$msg\"" <<<"$tail"; then echo "$msg"; return 0; fi
    if [ -n "$msg2" ] && grep -q "\"msg\":\"$msg2\"" <<<"$tail"; then echo "$msg2"; return 0; fi
    spike_is_running "$name" || { echo "exited"; return 1; }
    sleep 0.2
  done
  echo "timeout"
  return 1
}

# The state Nexus last reported since it last started: ready | restore | starting.
spike_nexus_state() {
  local log="$SPIKE_LOG_DIR/nexus.log"
  [ -f "$log" ] || { echo starting; return; }
  awk '
    /"msg":"nexus_listening"/ { state = "starting" }
    /"msg":"restore_needed"/ { state = "restore" }
    /"msg":"root_key_ready"/ { state = "ready" }
    END { print (state == "" ? "starting" : state) }' "$log"
}

spike_stop() {
  local name=$1 signal=${2:-TERM} pid i
  pid=$(spike_pid "$name")
  if spike_is_running "$name"; then
    kill "-$signal" "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
  fi
  rm -f "$SPIKE_PID_DIR/$name.pid"
}

spike_dev_agent() { node "$SPIKE_ROOT/dist/spike-dev-agent.js" "$@"; }

spike_socket() { echo "unix://$SPIKE_SOCKET_DIR/$1.sock"; }
