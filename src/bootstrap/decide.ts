// Whether Bootstrap should run (upstream `ShouldBootstrap` in app/bootstrap;
// for bare metal see docs/design.md § Bootstrap).
import type { BackendStore } from './config.js';

export type BootstrapDecision = { run: true; reason: string } | { run: false; reason: string };

export function decideBootstrap(opts: { backend: BackendStore; force: boolean; alreadyBootstrapped: boolean }): BootstrapDecision {
  if (opts.backend === 'memory') return { run: false, reason: 'backend store is memory: no root key needed' };
  if (opts.backend === 'lite') return { run: false, reason: 'backend store is lite: skipped as upstream' };
  if (opts.force) return { run: true, reason: 'SPIKE_BOOTSTRAP_FORCE=true' };
  if (opts.alreadyBootstrapped) return { run: false, reason: 'this store was bootstrapped before' };
  return { run: true, reason: 'first bootstrap of this store' };
}
