#!/usr/bin/env bash
# Give the Pilot the recover role: SPIFFE ID spiffe://<trust domain>/spike/pilot/role/recover.
# With the dev agent the running Pilot gets the new SVID at once (an SVID rotation).
set -euo pipefail
# shellcheck source=hack/lib-entry.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib-entry.sh"
spike_set_pilot_role recover
