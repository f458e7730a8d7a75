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
# The processes of the stack (Bootstrap) take one URL: the first of a list
# (hack/env.sh prints the list of every replica's URL for the Pilot).
SPIKE_NEXUS_API_URL=${SPIKE_NEXUS_API_URL%%,*}

# What the last hack/start.sh of this dev dir ran ($SPIKE_DEV_DIR/stack.conf,
# lines key=value): the backend and the number of Nexus replicas, the defaults
# of SPIKE_NEXUS_BACKEND_STORE and SPIKE_NEXUS_REPLICAS when they are not set.
SPIKE_STACK_CONF="$SPIKE_DEV_DIR/stack.conf"
spike_stack_conf() {
  local key=$1 line
  [ -f "$SPIKE_STACK_CONF" ] || return 0
  while IFS= read -r line; do
    case "$line" in "$key="*) echo "${line#*=}"; return 0 ;; esac
  done <"$SPIKE_STACK_CONF"
}
: "${SPIKE_NEXUS_BACKEND_STORE:=$(spike_stack_conf backend)}"
: "${SPIKE_NEXUS_BACKEND_STORE:=sqlite}"
: "${SPIKE_NEXUS_REPLICAS:=$(spike_stack_conf replicas)}"
: "${SPIKE_NEXUS_REPLICAS:=1}"
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
  if [ ! -f "$SPIKE_ROOT/dist/spike.cjs" ] || [ ! -f "$SPIKE_ROOT/dist/spike-nexus.js" ]; then
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

# Nexus replicas: replica 1 is `nexus`, replica i > 1 `nexus-i` (log, pid file),
# listening on SPIKE_NEXUS_TLS_PORT + i - 1 (same host part). Every replica
# runs with Nexus's one SPIFFE ID (the dev agent's `nexus` entry and socket):
# the Pilot and the Keepers pin that ID, whichever replica answers.
spike_nexus_name() { if [ "$1" -eq 1 ]; then echo nexus; else echo "nexus-$1"; fi; }
spike_nexus_port() { echo $((${SPIKE_NEXUS_TLS_PORT##*:} + $1 - 1)); }
spike_nexus_listen() {
  local host=''
  case "$SPIKE_NEXUS_TLS_PORT" in *:*) host=${SPIKE_NEXUS_TLS_PORT%:*} ;; esac
  echo "$host:$(spike_nexus_port "$1")"
}
# Replica i's URL: SPIKE_NEXUS_API_URL's scheme and host, replica i's port.
spike_nexus_url() {
  local hostport=${SPIKE_NEXUS_API_URL#https://}
  hostport=${hostport%%/*}
  if [[ $hostport =~ ^(.*):[0-9]+$ ]]; then hostport=${BASH_REMATCH[1]}; fi
  echo "https://$hostport:$(spike_nexus_port "$1")"
}
# Every replica's URL, comma-separated (SPIKE_NEXUS_API_URL when one replica).
spike_nexus_urls() {
  if [ "$SPIKE_NEXUS_REPLICAS" -le 1 ]; then echo "$SPIKE_NEXUS_API_URL"; return; fi
  local i list
  list=$(spike_nexus_url 1)
  for ((i = 2; i <= SPIKE_NEXUS_REPLICAS; i++)); do list="$list,$(spike_nexus_url "$i")"; done
  echo "$list"
}
# The replica names that have a pid file (running or not), replica 1 first.
spike_nexus_names_known() {
  local f name
  echo nexus
  for f in "$SPIKE_PID_DIR"/nexus-*.pid; do
    [ -e "$f" ] || continue
    name=$(basename "$f" .pid)
    [[ $name =~ ^nexus-[0-9]+$ ]] && echo "$name"
  done | sort -t- -k2,2n | uniq
}

# SPIKE_NEXUS_REPLICAS: a whole number from 1; more than one needs the postgres
# backend (replicas share one store; SQLite is one process's file).
spike_check_replicas() {
  [[ $SPIKE_NEXUS_REPLICAS =~ ^[1-9][0-9]*$ ]] || die "SPIKE_NEXUS_REPLICAS must be a whole number from 1 (got '$SPIKE_NEXUS_REPLICAS')"
  if [ "$SPIKE_NEXUS_REPLICAS" -gt 1 ] && [ "$SPIKE_NEXUS_BACKEND_STORE" != postgres ]; then
    die "SPIKE_NEXUS_REPLICAS=$SPIKE_NEXUS_REPLICAS needs SPIKE_NEXUS_BACKEND_STORE=postgres: replicas share one database, and a $SPIKE_NEXUS_BACKEND_STORE store belongs to one Nexus"
  fi
}

spike_pid() { cat "$SPIKE_PID_DIR/$1.pid" 2>/dev/null || true; }

# Running = the pid file names a live process that runs one of our binaries,
# or a child this shell just forked to start one (until it execs, its command
# line is still this shell's, which need not say "spike").
spike_is_running() {
  local pid stat ppid
  pid=$(spike_pid "$1")
  [ -n "$pid" ] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  grep -q "spike" "/proc/$pid/cmdline" 2>/dev/null && return 0
  stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
  stat=${stat##*) }   # past "pid (comm) ": state ppid …
  read -r _ ppid _ <<<"$stat"
  [ "$ppid" = "$$" ]
}

spike_log_size() { stat -c %s "$SPIKE_LOG_DIR/$1.log" 2>/dev/null || echo 0; }

# spike_start NAME ENTRY [VAR=value...]: start dist/ENTRY.js in the background, detached.
spike_start() {
  local name=$1 entry=$2
  shift 2
  local log="$SPIKE_LOG_DIR/$name.log"
  # shellcheck disable=SC2086 # SPIKE_START_ARGS: words on purpose (none, or a subcommand)
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

# The state Nexus (or replica NAME) last reported since it last started: ready | restore | starting.
spike_nexus_state() {
  local log="$SPIKE_LOG_DIR/${1:-nexus}.log"
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

# shellcheck source=hack/lib-postgres.sh
source "$SPIKE_ROOT/hack/lib-postgres.sh"
