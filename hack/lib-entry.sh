# shellcheck shell=bash
# Role switching for the Pilot: with spike-dev-agent (the local stack) the entry
# of workload "pilot" is changed in the running agent, which pushes the new SVID
# to open streams at once; when a real spire-server is on PATH and no dev agent
# runs, SPIRE entries are registered/updated as upstream's scripts do.
#
# Keepers under SPIRE: one entry per Keeper, Keeper i with its own ID
# spiffe://<td>/spike/keeper/<i> and selectors that tell the Keepers apart, e.g.
#   spire-server entry create -spiffeID spiffe://spike.ist/spike/keeper/1 \
#     -parentID spiffe://spike.ist/spire-agent -selector unix:uid:<uid> -selector unix:path:<keeper 1 binary>
# and each Keeper URL pinned to that ID for Nexus and Bootstrap:
#   SPIKE_NEXUS_KEEPER_PEERS=https://k1:8443=spiffe://spike.ist/spike/keeper/1,https://k2:8443=spiffe://spike.ist/spike/keeper/2,...
# (the dev agent's default entries and hack/lib.sh do exactly this; docs/design.md § Identities).
# shellcheck source=hack/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

spike_role_id() { echo "spiffe://$(spike_trust_domain)/spike/pilot/role/$1"; }

spike_use_spire() {
  command -v spire-server >/dev/null 2>&1 && ! spike_is_running agent
}

# spike_set_pilot_role ROLE: superuser | recover | restore
spike_set_pilot_role() {
  local role=$1 id
  id=$(spike_role_id "$role")
  if spike_use_spire; then
    spike_spire_set_pilot "$id"
  else
    spike_ensure_built
    spike_dev_agent entry set pilot "$id" >/dev/null || die "could not set the Pilot's SPIFFE ID (is the dev agent set up? run hack/start.sh)"
    say "The Pilot's SPIFFE ID is now $id"
  fi
}

# SPIRE: update the Pilot entry (any of the three roles) to ID, or create it.
spike_spire_set_pilot() {
  local want=$1 td spike_bin entry_id r
  td=$(spike_trust_domain)
  spike_bin="$SPIKE_ROOT/dist/spike.cjs"
  for r in superuser recover restore; do
    entry_id=$(spire-server entry show -spiffeID "spiffe://$td/spike/pilot/role/$r" 2>/dev/null | awk '/Entry ID/ {print $NF; exit}')
    [ -n "$entry_id" ] && break
  done
  if [ -n "$entry_id" ]; then
    spire-server entry update -entryID "$entry_id" -spiffeID "$want" -parentID "spiffe://$td/spire-agent" \
      -selector "unix:uid:$(id -u)" -selector "unix:path:$spike_bin" >/dev/null || die "spire-server entry update failed"
  else
    spire-server entry create -spiffeID "$want" -parentID "spiffe://$td/spire-agent" \
      -selector "unix:uid:$(id -u)" -selector "unix:path:$spike_bin" >/dev/null || die "spire-server entry create failed"
  fi
  say "Waiting for entries to be updated..."
  sleep 5
  say "The Pilot's SPIRE entry is now $want"
}
