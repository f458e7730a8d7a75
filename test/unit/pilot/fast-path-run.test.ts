// fast/run.ts starts the command first and has node:tls, node:https and
// node:crypto loaded (fast/tls-modules.ts) only in a later turn of the event
// loop: the command's Workload API request (connected and written in the
// first turn) goes out before the ~5 ms those modules take on Node 20 in the
// fast-path bundles (scripts/lazy-builtins.mjs; test/bench/README.md §
// Start-up). A line the fast path does not take loads nothing.
import { beforeEach, describe, expect, it, vi } from 'vitest';

const seen = vi.hoisted(() => ({ events: [] as string[] }));

vi.mock('../../../src/pilot/fast/tls-modules.js', () => ({
  loadTlsModules: () => {
    seen.events.push('tls modules loaded');
    return [];
  },
}));
vi.mock('../../../src/pilot/process-run.js', () => ({
  exitOnStrayFailure: () => undefined,
  exitWhenWritten: () => undefined,
}));

const { runFastLine } = await import('../../../src/pilot/fast/run.js');

/** A command that records its start, then waits on I/O (as the Workload API request does). */
const command = (): Promise<void> => {
  seen.events.push('command started');
  return new Promise(() => undefined);
};

beforeEach(() => {
  seen.events.length = 0;
});

describe('runFastLine and the TLS modules', () => {
  it('starts the command, and loads the TLS modules in a later event-loop turn, not before', async () => {
    expect(runFastLine(['operator', 'recover'], 'recover', command)).toBe(true);
    await Promise.resolve(); // the command's own microtasks: still no load
    expect(seen.events).toEqual(['command started']);
    await new Promise((r) => setImmediate(r));
    expect(seen.events).toEqual(['command started', 'tls modules loaded']);
  });

  it('a line it does not take (help) loads nothing', async () => {
    expect(runFastLine(['operator', 'recover', '--help'], 'recover', command)).toBe(false);
    await new Promise((r) => setImmediate(r));
    expect(seen.events).toEqual([]);
  });
});
