// Clean shutdown for the servers: on SIGTERM/SIGINT run the registered
// cleanup steps once (in reverse order of registration), then exit 0; if
// cleanup hangs, exit 1 after a grace period. Apps only; libraries never exit.

export type CleanupStep = () => void | Promise<void>;

export interface Lifecycle {
  /** Registers a cleanup step; steps run last-registered first. */
  onShutdown(step: CleanupStep): void;
  /** Runs the cleanup steps once and exits with `code`. */
  shutdown(code: number): Promise<never>;
  /** Removes the signal handlers (tests). */
  dispose(): void;
}

export interface LifecycleOptions {
  /** How long cleanup may take before the process is forced out. */
  graceMs?: number;
  signals?: readonly NodeJS.Signals[];
  /** Injected for tests; defaults to process.exit. */
  exit?: (code: number) => void;
  /** Reports a failing cleanup step (never fatal). */
  onError?: (e: unknown) => void;
}

export function createLifecycle(opts: LifecycleOptions = {}): Lifecycle {
  const steps: CleanupStep[] = [];
  const graceMs = opts.graceMs ?? 5000;
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  const signals = opts.signals ?? ['SIGTERM', 'SIGINT'];
  let running: Promise<never> | undefined;

  const shutdown = (code: number): Promise<never> => {
    if (running) return running;
    running = (async () => {
      const force = setTimeout(() => exit(1), graceMs);
      force.unref();
      for (const step of [...steps].reverse()) {
        try {
          await step();
        } catch (e) {
          opts.onError?.(e);
        }
      }
      clearTimeout(force);
      exit(code);
      // exit() does not return in production; in tests it may.
      return new Promise<never>(() => undefined);
    })();
    return running;
  };

  const onSignal = (): void => {
    void shutdown(0);
  };
  for (const s of signals) process.on(s, onSignal);

  return {
    onShutdown(step) {
      steps.push(step);
    },
    shutdown,
    dispose() {
      for (const s of signals) process.off(s, onSignal);
    },
  };
}
