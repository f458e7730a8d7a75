#!/usr/bin/env bash
# The break-glass drill (docs/design.md § The drill), narrated, on a private stack in
# a temporary directory with free loopback ports (your own stack is untouched):
# start → write secrets → recover shards → Nexus crash (self-heals from Keepers)
# → Keeper crash (refilled by Nexus) → total loss → operator restore → every
# secret reads back. Ends with PASS (exit 0) or FAIL (exit 1).
# SPIKE_DEMO_KEEP=true keeps the temporary directory for inspection.
#   hack/demo.sh [--ha]
# --ha (or DEMO_HA=1): the drill on PostgreSQL with two Nexus replicas, one of
# them killed mid-drill (hack/demo-ha.sh).
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=hack/lib-demo.sh
source "$ROOT/hack/lib-demo.sh"

for arg in "$@"; do
  case "$arg" in
    --ha) DEMO_HA=1 ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "Error: unknown argument $arg (usage: hack/demo.sh [--ha])" >&2; exit 2 ;;
  esac
done
if [ "${DEMO_HA:-}" = 1 ] || [ "${DEMO_HA:-}" = true ]; then exec bash "$ROOT/hack/demo-ha.sh"; fi

demo_init
# One Nexus, and never a database of the caller's environment (eval "$(hack/env.sh)" exports one).
unset SPIKE_NEXUS_REPLICAS SPIKE_NEXUS_DATABASE_URL SPIKE_NEXUS_DATABASE_PASSWORD_FILE
export -f spike 2>/dev/null || true

nexus_port() {
  export SPIKE_NEXUS_TLS_PORT="127.0.0.1:$1"
  export SPIKE_NEXUS_API_URL="https://127.0.0.1:$1"
}
# Nexus and three Keepers.
pick_ports() {
  read -r P0 P1 P2 P3 < <(free_ports 4)
  nexus_port "$P0"
  local k="spiffe://${SPIKE_DEV_TRUST_DOMAIN:-spike.ist}/spike/keeper"
  export SPIKE_NEXUS_KEEPER_PEERS="https://127.0.0.1:$P1=$k/1,https://127.0.0.1:$P2=$k/2,https://127.0.0.1:$P3=$k/3"
}

step "1. Start the stack: dev Workload API, 3 Keepers, Nexus, Bootstrap"
# shellcheck disable=SC2119 # no NAME: a retry stops everything
demo_start_stack

step "2. As superuser, store some secrets"
run spike secret put secrets/db-creds username=admin 'password=c0rrect horse' || fail "secret put failed"
run spike secret put secrets/api-key key=AKIA-DEMO-1234 || fail "secret put failed"

step "3. While healthy: switch the Pilot to the recover role and save the shards"
run "$ROOT/hack/spire-server-entry-recover-register.sh" || fail "role switch failed"
run spike operator recover || fail "spike operator recover failed"
SHARD_DIR="$SPIKE_PILOT_RECOVERY_DIR/recover"
run ls -l "$SHARD_DIR"
n=$(find "$SHARD_DIR" -maxdepth 1 -name 'spike.recovery.*.txt' | wc -l)
[ "$n" -eq 3 ] || fail "expected 3 shard files, found $n"
for f in "$SHARD_DIR"/spike.recovery.*.txt; do
  [ "$(stat -c %a "$f")" = 600 ] || fail "$f is not mode 0600"
  grep -Eq '^spike:[0-9]+:[0-9a-f]{64}$' "$f" || fail "$f is not in spike:<id>:<hex> form"
done
echo "3 shard files, each 0600, each spike:<id>:<64 hex>."
run spike operator verify || fail "the shard files do not verify against their manifest"

step "4. Nexus crashes (SIGKILL) and restarts: it rebuilds its root key from the Keepers"
run "$STOP" --kill nexus
t0=$(date +%s%N)
for attempt in 1 2 3; do
  off=$(stat -c %s "$SPIKE_DEV_DIR/logs/nexus.log")
  if run "$START"; then break; fi
  # only Nexus's port, taken while it was down, is worth another try (on a new port)
  if ! tail -c +"$((off + 1))" "$SPIKE_DEV_DIR/logs/nexus.log" | grep -qs EADDRINUSE || [ "$attempt" -ge 3 ]; then fail "Nexus did not recover from the Keepers"; fi
  echo "(Nexus's port was taken while it was down: starting it on a new port)"
  nexus_port "$(free_ports 1)"
done
echo "Nexus ready again after $(( ($(date +%s%N) - t0) / 1000000 )) ms (start-up included)."

step "5. A Keeper crashes and restarts empty: Nexus refills it"
run "$STOP" --kill keeper-1
off=$(stat -c %s "$SPIKE_DEV_DIR/logs/keeper-1.log")
t0=$(date +%s%N)
run "$START" || fail "keeper-1 did not restart"
while ! tail -c +"$((off + 1))" "$SPIKE_DEV_DIR/logs/keeper-1.log" | grep -q '"msg":"shard_stored"'; do
  [ $(( ($(date +%s%N) - t0) / 1000000000 )) -lt 30 ] || fail "keeper-1 was not refilled within 30 s"
  sleep 0.2
done
echo "keeper-1 holds its shard again after $(( ($(date +%s%N) - t0) / 1000000 )) ms (update interval $SPIKE_NEXUS_KEEPER_UPDATE_INTERVAL)."

step "6. Disaster: Nexus and every Keeper die at once"
demo_total_loss nexus keeper-1 keeper-2 keeper-3

step "7. Break glass: switch to the restore role and feed the shards, one per run"
run "$ROOT/hack/spire-server-entry-restore-register.sh" || fail "role switch failed"
run spike operator status || fail "spike operator status failed"
# shellcheck disable=SC2119 # no URL: the Pilot's own
demo_feed_shards

step "8. Back to superuser: every secret reads back as written"
run "$ROOT/hack/spire-server-entry-su-register.sh" || fail "role switch failed"
got=$(spike secret get secrets/db-creds password) || fail "secret get failed"
[ "$got" = 'c0rrect horse' ] || fail "secrets/db-creds password read back as something else"
got=$(spike secret get secrets/api-key key) || fail "secret get failed"
[ "$got" = 'AKIA-DEMO-1234' ] || fail "secrets/api-key read back as something else"
run spike secret get secrets/db-creds username

step "9. Clean up the shard files, as the seed advises after encrypting them"
run rm -f "$SHARD_DIR"/spike.recovery.*.txt

printf '\n'
bold "PASS: the break-glass drill succeeded; no secret was lost."
