// Failpoints: a testing aid that lets end-to-end tests kill an app at an exact
// point of a multi-step operation (crash safety of the root-key rotation).
// A spec "name[@N],..." arms each named point to fire the N-th time (default
// the 1st) the code reaches it; firing calls `kill` (the apps: SIGKILL to
// themselves, so nothing runs after it — no finally, no exit handler). With
// no spec every `hit` is a no-op. Never enable in production.
import { quoteForMessage } from '../util/quote-for-message.js';

export interface Failpoints {
  /** Counts one pass through `name`; fires when it is the armed pass. `detail` (numbers only, never secrets) goes into the kill line. */
  hit(name: string, detail?: Readonly<Record<string, number>>): void;
  /** The armed points, "name@N" each (for the start-up warning). */
  armed(): string[];
}

export const NO_FAILPOINTS: Failpoints = { hit: () => undefined, armed: () => [] };

export class FailpointSpecError extends Error {
  override readonly name = 'FailpointSpecError';
}

const ITEM = /^([a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*)(?:@([1-9][0-9]{0,8}))?$/;

/**
 * Parses "name[@N],..." (blanks around items ignored). Every name must be in
 * `known`; a name given twice, an N that is not a positive whole number, or an
 * empty item is an error (one line, naming the item).
 */
export function parseFailpointSpec(spec: string, known: readonly string[]): ReadonlyMap<string, number> {
  const out = new Map<string, number>();
  for (const raw of spec.split(',')) {
    const item = raw.trim();
    const m = ITEM.exec(item);
    if (m === null) throw new FailpointSpecError(`bad failpoint ${quoteForMessage(item)}: expected name or name@N (N ≥ 1)`);
    const name = m[1] as string;
    if (!known.includes(name)) throw new FailpointSpecError(`unknown failpoint ${quoteForMessage(name)} (known: ${known.join(', ')})`);
    if (out.has(name)) throw new FailpointSpecError(`failpoint ${quoteForMessage(name)} given twice`);
    out.set(name, m[2] === undefined ? 1 : Number(m[2]));
  }
  return out;
}

/** SIGKILL to this process: nothing after the call runs. */
export function killSelf(): never {
  process.kill(process.pid, 'SIGKILL');
  // SIGKILL to ourselves is delivered before kill() returns on Linux; should it not be, stop anyway.
  process.abort();
}

/**
 * Failpoints armed by `armed` (name → pass that fires). `beforeKill` runs
 * just before `kill` (the apps log one line saying which point fired).
 */
export function createFailpoints(
  armed: ReadonlyMap<string, number>,
  kill: () => void = killSelf,
  beforeKill?: (name: string, pass: number, detail: Readonly<Record<string, number>>) => void,
): Failpoints {
  if (armed.size === 0) return NO_FAILPOINTS;
  const passes = new Map<string, number>();
  return {
    hit(name, detail = {}) {
      const at = armed.get(name);
      if (at === undefined) return;
      const n = (passes.get(name) ?? 0) + 1;
      passes.set(name, n);
      if (n !== at) return;
      beforeKill?.(name, n, detail);
      kill();
    },
    armed: () => [...armed].map(([name, n]) => `${name}@${n}`),
  };
}
