#!/usr/bin/env bash
# Total system reset of the local stack: stops everything, deletes the Nexus
# store (ALL SECRETS AND POLICIES), the dev CA, registrations, sockets and logs.
# Recovery shards saved earlier become useless (a new root key is made at the
# next start). Asks for confirmation unless --yes.
set -euo pipefail
# shellcheck source=hack/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
usage() {
  cat <<EOF
Usage: hack/reset.sh [--yes]

Total system reset of the local stack: stops every component and deletes
  $SPIKE_NEXUS_DATA_DIR/data  (the Nexus store: ALL SECRETS AND POLICIES)
  $SPIKE_DEV_DIR  (dev CA, registrations, sockets, logs, and the local
      PostgreSQL cluster in postgres/ if any: the postgres store, ALL ITS SECRETS)
Recovery shards saved earlier become useless: the next hack/start.sh makes a
new root key. Use it only when the shards are lost; with shards, restore instead
(docs/runbook.md).

  -y, --yes    do not ask for confirmation (otherwise type 'reset' on a terminal)
  -h, --help   print this help and change nothing

Exit: 0 reset done (or help), 1 declined, 2 usage error or refused directory.
EOF
}
yes=false
for arg in "$@"; do
  case "$arg" in
    -h|--help) usage; exit 0 ;;
  esac
done
for arg in "$@"; do
  case "$arg" in
    --yes|-y) yes=true ;;
    *) echo "Error: unknown argument $arg (usage: hack/reset.sh [--yes]; --help explains)" >&2; exit 2 ;;
  esac
done
for d in "$SPIKE_DEV_DIR" "$SPIKE_NEXUS_DATA_DIR"; do
  real=$(realpath -m -- "$d")
  if [ "$real" = / ] || [ "$real" = "$(realpath -m -- "${HOME:-/}")" ] || [ "$(tr -cd / <<<"$real" | wc -c)" -lt 2 ]; then
    echo "Error: refusing to reset $d (too close to / or \$HOME)" >&2; exit 2
  fi
done
say "This deletes every secret and policy in $SPIKE_NEXUS_DATA_DIR/data"
[ -d "$SPIKE_PG_DIR" ] && say "and in the local PostgreSQL cluster, $SPIKE_PG_DIR,"
say "and all local SPIFFE state in $SPIKE_DEV_DIR."
if [ "$yes" != true ]; then
  if [ ! -t 0 ]; then echo "Error: not a terminal; pass --yes to confirm the reset" >&2; exit 2; fi
  read -r -p "Type 'reset' to continue: " answer
  [ "$answer" = reset ] || { say "Nothing was changed."; exit 1; }
fi
"$SPIKE_ROOT/hack/stop.sh" --kill >/dev/null
rm -rf -- "$SPIKE_NEXUS_DATA_DIR/data" "$SPIKE_DEV_DIR"
say "Reset complete. Start a new system with hack/start.sh."
say "Recovery shards saved before this reset can no longer restore anything: erase them."
