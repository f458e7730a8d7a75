// Rate-limited logging for events an attacker can repeat at will (refused
// connections): at most one line per key per interval, the next line
// carrying how many were suppressed in between.
import type { LogFields, Logger } from './log.js';

export class LogThrottle {
  readonly #last = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly log: Logger,
    private readonly intervalMs = 10_000,
    private readonly now: () => number = Date.now,
    /** Distinct keys tracked at most (the oldest is forgotten). */
    private readonly maxKeys = 1024,
  ) {}

  /** Logs a warning `msg` unless one with the same `key` was logged within the interval. */
  warn(key: string, msg: string, fields: LogFields = {}): void {
    const t = this.now();
    const e = this.#last.get(key);
    if (e !== undefined && t - e.at < this.intervalMs) {
      e.suppressed++;
      return;
    }
    this.log.warn(msg, { ...fields, suppressed: e?.suppressed ?? 0 });
    this.#last.delete(key);
    this.#last.set(key, { at: t, suppressed: 0 });
    if (this.#last.size > this.maxKeys) this.#last.delete(this.#last.keys().next().value as string);
  }
}
