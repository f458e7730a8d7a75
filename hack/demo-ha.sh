#!/usr/bin/env bash
# The drill on PostgreSQL with two active Nexus replicas (`npm run demo -- --ha`,
# or DEMO_HA=1 npm run demo), narrated, on a private stack in a temporary
# directory with free loopback ports and a private PostgreSQL cluster (your
# own stack is untouched): start → write through one replica, read through the
# other → recover shards → one replica is killed mid-drill (SIGKILL) and the
# Pilot keeps working through the other → it restarts and rebuilds its key
# from the Keepers, and reads what was written while it was down → total loss
# of Nexus and Keepers (the database stays) → operator restore → every secret
# reads back through each replica. Ends with PASS (exit 0) or FAIL (exit 1).
# SPIKE_DEMO_KEEP=true keeps the temporary directory for inspection.
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=hack/lib-demo.sh
source "$ROOT/hack/lib-demo.sh"

demo_init
export SPIKE_NEXUS_BACKEND_STORE=postgres SPIKE_NEXUS_REPLICAS=2
# The private cluster, never a database of the caller's environment.
unset SPIKE_NEXUS_DATABASE_URL SPIKE_NEXUS_DATABASE_PASSWORD_FILE

# Two replicas on consecutive ports (P0, P0 + 1) and three Keepers.
pick_ports() {
  local p0 k1 k2 k3
  p0=$(free_port_pair)
  read -r k1 k2 k3 < <(free_ports 3)
  export SPIKE_NEXUS_TLS_PORT="127.0.0.1:$p0"
  export SPIKE_NEXUS_API_URL="https://127.0.0.1:$p0"
  URL1="https://127.0.0.1:$p0"
  URL2="https://127.0.0.1:$((p0 + 1))"
  local k="spiffe://${SPIKE_DEV_TRUST_DOMAIN:-spike.ist}/spike/keeper"
  export SPIKE_NEXUS_KEEPER_PEERS="https://127.0.0.1:$k1=$k/1,https://127.0.0.1:$k2=$k/2,https://127.0.0.1:$k3=$k/3"
}

# spike_at URL ARGS...: the Pilot against one replica.
spike_at() { local url=$1; shift; printf '$ SPIKE_NEXUS_API_URL=%s spike %s\n' "$url" "$*"; SPIKE_NEXUS_API_URL=$url spike "$@"; }
LOG="$SPIKE_DEV_DIR/logs"

# wait_log NAME MSG OFFSET WHAT: wait until NAME's log past OFFSET says MSG (60 s at most).
wait_log() {
  local deadline=$((SECONDS + 60))
  until tail -c +"$(($3 + 1))" "$LOG/$1.log" 2>/dev/null | grep -q "\"msg\":\"$2\""; do
    [ "$SECONDS" -lt "$deadline" ] || fail "$4"
    sleep 0.2
  done
}

step "1. Start the stack: a private PostgreSQL cluster, dev Workload API, 3 Keepers, 2 Nexus replicas, Bootstrap"
demo_start_stack nexus nexus-2 keeper-1 keeper-2 keeper-3 agent
echo "The Pilot's SPIKE_NEXUS_API_URL lists both replicas: $SPIKE_NEXUS_API_URL"

step "2. As superuser: write through replica 1, read through replica 2 (one store)"
spike_at "$URL1" secret put secrets/db-creds username=admin 'password=c0rrect horse' || fail "secret put through replica 1 failed"
got=$(spike_at "$URL2" secret get secrets/db-creds password) || fail "secret get through replica 2 failed"
printf '%s\n' "$got"
[ "$(tail -n 1 <<<"$got")" = 'c0rrect horse' ] || fail "replica 2 read something else than replica 1 wrote"

step "3. While healthy: switch the Pilot to the recover role and save the shards"
run "$ROOT/hack/spire-server-entry-recover-register.sh" || fail "role switch failed"
spike_at "$URL1" operator recover || fail "spike operator recover failed"
SHARD_DIR="$SPIKE_PILOT_RECOVERY_DIR/recover"
n=$(find "$SHARD_DIR" -maxdepth 1 -name 'spike.recovery.*.txt' | wc -l)
[ "$n" -eq 3 ] || fail "expected 3 shard files, found $n"
echo "3 shard files saved in $SHARD_DIR."
run "$ROOT/hack/spire-server-entry-su-register.sh" || fail "role switch failed"

step "4. Mid-drill, replica 1 crashes (SIGKILL): the Pilot keeps working through replica 2"
run "$STOP" --kill nexus
# The Pilot has both replicas' URLs (hack/env.sh): it cannot connect to
# replica 1 and moves on to replica 2.
PILOT_URL=$SPIKE_NEXUS_API_URL
spike_at "$PILOT_URL" secret put secrets/api-key key=AKIA-DEMO-1234 || fail "secret put failed with replica 1 down"
got=$(spike_at "$PILOT_URL" secret get secrets/db-creds password) || fail "secret get failed with replica 1 down"
printf '%s\n' "$got"
[ "$(tail -n 1 <<<"$got")" = 'c0rrect horse' ] || fail "secrets/db-creds read back as something else with replica 1 down"

step "5. Replica 1 restarts: it rebuilds its root key from the Keepers and reads what was written meanwhile"
for attempt in 1 2 3; do
  off=$(stat -c %s "$LOG/nexus.log")
  if run "$START"; then break; fi
  # only the port, taken while replica 1 was down, is worth another try: both replicas move to new ports
  if ! tail -c +"$((off + 1))" "$LOG/nexus.log" | grep -qs EADDRINUSE || [ "$attempt" -ge 3 ]; then fail "replica 1 did not recover from the Keepers"; fi
  echo "(replica 1's port was taken while it was down: both replicas start again on new ports)"
  "$STOP" --kill nexus nexus-2 >/dev/null 2>&1 || true
  pick_ports_keep_keepers=$SPIKE_NEXUS_KEEPER_PEERS
  pick_ports
  export SPIKE_NEXUS_KEEPER_PEERS=$pick_ports_keep_keepers
done
got=$(spike_at "$URL1" secret get secrets/api-key key) || fail "secret get through the restarted replica 1 failed"
printf '%s\n' "$got"
[ "$(tail -n 1 <<<"$got")" = 'AKIA-DEMO-1234' ] || fail "replica 1 does not read what replica 2 stored while it was down"

step "6. Disaster: both replicas and every Keeper die at once (the database keeps the sealed store)"
demo_total_loss nexus nexus-2 keeper-1 keeper-2 keeper-3

step "7. Break glass: switch to the restore role and feed the shards to replica 1, one per run"
run "$ROOT/hack/spire-server-entry-restore-register.sh" || fail "role switch failed"
spike_at "$URL1" operator status || fail "spike operator status failed"
off2=$(stat -c %s "$LOG/nexus-2.log")
demo_feed_shards "$URL1"
# Replica 1 refills the Keepers; replica 2 rebuilds the key from them.
wait_log nexus-2 root_key_ready "$off2" "replica 2 did not get the root key from the refilled Keepers within 60 s"
echo "Replica 2 rebuilt the root key from the Keepers that replica 1 refilled."

step "8. Back to superuser: every secret reads back through each replica"
run "$ROOT/hack/spire-server-entry-su-register.sh" || fail "role switch failed"
for url in "$URL1" "$URL2"; do
  got=$(spike_at "$url" secret get secrets/db-creds password) || fail "secret get through $url failed"
  [ "$(tail -n 1 <<<"$got")" = 'c0rrect horse' ] || fail "secrets/db-creds read back as something else through $url"
  got=$(spike_at "$url" secret get secrets/api-key key) || fail "secret get through $url failed"
  [ "$(tail -n 1 <<<"$got")" = 'AKIA-DEMO-1234' ] || fail "secrets/api-key read back as something else through $url"
  echo "$url: both secrets as written."
done

step "9. Clean up the shard files"
run rm -f "$SHARD_DIR"/spike.recovery.*.txt

printf '\n'
bold "PASS: the HA drill succeeded; a replica was lost and no secret was."
