// Rate-limited warnings for refusals an attacker can repeat at will.
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/common/log.js';
import { LogThrottle } from '../../../src/common/log-throttle.js';

function setup(intervalMs = 1000, maxKeys = 1024) {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger({ component: 'test', level: 'debug', out: (l) => lines.push(JSON.parse(l) as Record<string, unknown>), auditOut: () => {} });
  let t = 0;
  const throttle = new LogThrottle(log, intervalMs, () => t, maxKeys);
  return { lines, throttle, advance: (ms: number) => (t += ms) };
}

describe('LogThrottle', () => {
  it('one line per key per interval; the next one counts the suppressed', () => {
    const { lines, throttle, advance } = setup();
    for (let i = 0; i < 5; i++) throttle.warn('peer:a', 'refused', { caller: 'a' });
    expect(lines.map((l) => [l.msg, l.caller, l.suppressed])).toEqual([['refused', 'a', 0]]);
    advance(999);
    throttle.warn('peer:a', 'refused', { caller: 'a' });
    expect(lines).toHaveLength(1);
    advance(1);
    throttle.warn('peer:a', 'refused', { caller: 'a' });
    expect(lines.map((l) => l.suppressed)).toEqual([0, 5]);
    expect(lines[1]).toMatchObject({ level: 'WARN', msg: 'refused', caller: 'a' });
  });

  it('keys are independent', () => {
    const { lines, throttle } = setup();
    throttle.warn('peer:a', 'refused');
    throttle.warn('peer:b', 'refused');
    throttle.warn('peer:a', 'refused');
    expect(lines).toHaveLength(2);
  });

  it('tracks at most maxKeys keys (the oldest is forgotten and may log again)', () => {
    const { lines, throttle } = setup(1000, 2);
    throttle.warn('a', 'x');
    throttle.warn('b', 'x');
    throttle.warn('c', 'x'); // forgets a
    throttle.warn('b', 'x'); // still throttled
    throttle.warn('a', 'x'); // logged again
    expect(lines).toHaveLength(4);
  });
});
