// The real PilotClock: performance.now() and a promise timer.
import { setTimeout as delay } from 'node:timers/promises';
import type { PilotClock, PilotDeps } from './runtime.js';

export const realClock: PilotClock = {
  now: () => performance.now(),
  sleep: (ms) => delay(ms),
};

/** The deps' clock, else the real one. */
export function clockOf(deps: PilotDeps): PilotClock {
  return deps.clock ?? realClock;
}
