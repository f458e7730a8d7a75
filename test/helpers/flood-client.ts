// The flood client of the lingering-close tests (test/unit/nexus and
// test/unit/keeper lingering-close.test.ts), run in a child Node process: in
// the test's own event loop a client always read the answer before it saw a
// TCP reset, so the lost answers these tests look for would not show.
import { execFile } from 'node:child_process';
import type { TestSvid } from './testca.js';

/**
 * The flood client, run by a child Node process: `rounds` times `parallel`
 * connections. Each one first sends `warmup` (if any) and reads its complete
 * answer, waits until `startAt` (ms since the epoch) has passed, then writes
 * `head` and 1 KiB body chunks (one per event-loop turn) until the socket
 * closes; prints, per connection, "<status> <body>" of the complete answer
 * it read after `head`, or "lost (<error>)".
 */
const FLOOD_CLIENT = `
import tls from 'node:tls';
const o = JSON.parse(process.argv[process.argv.length - 1]);
const chunk = Buffer.alloc(1024, 0x20);
/** The first complete answer in buf: [answer as "<status> <body>", its length], or undefined. */
function answerIn(buf) {
  const end = buf.indexOf('\\r\\n\\r\\n');
  if (end < 0) return undefined;
  const head = buf.subarray(0, end).toString('latin1');
  const len = /\\r\\ncontent-length: *(\\d+)/i.exec(head);
  if (len === null || buf.length < end + 4 + Number(len[1])) return undefined;
  return [head.slice(9, 12) + ' ' + buf.subarray(end + 4, end + 4 + Number(len[1])).toString(), end + 4 + Number(len[1])];
}
function one() {
  return new Promise((resolve) => {
    const s = tls.connect({ host: '127.0.0.1', port: o.port, cert: o.cert, key: o.key, ca: o.ca, checkServerIdentity: () => undefined });
    let buf = Buffer.alloc(0);
    let err = '';
    let closed = false;
    let warm = o.warmup === undefined;
    let warmed;
    const isWarm = new Promise((r) => { warmed = r; });
    s.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (warm) return;
      const a = answerIn(buf);
      if (a === undefined) return;
      warm = true;
      buf = buf.subarray(a[1]);
      warmed();
    });
    s.on('error', (e) => { err = e.code ?? e.message; });
    s.on('close', () => {
      closed = true;
      warmed();
      const a = warm ? answerIn(buf) : undefined;
      resolve(a !== undefined ? a[0] : 'lost (' + (warm ? err : 'warm-up: ' + err) + ')');
    });
    s.once('secureConnect', async () => {
      if (o.warmup !== undefined) {
        s.write(o.warmup);
        await isWarm;
      }
      while (Date.now() <= o.startAt) await new Promise((r) => setTimeout(r, Math.min(50, o.startAt + 1 - Date.now())));
      if (closed) return;
      s.write(o.head);
      while (!closed && !s.destroyed && s.writable) {
        const ok = await new Promise((r) => s.write(chunk, (e) => r(e == null)));
        if (!ok) break;
        await new Promise((r) => setImmediate(r));
      }
    });
  });
}
const results = [];
for (let i = 0; i < o.rounds; i++) results.push(...(await Promise.all(Array.from({ length: o.parallel }, one))));
process.stdout.write(JSON.stringify(results));
`;

export interface FloodOptions {
  port: number;
  svid: TestSvid;
  /** The CA the client trusts (PEM). */
  caPem: string;
  head: string;
  rounds: number;
  parallel: number;
  warmup?: string;
  startAt?: number;
}

/** Runs the flood; resolves with one "<status> <body>" or "lost (<error>)" per connection. */
export async function flood(o: FloodOptions): Promise<string[]> {
  const opts = { port: o.port, cert: o.svid.certPem, key: o.svid.keyPem, ca: o.caPem, head: o.head, rounds: o.rounds, parallel: o.parallel, warmup: o.warmup, startAt: o.startAt ?? 0 };
  const out = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, ['--input-type=module', '-e', FLOOD_CLIENT, JSON.stringify(opts)], (e, stdout, stderr) => (e ? reject(new Error(`flood client: ${e.message} ${stderr}`)) : resolve(stdout)));
  });
  return JSON.parse(out) as string[];
}
