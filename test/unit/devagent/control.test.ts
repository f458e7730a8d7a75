import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ControlError,
  controlRequest,
  ControlServer,
  decodeControlRequest,
  decodeControlResponse,
  encodeControlRequest,
  MAX_CONTROL_LINE_BYTES,
  type ControlRequest,
} from '../../../src/devagent/control.js';

describe('control protocol codecs', () => {
  it.each<ControlRequest>([
    { op: 'ping' },
    { op: 'list' },
    { op: 'set', workload: 'pilot', spiffeId: 'spiffe://spike.ist/x' },
    { op: 'delete', workload: 'pilot' },
  ])('round-trips %j', (req) => {
    expect(decodeControlRequest(encodeControlRequest(req))).toEqual(req);
  });

  it.each(['', 'nope', '[]', '{"op":"set","workload":"p"}', '{"op":"delete","workload":3}', '{"op":"rm"}', 'null'])('refuses request %j', (line) => {
    expect(decodeControlRequest(line)).toBeUndefined();
  });

  it('decodes answers and drops ill-typed fields', () => {
    expect(decodeControlResponse('{"ok":true,"entries":{"a":"spiffe://t/a"},"pid":5}')).toEqual({ ok: true, entries: { a: 'spiffe://t/a' }, pid: 5 });
    expect(decodeControlResponse('{"ok":true,"entries":{"a":1}}')).toEqual({ ok: true });
    expect(decodeControlResponse('{"ok":false,"code":"invalid","error":"bad\\nsecond line"}')).toEqual({ ok: false, code: 'invalid', error: 'bad' });
    expect(decodeControlResponse('{"ok":false,"code":"weird","error":"x"}')).toEqual({ ok: false, code: 'internal', error: 'x' });
    expect(decodeControlResponse('{"ok":"yes"}')).toBeUndefined();
  });
});

describe('control socket', () => {
  let dir: string;
  const closers: (() => Promise<void> | void)[] = [];
  beforeEach(() => {
    dir = mkdtempSync('/tmp/dct-');
  });
  afterEach(async () => {
    for (const c of closers.splice(0)) await c();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers requests and survives oversized ones', async () => {
    const path = join(dir, 'c.sock');
    const server = new ControlServer(path, async (req) => ({ ok: true, entries: { op: req.op } }), { warn: () => {} });
    await server.listen();
    closers.push(() => server.close());
    expect(await controlRequest(path, { op: 'list' }, 2000)).toEqual({ ok: true, entries: { op: 'list' } });
    const huge = { op: 'set', workload: 'x'.repeat(MAX_CONTROL_LINE_BYTES), spiffeId: 'spiffe://t/x' } as const;
    await expect(controlRequest(path, huge, 2000)).resolves.toMatchObject({ ok: false, code: 'bad_request' });
    expect(await controlRequest(path, { op: 'ping' }, 2000)).toEqual({ ok: true, entries: { op: 'ping' } });
  });

  it('reports absent, timeout and protocol failures as ControlError kinds', async () => {
    const missing = await controlRequest(join(dir, 'none.sock'), { op: 'ping' }, 1000).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ControlError);
    expect((missing as ControlError).kind).toBe('absent');

    const silentPath = join(dir, 's.sock');
    const held: Socket[] = [];
    const silent = createServer((s) => held.push(s));
    await new Promise<void>((r) => silent.listen(silentPath, r));
    closers.push(() => new Promise<void>((r) => {
      for (const s of held) s.destroy();
      silent.close(() => r());
    }));
    const timeout = await controlRequest(silentPath, { op: 'ping' }, 300).catch((e: unknown) => e);
    expect((timeout as ControlError).kind).toBe('timeout');

    const garbagePath = join(dir, 'g.sock');
    const garbage = createServer((s) => s.resume().end('not json\n'));
    await new Promise<void>((r) => garbage.listen(garbagePath, r));
    closers.push(() => new Promise<void>((r) => garbage.close(() => r())));
    const protocol = await controlRequest(garbagePath, { op: 'ping' }, 1000).catch((e: unknown) => e);
    expect((protocol as ControlError).kind).toBe('protocol');
  });
});
