// `spike secret put` values that never touch argv (key=@file, key=-, and
// key=@@ for a literal @), and `spike secret get` keeping control characters
// off a terminal (Go %q escapes) while pipes get the exact bytes.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ESCAPED_NOTICE, runSecretGet } from '../../../../src/pilot/commands/secret-get.js';
import { runSecretPut } from '../../../../src/pilot/commands/secret-put.js';
import { ExitCode } from '../../../../src/pilot/output/exit.js';
import { failure, fake, ID, json, runProgram } from '../fakes.js';

/** Any control character but the line feed. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'pv-'));
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

const ok = () => json(200, {});
/** The values Nexus received. */
const sent = (f: ReturnType<typeof fake>): unknown => (JSON.parse(f.calls[0]?.body ?? 'null') as { values: unknown }).values;

describe('secret put: key=@file, key=-, key=@@', () => {
  it('key=@file sends the file bytes exactly (trailing newline, =, non-ASCII kept)', async () => {
    const file = join(tmp, 'pw.txt');
    writeFileSync(file, 'p=ss wörd\n');
    const f = fake({ spiffeId: ID.superuser, answer: ok });
    await runSecretPut(f.deps, 'secrets/db', ['user=admin', `password=@${file}`]);
    expect(f.out).toEqual(['OK\n']);
    expect(f.calls[0]?.body).toBe('{"path":"secrets/db","values":{"password":"p=ss wörd\\n","user":"admin"}}');
  });

  it('key=- reads standard input to EOF, exactly', async () => {
    const f = fake({ spiffeId: ID.superuser, answer: ok, stdin: 'line 1\nline 2\n' });
    await runSecretPut(f.deps, 'secrets/db', ['cert=-', 'user=admin']);
    expect(sent(f)).toEqual({ cert: 'line 1\nline 2\n', user: 'admin' });
    expect(f.err).toEqual([]);
  });

  it('key=- on a terminal says where the value is read from (stderr)', async () => {
    const f = fake({ spiffeId: ID.superuser, answer: ok, stdin: 'typed', tty: '' });
    await runSecretPut(f.deps, 'secrets/db', ['token=-']);
    expect(sent(f)).toEqual({ token: 'typed' });
    expect(f.err).toEqual(["Reading the value of 'token' from standard input; end it with Ctrl-D.\n"]);
  });

  it('key=@@text is the literal @text; a value merely containing @ or - is literal', async () => {
    const f = fake({ spiffeId: ID.superuser, answer: ok });
    await runSecretPut(f.deps, 'secrets/db', ['a=@@x', 'b=@@', 'c=x@y', 'd=--', 'e= -', 'f=@@@z']);
    expect(sent(f)).toEqual({ a: '@x', b: '@', c: 'x@y', d: '--', e: ' -', f: '@@z' });
  });

  it('refusals: exit 2, one line, nothing read from Nexus or sent, no identity opened', async () => {
    const dir = join(tmp, 'd');
    mkdirSync(dir);
    const big = join(tmp, 'big');
    writeFileSync(big, Buffer.alloc(1024 * 1024 + 1, 0x61));
    const latin1 = join(tmp, 'latin1');
    writeFileSync(latin1, Buffer.from([0x63, 0x61, 0x66, 0xe9]));
    const cases: [string[], string][] = [
      [['a=-', 'b=-'], "Only one value can come from standard input (key=-); 'a' and 'b' both ask for it."],
      [['a=@'], 'Invalid key-value pair: a=@ (no file name after @; write @@ for a value starting with @)'],
      [[`k=@${join(tmp, 'missing')}`], `Cannot read the value of key 'k' from file ${join(tmp, 'missing')} (ENOENT).`],
      [[`k=@${dir}`], `Cannot read the value of key 'k' from file ${dir} (not a regular file).`],
      [[`k=@${big}`], `Cannot read the value of key 'k' from file ${big} (larger than 1048576 bytes).`],
      [
        [`k=@${latin1}`],
        `The value of key 'k' from file ${latin1} is not UTF-8 text; SPIKE stores text values (encode binary data first, e.g. base64).`,
      ],
    ];
    for (const [pairs, message] of cases) {
      const f = fake({ spiffeId: ID.superuser, answer: ok });
      let opened = 0;
      const open = f.deps.openIdentity;
      f.deps.openIdentity = (cfg) => {
        opened++;
        return open(cfg);
      };
      const e = await failure(runSecretPut(f.deps, 'secrets/db', pairs));
      expect([e.exitCode, e.message], pairs.join(' ')).toEqual([ExitCode.usage, message]);
      expect(f.calls).toEqual([]);
      expect(opened).toBe(0);
    }
  });

  it('an unreadable file (mode 000) is refused', async () => {
    if (process.getuid?.() === 0) return; // root reads anything
    const file = join(tmp, 'locked');
    writeFileSync(file, 'x');
    chmodSync(file, 0o000);
    const f = fake({ spiffeId: ID.superuser, answer: ok });
    const e = await failure(runSecretPut(f.deps, 'secrets/db', [`k=@${file}`]));
    expect([e.exitCode, e.message]).toEqual([ExitCode.usage, `Cannot read the value of key 'k' from file ${file} (EACCES).`]);
  });

  it('more than 1 MiB on standard input is refused, exit 2', async () => {
    const f = fake({ spiffeId: ID.superuser, answer: ok, stdin: Buffer.alloc(1024 * 1024 + 1, 0x61) });
    const e = await failure(runSecretPut(f.deps, 'secrets/db', ['k=-']));
    expect([e.exitCode, e.message]).toEqual([ExitCode.usage, "Cannot read the value of key 'k' from standard input: Input too long: more than 1048576 bytes."]);
    expect(f.calls).toEqual([]);
  });

  it('--help documents the forms and the argv warning', async () => {
    const r = await runProgram(['secret', 'put', '--help'], fake({ spiffeId: ID.superuser }));
    expect(r.out).toContain('key=@file');
    expect(r.out).toContain('key=-');
    expect(r.out).toContain('key=@@text');
    expect(r.out).toMatch(/visible to other local users \(ps/);
  });
});

describe('secret get on a terminal: control characters escaped (Go %q), pipes exact', () => {
  const DATA = { a: 'x\x1b[31my', b: 'say "hi"', 'c\td': 'v', n: 'l1\nl2', q: 'a"b\\c\x07', z: '\u009b2J\x7f' };
  const get = async (o: { tty: boolean; format?: string; key?: string; raw?: boolean }) => {
    const f = fake({ spiffeId: ID.superuser, answer: () => json(200, { data: DATA }), stdoutTty: o.tty });
    await runSecretGet(f.deps, 'p', o.key, { version: 0, format: o.format ?? 'human', raw: o.raw });
    return { out: f.out.join(''), err: f.err.join('') };
  };

  it('human: a key or value with a control character is %q-quoted, others as they are; one notice on stderr', async () => {
    const r = await get({ tty: true });
    expect(r.out).toBe(
      [
        '"c\\td": v', // the quoted key sorts first ('"' < 'a')
        'a: "x\\x1b[31my"',
        'b: say "hi"',
        'n: "l1\\nl2"',
        'q: "a\\"b\\\\c\\a"',
        'z: "\\u009b2J\\x7f"',
        '',
      ].join('\n'),
    );
    expect(r.err).toBe(ESCAPED_NOTICE);
    expect(await get({ tty: true, key: 'a' })).toEqual({ out: '"x\\x1b[31my"\n', err: ESCAPED_NOTICE });
    expect(await get({ tty: true, key: 'b' })).toEqual({ out: 'say "hi"\n', err: '' });
  });

  it('not a terminal: the exact bytes, no notice', async () => {
    const r = await get({ tty: false });
    expect(r.out).toBe('a: x\x1b[31my\nb: say "hi"\nc\td: v\nn: l1\nl2\nq: a"b\\c\x07\nz: \u009b2J\x7f\n');
    expect(r.err).toBe('');
    expect((await get({ tty: false, key: 'z' })).out).toBe('\u009b2J\x7f\n');
  });

  it('--raw on a terminal: the exact bytes', async () => {
    expect(await get({ tty: true, raw: true })).toEqual(await get({ tty: false }));
  });

  it('json: Go escapes C0; on a terminal DEL and C1 become \\u escapes too (same document)', async () => {
    const piped = await get({ tty: false, format: 'json', key: 'z' });
    expect(piped.out).toBe('"\u009b2J\x7f"\n');
    const shown = await get({ tty: true, format: 'json', key: 'z' });
    expect(shown.out).toBe('"\\u009b2J\\u007f"\n');
    expect(JSON.parse(shown.out)).toBe(JSON.parse(piped.out));
    const all = await get({ tty: true, format: 'json' });
    expect(JSON.parse(all.out)).toEqual(DATA);
    expect(all.out).not.toMatch(RAW_CONTROL);
  });

  it('yaml on a terminal: line breaks kept, every other control character escaped', async () => {
    const all = await get({ tty: true, format: 'yaml' });
    expect(all.out).not.toMatch(RAW_CONTROL);
    // yaml.v3 writes a tab inside a literal block as it is: on a terminal it is shown as \t.
    const f = fake({ spiffeId: ID.superuser, answer: () => json(200, { data: { t: 'a\tb\nc' } }), stdoutTty: true });
    await runSecretGet(f.deps, 'p', undefined, { version: 0, format: 'yaml' });
    expect(f.out.join('')).toBe('t: |-\n    a\\tb\n    c\n\n');
    const g = fake({ spiffeId: ID.superuser, answer: () => json(200, { data: { t: 'a\tb\nc' } }) });
    await runSecretGet(g.deps, 'p', undefined, { version: 0, format: 'yaml' });
    expect(g.out.join('')).toBe('t: |-\n    a\tb\n    c\n\n');
  });
});
