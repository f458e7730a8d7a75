// rerunner: one run at a time, and a request during a run is never dropped
// (the rotation watcher's re-reads: a NOTIFY that arrives while a re-read
// runs must get a re-read that starts after it).
import { describe, expect, it } from 'vitest';
import { rerunner } from '../../../../src/nexus/rotation/rerun.js';

function heldJob(): { job: (flag: boolean) => Promise<void>; runs: boolean[]; release: () => void; inFlight: () => number } {
  const waiting: (() => void)[] = [];
  let inFlight = 0;
  const runs: boolean[] = [];
  return {
    runs,
    inFlight: () => inFlight,
    job: (flag) => {
      runs.push(flag);
      inFlight++;
      return new Promise<void>((resolve) => waiting.push(() => (inFlight--, resolve())));
    },
    release: () => {
      const r = waiting.shift();
      if (r === undefined) throw new Error('no run is waiting');
      r();
    },
  };
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('rerunner', () => {
  it('a request while a run is in flight starts one more run after it, requests collapsing, flags OR-ed', async () => {
    const h = heldJob();
    const r = rerunner(h.job);
    r.request(true);
    r.request(false);
    r.request(true);
    r.request(false);
    expect(h.runs).toEqual([true]);
    h.release();
    await turn();
    expect(h.runs).toEqual([true, true]); // one more run, with the flag one of them asked for
    expect(h.inFlight()).toBe(1);
    h.release();
    await r.idle();
    expect(h.runs).toEqual([true, true]);
  });

  it('without a request during the run, nothing more runs; a later request runs at once', async () => {
    const h = heldJob();
    const r = rerunner(h.job);
    r.request();
    h.release();
    await r.idle();
    expect(h.runs).toEqual([false]);
    r.request();
    expect(h.runs).toEqual([false, false]);
    h.release();
    await r.idle();
  });

  it('a failing run does not stop the one asked for during it', async () => {
    const runs: number[] = [];
    let fail = true;
    const r = rerunner(async () => {
      runs.push(runs.length);
      await turn();
      if (fail) {
        fail = false;
        throw new Error('boom');
      }
    });
    r.request();
    r.request();
    await r.idle();
    expect(runs).toEqual([0, 1]);
  });

  it('after close no run starts, the one in flight ends, and idle() waits for it', async () => {
    const h = heldJob();
    const r = rerunner(h.job);
    r.request();
    r.request();
    r.close();
    r.request();
    let idle = false;
    void r.idle().then(() => (idle = true));
    await turn();
    expect(idle).toBe(false);
    h.release();
    await r.idle();
    expect(idle).toBe(true);
    expect(h.runs).toEqual([false]);
  });
});
