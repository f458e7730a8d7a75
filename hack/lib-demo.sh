# shellcheck shell=bash
# Narration and port picking shared by hack/demo.sh and hack/demo-ha.sh.

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
