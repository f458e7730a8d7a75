import { describe, expect, it } from 'vitest';
import { createLifecycle } from '../../../src/common/lifecycle.js';

describe('createLifecycle', () => {
  it('runs cleanup steps once, last registered first, then exits with the code; a failing step does not stop the others', async () => {
    const order: string[] = [];
    const exits: number[] = [];
    const errors: unknown[] = [];
    const lc = createLifecycle({ signals: ['SIGUSR2'], exit: (c) => void exits.push(c), onError: (e) => void errors.push(e) });
    try {
      lc.onShutdown(() => void order.push('store'));
      lc.onShutdown(async () => {
        order.push('source');
        throw new Error('boom');
      });
      lc.onShutdown(() => void order.push('server'));
      void lc.shutdown(0);
      void lc.shutdown(0);
      await new Promise<void>((r) => {
        const poll = (): void => (exits.length > 0 ? r() : void setImmediate(poll));
        poll();
      });
      expect(order).toEqual(['server', 'source', 'store']);
      expect(exits).toEqual([0]);
      expect(errors).toHaveLength(1);
    } finally {
      lc.dispose();
    }
  });

  it('a signal triggers shutdown with exit code 0', async () => {
    const exits: number[] = [];
    const lc = createLifecycle({ signals: ['SIGUSR2'], exit: (c) => void exits.push(c) });
    try {
      process.emit('SIGUSR2', 'SIGUSR2');
      await new Promise<void>((r) => {
        const poll = (): void => (exits.length > 0 ? r() : void setImmediate(poll));
        poll();
      });
      expect(exits).toEqual([0]);
    } finally {
      lc.dispose();
    }
  });
});
