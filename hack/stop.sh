#!/usr/bin/env bash
# Stop all or the named components of the local stack.
#   hack/stop.sh [--kill] [agent|nexus|keeper-N ...]
# --kill sends SIGKILL (simulates a crash); otherwise SIGTERM and a clean shutdown.
set -euo pipefail
# shellcheck source=hack/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

signal=TERM
names=()
for arg in "$@"; do
  case "$arg" in
    --kill) signal=KILL ;;
    -h|--help) sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    agent|nexus|keeper-[0-9]*) names+=("$arg") ;;
    *) printf 'Error: unknown component %s (agent, nexus, keeper-1..keeper-%s)\n' "$arg" "$SPIKE_KEEPER_COUNT" >&2; exit 2 ;;
  esac
done
if [ "${#names[@]}" -eq 0 ]; then
  # Nexus first, the agent last, so nobody loses its identity while still serving.
  names=(nexus)
  for ((i = 1; i <= SPIKE_KEEPER_COUNT; i++)); do names+=("keeper-$i"); done
  names+=(agent)
fi
for name in "${names[@]}"; do
  if spike_is_running "$name"; then
    spike_stop "$name" "$signal"
    say "$name: stopped ($signal)"
  else
    rm -f "$SPIKE_PID_DIR/$name.pid"
    say "$name: not running"
  fi
done
