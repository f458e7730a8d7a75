#!/usr/bin/env bash
# Print export lines for using the Pilot against the local stack:
#   eval "$(hack/env.sh)"
set -euo pipefail
# shellcheck source=hack/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
q() { printf '%q' "$1"; }
echo "export SPIKE_DEV_DIR=$(q "$SPIKE_DEV_DIR")"
echo "export SPIFFE_ENDPOINT_SOCKET=$(q "$(spike_socket pilot)")"
echo "export SPIKE_NEXUS_API_URL=$(q "$SPIKE_NEXUS_API_URL")"
echo "export SPIKE_NEXUS_SHAMIR_SHARES=$(q "$SPIKE_NEXUS_SHAMIR_SHARES")"
[ -n "${SPIKE_PILOT_RECOVERY_DIR:-}" ] && echo "export SPIKE_PILOT_RECOVERY_DIR=$(q "$SPIKE_PILOT_RECOVERY_DIR")"
[ -n "${SPIKE_TRUST_ROOT_PILOT:-}" ] && echo "export SPIKE_TRUST_ROOT_PILOT=$(q "$SPIKE_TRUST_ROOT_PILOT")"
[ -n "${SPIKE_TRUST_ROOT_NEXUS:-}" ] && echo "export SPIKE_TRUST_ROOT_NEXUS=$(q "$SPIKE_TRUST_ROOT_NEXUS")"
echo "export PATH=$(q "$SPIKE_ROOT/dist/bin"):\"\$PATH\""
