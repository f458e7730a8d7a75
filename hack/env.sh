#!/usr/bin/env bash
# Print export lines for using the Pilot against the local stack:
#   eval "$(hack/env.sh)"
set -euo pipefail
# shellcheck source=hack/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
q() { printf '%q' "$1"; }
echo "export SPIKE_DEV_DIR=$(q "$SPIKE_DEV_DIR")"
echo "export SPIFFE_ENDPOINT_SOCKET=$(q "$(spike_socket pilot)")"
# Several replicas: the list of their URLs (the Pilot tries the next one when it
# cannot connect); the number is SPIKE_NEXUS_REPLICAS or the last hack/start.sh's.
[[ $SPIKE_NEXUS_REPLICAS =~ ^[1-9][0-9]*$ ]] || die "SPIKE_NEXUS_REPLICAS must be a whole number from 1 (got '$SPIKE_NEXUS_REPLICAS')"
echo "export SPIKE_NEXUS_API_URL=$(q "$(spike_nexus_urls)")"
# The local PostgreSQL cluster, for operators' tools (spike-nexus store copy, psql):
# its URL and the password's file, never the password.
if [ "$SPIKE_NEXUS_BACKEND_STORE" = postgres ] && [ -z "${SPIKE_NEXUS_DATABASE_URL:-}" ] && [ -f "$SPIKE_PG_PASSWORD_FILE" ]; then
  echo "export SPIKE_NEXUS_BACKEND_STORE=postgres"
  echo "export SPIKE_NEXUS_DATABASE_URL=$(q "$(spike_pg_url)")"
  echo "export SPIKE_NEXUS_DATABASE_PASSWORD_FILE=$(q "$SPIKE_PG_PASSWORD_FILE")"
fi
echo "export SPIKE_NEXUS_SHAMIR_SHARES=$(q "$SPIKE_NEXUS_SHAMIR_SHARES")"
[ -n "${SPIKE_PILOT_RECOVERY_DIR:-}" ] && echo "export SPIKE_PILOT_RECOVERY_DIR=$(q "$SPIKE_PILOT_RECOVERY_DIR")"
[ -n "${SPIKE_TRUST_ROOT_PILOT:-}" ] && echo "export SPIKE_TRUST_ROOT_PILOT=$(q "$SPIKE_TRUST_ROOT_PILOT")"
[ -n "${SPIKE_TRUST_ROOT_NEXUS:-}" ] && echo "export SPIKE_TRUST_ROOT_NEXUS=$(q "$SPIKE_TRUST_ROOT_NEXUS")"
# A checkout's dist/bin has the command names (scripts/build.mjs); an installed
# package (npm install -g) has them in npm's own bin directory, on PATH already.
if [ -d "$SPIKE_ROOT/dist/bin" ]; then
  echo "export PATH=$(q "$SPIKE_ROOT/dist/bin"):\"\$PATH\""
fi
