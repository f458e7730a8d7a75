#!/usr/bin/env bash
# Stop all or the named components of the local stack.
#   hack/stop.sh [--kill] [agent|nexus|nexus-N|keeper-N|postgres ...]
# --kill sends SIGKILL (simulates a crash; postgres: pg_ctl stop -m immediate); otherwise SIGTERM and a clean shutdown.
set -euo pipefail
# shellcheck source=hack/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

signal=TERM
names=()
for arg in "$@"; do
  case "$arg" in
    --kill) signal=KILL ;;
    -h|--help) sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    agent|nexus|nexus-[0-9]*|keeper-[0-9]*|postgres) names+=("$arg") ;;
    *) printf 'Error: unknown component %s (agent, nexus, nexus-2…, keeper-1..keeper-%s, postgres)\n' "$arg" "$SPIKE_KEEPER_COUNT" >&2; exit 2 ;;
  esac
done
if [ "${#names[@]}" -eq 0 ]; then
  # Every Nexus replica first, the agent last, so nobody loses its identity while
  # still serving; the database after the last Nexus that uses it.
  mapfile -t names < <(spike_nexus_names_known)
  for ((i = 1; i <= SPIKE_KEEPER_COUNT; i++)); do names+=("keeper-$i"); done
  [ -d "$SPIKE_PG_CLUSTER/data" ] && names+=(postgres)
  names+=(agent)
fi
for name in "${names[@]}"; do
  if [ "$name" = postgres ]; then
    if spike_pg_is_running; then
      mode=fast
      [ "$signal" = KILL ] && mode=immediate
      SPIKE_PG_BIN=$(spike_pg_bin) || die "PostgreSQL runs, but its pg_ctl is not found (PATH or /usr/lib/postgresql/*/bin)"
      spike_pg_stop "$mode"
      say "postgres: stopped ($mode)"
    else
      say "postgres: not running"
    fi
    continue
  fi
  if spike_is_running "$name"; then
    spike_stop "$name" "$signal"
    say "$name: stopped ($signal)"
  else
    rm -f "$SPIKE_PID_DIR/$name.pid"
    say "$name: not running"
  fi
done
