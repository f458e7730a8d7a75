#!/usr/bin/env bash
# Start the local SPIKE stack (idempotent): the dev Workload API, every Keeper
# and Nexus that are not running; Bootstrap when this store was never
# bootstrapped (or SPIKE_BOOTSTRAP_FORCE=true); then wait until Nexus is ready
# or is waiting for an operator restore, and say which.
# Exit: 0 ready, 10 waiting for `spike operator restore`, 1 failure.
set -euo pipefail
# shellcheck source=hack/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

: "${SPIKE_START_TIMEOUT:=60}"
spike_ensure_built
spike_ensure_dirs

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

# 3. Nexus.
nexus_started=false
if spike_is_running nexus; then
  say "nexus: already running (pid $(spike_pid nexus))"
else
  off=$(spike_log_size nexus)
  spike_start nexus spike-nexus SPIFFE_ENDPOINT_SOCKET="$(spike_socket nexus)"
  seen=$(spike_wait_event nexus nexus_listening "$off" 30) || die_with_log nexus "nexus did not start ($seen)" "$off"
  say "nexus: started on $SPIKE_NEXUS_TLS_PORT (pid $(spike_pid nexus))"
  nexus_started=true
fi

# 4. Bootstrap. It decides itself: it skips when this store was bootstrapped before
#    (unless SPIKE_BOOTSTRAP_FORCE=true), as a re-key would orphan the stored secrets.
if [ "$nexus_started" = true ] || [ "$(spike_nexus_state)" != ready ]; then
  off=$(spike_log_size bootstrap)
  if ! env SPIFFE_ENDPOINT_SOCKET="$(spike_socket bootstrap)" node "$SPIKE_ROOT/dist/spike-bootstrap.js" -init >>"$SPIKE_LOG_DIR/bootstrap.log" 2>&1; then
    die "bootstrap failed; see $SPIKE_LOG_DIR/bootstrap.log"
  fi
  if tail -c +"$((off + 1))" "$SPIKE_LOG_DIR/bootstrap.log" | grep -q '"msg":"bootstrap_skipped"'; then
    say "bootstrap: this store was bootstrapped before; skipped"
  else
    say "bootstrap: new root key generated, one shard given to each Keeper"
  fi
fi

# 5. Wait for Nexus to be ready, or to say that it needs an operator restore.
deadline=$((SECONDS + SPIKE_START_TIMEOUT))
while :; do
  state=$(spike_nexus_state)
  case "$state" in
    ready)
      say "SPIKE Nexus is ready at $SPIKE_NEXUS_API_URL."
      say "Use the Pilot with: eval \"\$($SPIKE_ROOT/hack/env.sh)\""
      exit 0 ;;
    restore)
      say "SPIKE Nexus is up but has no root key: the Keepers hold too few shards."
      say "It is waiting for an operator restore: switch the Pilot to the restore role"
      say "(hack/spire-server-entry-restore-register.sh) and run \`spike operator restore\` once per shard."
      exit 10 ;;
  esac
  spike_is_running nexus || die_with_log nexus "nexus exited"
  [ "$SECONDS" -lt "$deadline" ] || die "nexus neither ready nor waiting for restore after ${SPIKE_START_TIMEOUT}s; see $SPIKE_LOG_DIR/nexus.log"
  sleep 0.2
done
