# shellcheck shell=bash
# Narration, port picking and the drill steps shared by hack/demo.sh and
# hack/demo-ha.sh (the sourcing script sets ROOT, and defines pick_ports for
# demo_start_stack).

bold() { if [ -t 1 ]; then printf '\033[1m%s\033[0m\n' "$*"; else printf '%s\n' "$*"; fi; }
step() { printf '\n'; bold "== $* =="; }
fail() { printf '\n'; bold "FAIL: $*"; exit 1; }
run() { printf '$ %s\n' "$*"; "$@"; }

# Loopback ports picked by the OS. A port picked here can be taken by another
# process before the stack binds it (also a port freed by a crash, before the
# restart binds it again): the step then starts again on new ports (the logs
# say EADDRINUSE).
free_ports() {
  node -e '
    const net = require("node:net");
    const get = () => new Promise((ok) => { const s = net.createServer(); s.listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => ok(p)); }); });
    Promise.all(Array.from({ length: Number(process.argv[1]) }, get)).then((p) => console.log(p.join(" ")));' "$1"
}

# A loopback port P such that P and P+1 were both free a moment ago (two Nexus replicas).
free_port_pair() {
  node -e '
    const net = require("node:net");
    const listen = (port) => new Promise((ok) => { const s = net.createServer(); s.once("error", () => ok(undefined)); s.listen(port, "127.0.0.1", () => ok(s)); });
    (async () => {
      for (;;) {
        const a = await listen(0);
        if (a === undefined) continue;
        const p = a.address().port;
        const b = p < 65535 ? await listen(p + 1) : undefined;
        a.close();
        if (b !== undefined) { b.close(); console.log(p); return; }
      }
    })();'
}

spike() { node "$ROOT/dist/spike.cjs" "$@"; }

# Builds dist/ if it is missing, makes the private DEMO_DIR (0700; on exit every
# process of the stack is killed and DEMO_DIR removed, unless
# SPIKE_DEMO_KEEP=true) and exports what both drills share: the stack's
# directories under DEMO_DIR, loopback only, a 2 s Keeper update interval,
# 3 shares with threshold 2. Sets START and STOP (hack/start.sh, hack/stop.sh).
demo_init() {
  [ -f "$ROOT/dist/spike.cjs" ] || (cd "$ROOT" && npm run --silent build) || fail "build failed"
  DEMO_DIR=$(mktemp -d /tmp/spike-demo.XXXXXX)
  chmod 700 "$DEMO_DIR"
  trap demo_cleanup EXIT
  export SPIKE_DEV_DIR="$DEMO_DIR/dev"
  export SPIKE_NEXUS_DATA_DIR="$DEMO_DIR/nexus"
  export SPIKE_PILOT_RECOVERY_DIR="$DEMO_DIR/operator"
  export SPIKE_DEV_LISTEN_HOST=127.0.0.1
  export SPIKE_NEXUS_KEEPER_UPDATE_INTERVAL=2s
  export SPIKE_NEXUS_SHAMIR_SHARES=3 SPIKE_NEXUS_SHAMIR_THRESHOLD=2
  mkdir -m 700 "$SPIKE_PILOT_RECOVERY_DIR"
  START="$ROOT/hack/start.sh"
  STOP="$ROOT/hack/stop.sh"
}

demo_cleanup() {
  # Every process of the stack (and a private PostgreSQL cluster, if any).
  "$ROOT/hack/stop.sh" --kill >/dev/null 2>&1 || true
  if [ "${SPIKE_DEMO_KEEP:-}" = true ]; then echo "(kept $DEMO_DIR)"; else rm -rf -- "$DEMO_DIR"; fi
}

# demo_start_stack [NAME...]: hack/start.sh on ports from pick_ports; when a
# port was taken meanwhile (EADDRINUSE in the logs), `hack/stop.sh --kill
# NAME...` (no NAME: everything) and again on new ports, 3 tries in all. Then
# the Pilot's environment (hack/env.sh).
demo_start_stack() {
  local attempt
  for attempt in 1 2 3; do
    pick_ports
    if run "$START"; then break; fi
    # only a port taken meanwhile is worth another try
    if ! grep -qs EADDRINUSE "$SPIKE_DEV_DIR"/logs/*.log || [ "$attempt" -ge 3 ]; then fail "the stack did not become ready"; fi
    echo "(a port was taken meanwhile: starting again on new ports)"
    "$STOP" --kill "$@" >/dev/null 2>&1 || true
    mv "$SPIKE_DEV_DIR/logs" "$SPIKE_DEV_DIR/logs.attempt-$attempt"
  done
  eval "$("$ROOT/hack/env.sh")"
}

# demo_total_loss NAME...: kills NAME... at once and starts the stack again:
# Nexus must wait for an operator restore (hack/start.sh exit 10).
demo_total_loss() {
  local rc
  run "$STOP" --kill "$@"
  run "$START"
  rc=$?
  [ "$rc" -eq 10 ] || fail "expected Nexus to wait for an operator restore (start.sh exit 10), got exit $rc"
}

# demo_feed_shards [URL]: feeds the shard files of SHARD_DIR, one per
# `spike operator restore --manifest` run (to the Nexus at URL if given), until
# Nexus says it is restored.
demo_feed_shards() {
  local url=${1:-} prompt='$ ' f out
  [ -z "$url" ] || prompt="\$ SPIKE_NEXUS_API_URL=$url "
  for f in "$SHARD_DIR"/spike.recovery.*.txt; do
    printf '%sspike operator restore --manifest %s < %s\n' "$prompt" "$SHARD_DIR/spike.recovery.manifest.json" "$f"
    out=$(SPIKE_NEXUS_API_URL=${url:-$SPIKE_NEXUS_API_URL} spike operator restore --manifest "$SHARD_DIR/spike.recovery.manifest.json" <"$f") || fail "spike operator restore failed: $out"
    printf '%s\n' "$out"
    if grep -q 'restored and ready' <<<"$out"; then return 0; fi
  done
  fail "Nexus was not restored after feeding every shard"
}
