// One asynchronous job at a time, none asked for lost: a request while the
// job runs is remembered, and one more run starts when it ends (requests
// meanwhile collapse into that one run, their flags OR-ed). The rotation
// watcher re-reads the keys this way: a notification that arrives while a
// re-read runs may announce a change that read started too early to see.

export interface Rerunner {
  /** Runs the job now, or once more after the run in flight (with `flag` if any request asked for it). */
  request(flag?: boolean): void;
  /** Resolves once no run is in flight or asked for (after close: once the one in flight ended). */
  idle(): Promise<void>;
  /** No run starts after this; the one in flight finishes. */
  close(): void;
}

export function rerunner(job: (flag: boolean) => Promise<void>): Rerunner {
  let inFlight: Promise<void> | undefined;
  let again = false;
  let againFlag = false;
  let closed = false;

  const start = (flag: boolean): void => {
    inFlight = job(flag)
      .catch(() => undefined) // the job reports its own failures
      .finally(() => {
        inFlight = undefined;
        if (again && !closed) {
          const f = againFlag;
          again = againFlag = false;
          start(f);
        }
      });
  };

  return {
    request(flag = false) {
      if (closed) return;
      if (inFlight !== undefined) {
        again = true;
        againFlag ||= flag;
        return;
      }
      start(flag);
    },
    async idle() {
      while (inFlight !== undefined) await inFlight;
    },
    close() {
      closed = true;
    },
  };
}
