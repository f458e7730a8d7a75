// Loads Node's TLS and HTTPS modules (and with them node:crypto) at a moment
// the fast path chooses. In the fast-path bundles these modules load on
// first use (scripts/lazy-builtins.mjs): reading one of their exports here
// loads them. run.ts calls this once the Workload API request is on its
// way, so that the ~5 ms they take on Node 20 overlap the agent's answer
// instead of preceding the request (test/bench/README.md § Start-up).
// Anywhere else (the full CLI, tests) the modules are loaded already and
// this does nothing.
import { createHash } from 'node:crypto';
import { request } from 'node:https';
import { connect } from 'node:tls';

/** The exports read; returned so that no bundler drops the reads. */
export function loadTlsModules(): readonly unknown[] {
  return [connect, request, createHash];
}
