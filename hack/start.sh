#!/usr/bin/env bash
# Start the local SPIKE stack (idempotent): the dev Workload API, every Keeper
# and Nexus that are not running; Bootstrap when this store was never
# bootstrapped (or SPIKE_BOOTSTRAP_FORCE=true); then wait until Nexus is ready
# or is waiting for an operator restore, and say which.
# With SPIKE_NEXUS_BACKEND_STORE=postgres and no SPIKE_NEXUS_DATABASE_URL, a
# private PostgreSQL cluster under $SPIKE_DEV_DIR/postgres (unix socket only)
# is created and started first; SPIKE_NEXUS_REPLICAS=N (postgres only) starts
# N Nexus replicas on consecutive ports from SPIKE_NEXUS_TLS_PORT.
# Exit: 0 ready, 10 waiting for `spike operator restore`, 1 failure.
set -euo pipefail
# shellcheck source=hack/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

: "${SPIKE_START_TIMEOUT:=60}"
case "$SPIKE_NEXUS_BACKEND_STORE" in
  sqlite|lite|memory|postgres) ;;
  *) die "SPIKE_NEXUS_BACKEND_STORE must be sqlite, lite, memory or postgres (got '$SPIKE_NEXUS_BACKEND_STORE')" ;;
esac
spike_check_replicas
# A stack started on one backend and then on another would bootstrap the second
# store anew and re-key the Keepers: the first store's secrets would be lost.
recorded=$(spike_stack_conf backend)
if [ -n "$recorded" ] && [ "$recorded" != "$SPIKE_NEXUS_BACKEND_STORE" ] && [ "${SPIKE_START_SWITCH_BACKEND:-}" != true ]; then
  die "this stack ($SPIKE_DEV_DIR) runs on SPIKE_NEXUS_BACKEND_STORE=$recorded; starting it on $SPIKE_NEXUS_BACKEND_STORE would bootstrap a new store and re-key the Keepers, leaving the $recorded store unreadable. Use another SPIKE_DEV_DIR or hack/reset.sh; after moving the store with spike-nexus store copy, start once with SPIKE_START_SWITCH_BACKEND=true"
fi
# The local PostgreSQL cluster's binaries, checked before anything starts.
pg_local=false
if [ "$SPIKE_NEXUS_BACKEND_STORE" = postgres ] && { [ -z "${SPIKE_NEXUS_DATABASE_URL:-}" ] || [ "$SPIKE_NEXUS_DATABASE_URL" = "$(spike_pg_url)" ]; }; then
  pg_local=true
  spike_pg_require_bin
fi
spike_ensure_built
spike_ensure_dirs
printf 'backend=%s\nreplicas=%s\n' "$SPIKE_NEXUS_BACKEND_STORE" "$SPIKE_NEXUS_REPLICAS" >"$SPIKE_STACK_CONF"

# 1. Dev Workload API.
if spike_is_running agent; then
  say "spike-dev-agent: already running (pid $(spike_pid agent))"
else
  off=$(spike_log_size agent)
  SPIKE_START_ARGS=run spike_start agent spike-dev-agent
  seen=$(spike_wait_event agent agent_ready "$off" 20) || die "spike-dev-agent did not become ready ($seen); see $SPIKE_LOG_DIR/agent.log"
  say "spike-dev-agent: started (pid $(spike_pid agent)), sockets in $SPIKE_SOCKET_DIR"
fi

# A dev dir made before Keepers had IDs of their own gives every keeper-i the
# shared spike/keeper, which the pinned SPIKE_NEXUS_KEEPER_PEERS refuses:
# move those entries to spike/keeper/<i> (other entries are left as they are).
entries=$(spike_dev_agent entry list --json 2>/dev/null || true)
for ((i = 1; i <= SPIKE_KEEPER_COUNT; i++)); do
  if grep -Eq "\"keeper-$i\": ?\"spiffe://$(spike_trust_domain)/spike/keeper\"" <<<"$entries"; then
    spike_dev_agent entry set "keeper-$i" "$(spike_keeper_id "$i")" >/dev/null || die "could not update the entry of keeper-$i"
    say "keeper-$i: SPIFFE ID is now $(spike_keeper_id "$i")"
  fi
done

# 2. Keepers.
for ((i = 1; i <= SPIKE_KEEPER_COUNT; i++)); do
  name="keeper-$i"
  if spike_is_running "$name"; then
    say "$name: already running (pid $(spike_pid "$name"))"
    continue
  fi
  port=$(spike_keeper_port "$i")
  off=$(spike_log_size "$name")
  spike_start "$name" spike-keeper SPIFFE_ENDPOINT_SOCKET="$(spike_socket "$name")" SPIKE_KEEPER_TLS_PORT="${SPIKE_DEV_LISTEN_HOST:-}:$port"
  seen=$(spike_wait_event "$name" keeper_listening "$off" 30) || die_with_log "$name" "$name did not start ($seen)" "$off"
  say "$name: started on :$port (pid $(spike_pid "$name"))"
done

# 3. PostgreSQL (postgres backend without a database of the user's): the private cluster.
if [ "$SPIKE_NEXUS_BACKEND_STORE" = postgres ]; then
  if [ "$pg_local" = true ]; then
    if spike_pg_is_running; then
      say "postgres: already running (pid $(spike_pg_pid)), socket in $SPIKE_PG_CLUSTER"
    else
      spike_pg_init
      spike_pg_start
      say "postgres: started (pid $(spike_pg_pid)), unix socket in $SPIKE_PG_CLUSTER, no TCP"
    fi
    export SPIKE_NEXUS_DATABASE_URL SPIKE_NEXUS_DATABASE_PASSWORD_FILE
    SPIKE_NEXUS_DATABASE_URL=$(spike_pg_url)
    SPIKE_NEXUS_DATABASE_PASSWORD_FILE=$SPIKE_PG_PASSWORD_FILE
  else
    say "postgres: using SPIKE_NEXUS_DATABASE_URL (no local cluster)"
  fi
fi

# 4. Nexus, each replica.
nexus_started=false
for ((i = 1; i <= SPIKE_NEXUS_REPLICAS; i++)); do
  name=$(spike_nexus_name "$i")
  if spike_is_running "$name"; then
    say "$name: already running (pid $(spike_pid "$name"))"
    continue
  fi
  off=$(spike_log_size "$name")
  # Replica i: its own port, name (spike operator status) and readiness port if one is asked for.
  extra=()
  if [[ ${SPIKE_NEXUS_HEALTH_PORT:-0} =~ ^[1-9][0-9]*$ ]]; then extra+=(SPIKE_NEXUS_HEALTH_PORT="$((SPIKE_NEXUS_HEALTH_PORT + i - 1))"); fi
  spike_start "$name" spike-nexus SPIFFE_ENDPOINT_SOCKET="$(spike_socket nexus)" SPIKE_NEXUS_TLS_PORT="$(spike_nexus_listen "$i")" \
    SPIKE_NEXUS_REPLICA_NAME="$name" ${extra[@]+"${extra[@]}"}
  seen=$(spike_wait_event "$name" nexus_listening "$off" 30) || die_with_log "$name" "$name did not start ($seen)" "$off"
  say "$name: started on $(spike_nexus_listen "$i") (pid $(spike_pid "$name"))"
  nexus_started=true
done

# 5. Bootstrap. It decides itself: it skips when this store was bootstrapped before
#    (unless SPIKE_BOOTSTRAP_FORCE=true), as a re-key would orphan the stored secrets.
#    It checks the new key with the first replica; the others rebuild it from the Keepers.
not_ready=false
for ((i = 1; i <= SPIKE_NEXUS_REPLICAS; i++)); do
  [ "$(spike_nexus_state "$(spike_nexus_name "$i")")" = ready ] || not_ready=true
done
if [ "$nexus_started" = true ] || [ "$not_ready" = true ]; then
  off=$(spike_log_size bootstrap)
  if ! env SPIFFE_ENDPOINT_SOCKET="$(spike_socket bootstrap)" SPIKE_NEXUS_API_URL="$(spike_nexus_url 1)" node "$SPIKE_ROOT/dist/spike-bootstrap.js" -init >>"$SPIKE_LOG_DIR/bootstrap.log" 2>&1; then
    die "bootstrap failed; see $SPIKE_LOG_DIR/bootstrap.log"
  fi
  if tail -c +"$((off + 1))" "$SPIKE_LOG_DIR/bootstrap.log" | grep -q '"msg":"bootstrap_skipped"'; then
    say "bootstrap: this store was bootstrapped before; skipped"
  else
    say "bootstrap: new root key generated, one shard given to each Keeper"
  fi
fi

# 6. Wait for every replica to be ready, or to say that it needs an operator restore.
deadline=$((SECONDS + SPIKE_START_TIMEOUT))
while :; do
  ready=0 restore=0
  for ((i = 1; i <= SPIKE_NEXUS_REPLICAS; i++)); do
    name=$(spike_nexus_name "$i")
    case "$(spike_nexus_state "$name")" in
      ready) ready=$((ready + 1)) ;;
      restore) restore=$((restore + 1)) ;;
      *) spike_is_running "$name" || die_with_log "$name" "$name exited" ;;
    esac
  done
  if [ "$ready" -eq "$SPIKE_NEXUS_REPLICAS" ]; then
    if [ "$SPIKE_NEXUS_REPLICAS" -eq 1 ]; then
      say "SPIKE Nexus is ready at $SPIKE_NEXUS_API_URL."
    else
      say "SPIKE Nexus is ready: $SPIKE_NEXUS_REPLICAS replicas at $(spike_nexus_urls)."
    fi
    say "Use the Pilot with: eval \"\$($SPIKE_ROOT/hack/env.sh)\""
    exit 0
  fi
  if [ "$restore" -gt 0 ] && [ $((ready + restore)) -eq "$SPIKE_NEXUS_REPLICAS" ]; then
    say "SPIKE Nexus is up but has no root key: the Keepers hold too few shards."
    say "It is waiting for an operator restore: switch the Pilot to the restore role"
    say "(hack/spire-server-entry-restore-register.sh) and run \`spike operator restore\` once per shard."
    exit 10
  fi
  [ "$SECONDS" -lt "$deadline" ] || die "nexus neither ready nor waiting for restore after ${SPIKE_START_TIMEOUT}s; see $SPIKE_LOG_DIR/nexus.log"
  sleep 0.2
done
