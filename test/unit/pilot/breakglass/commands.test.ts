// The break-glass commands against fakes: status (including an upstream
// Nexus without the route), verify over real files in a temp directory, the
// recover export (age files + manifest, nothing in plaintext), restore's file
// and manifest checks, and preflight's verdicts.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as age from 'age-encryption';
import { computeShares } from '../../../../src/shamir/index.js';
import { CliError, ExitCode } from '../../../../src/pilot/output/exit.js';
import { runStatus } from '../../../../src/pilot/commands/operator-status.js';
import { runVerify } from '../../../../src/pilot/commands/operator-verify.js';
import { runPreflight } from '../../../../src/pilot/commands/operator-preflight.js';
import { exportBreakglass, assignRecipients } from '../../../../src/pilot/breakglass/export.js';
import { checkShardAgainstManifest, readShardFromFile } from '../../../../src/pilot/breakglass/restore-source.js';
import { loadManifest } from '../../../../src/pilot/breakglass/load.js';
import { MANIFEST_FILE } from '../../../../src/pilot/breakglass/manifest.js';
import type { PreflightSvid, PreflightWorld } from '../../../../src/pilot/breakglass/preflight.js';
import { listedExitCodes } from '../../../../src/pilot/help/check.js';
import { parseShard, formatShardFile } from '../../../../src/pilot/breakglass/shard.js';
import { fake, ID, json, failure, runProgram } from '../fakes.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'bg-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const setOf = (b: number, t = 2, n = 3): Map<number, Buffer> =>
  new Map(computeShares(new Uint8Array(32).fill(b), t, n).map((s) => [s.id, Buffer.from(s.value)]));
const NEXUS = 'spiffe://spike.ist/spike/nexus';

function writePlainSet(d: string, shares: Map<number, Buffer>): void {
  for (const [id, v] of shares) writeFileSync(join(d, `spike.recovery.${id}.txt`), formatShardFile(id, v), { mode: 0o600 });
}

describe('spike operator status', () => {
  it('prints the progress (human and JSON), for recover and restore roles', async () => {
    const body = { ready: false, collected: 1, remaining: 1, threshold: 2, ids: [2] };
    const f = fake({ spiffeId: ID.restore, answer: () => json(200, body) });
    await runStatus(f.deps, { format: 'human' });
    expect(f.out.join('')).toBe('\nSPIKE Nexus is waiting for an operator restore.\nShards collected: 1\nShards remaining: 1\nThreshold: 2\nShard ids received: 2\n\n');
    expect(f.calls).toEqual([{ path: '/v1/operator/status', action: undefined, body: '{}' }]);
    const g = fake({ spiffeId: ID.recover, answer: () => json(200, { ...body, ready: true, collected: 0, remaining: 0, ids: [] }) });
    await runStatus(g.deps, { format: 'j' });
    expect(JSON.parse(g.out.join(''))).toEqual({ ready: true, collected: 0, remaining: 0, threshold: 2, ids: [] });
  });

  it('a ready Nexus: the shard set fingerprint; a rotation in progress: phase, progress, new fingerprint, keepers awaited', async () => {
    const OLD = '0123456789abcdef'.repeat(4);
    const NEW = 'fedcba9876543210'.repeat(4);
    const ready = { ready: true, collected: 0, remaining: 0, threshold: 2, ids: [], fingerprint: OLD };
    const f = fake({ spiffeId: ID.superuser, answer: () => json(200, ready) });
    await runStatus(f.deps, { format: 'human' });
    expect(f.out.join('')).toBe(
      '\nSPIKE Nexus has its root key: it is ready to use, nothing to restore.\nThreshold: 2\n' +
        'Shard set fingerprint: 0123 4567 89ab cdef 0123 4567 89ab cdef 0123 4567 89ab cdef 0123 4567 89ab cdef\n\n',
    );
    const rotating = {
      ...ready,
      rotation: 'reencrypting',
      rotationDone: 500,
      rotationTotal: 1200,
      rotationFingerprint: NEW,
      rotationStartedAt: '2026-12-06T18:00:00Z',
    };
    const g = fake({ spiffeId: ID.superuser, answer: () => json(200, rotating) });
    await runStatus(g.deps, { format: 'human' });
    expect(g.out.join('')).toBe(
      '\nSPIKE Nexus has its root key: it is ready to use, nothing to restore.\nThreshold: 2\n' +
        'Shard set fingerprint: 0123 4567 89ab cdef 0123 4567 89ab cdef 0123 4567 89ab cdef 0123 4567 89ab cdef\n' +
        'Root-key rotation in progress (started 2026-12-06T18:00:00Z):\n' +
        '  re-encrypting stored records (500 of 1200)\n' +
        '  New shard set fingerprint: fedc ba98 7654 3210 fedc ba98 7654 3210 fedc ba98 7654 3210 fedc ba98 7654 3210\n\n',
    );
    const pushing = { ...rotating, rotation: 'pushing', rotationDone: 1200, rotationWaiting: [3, 2] };
    const h = fake({ spiffeId: ID.superuser, answer: () => json(200, pushing) });
    await runStatus(h.deps, { format: 'human' });
    expect(h.out.join('')).toContain('Root-key rotation in progress (started 2026-12-06T18:00:00Z):\n  waiting for keepers 2 and 3 to take their new shard\n');
    const one = fake({ spiffeId: ID.superuser, answer: () => json(200, { ...pushing, rotationWaiting: [1] }) });
    await runStatus(one.deps, { format: 'human' });
    expect(one.out.join('')).toContain('\n  waiting for keeper 1 to take its new shard\n');
    // JSON passes the new fields (wire names), keeper ids ascending.
    const j = fake({ spiffeId: ID.superuser, answer: () => json(200, pushing) });
    await runStatus(j.deps, { format: 'json' });
    expect(JSON.parse(j.out.join(''))).toEqual({ ...pushing, rotationWaiting: [2, 3] });
  });

  it('refuses a status answer with a malformed fingerprint or rotation phase (exit 1)', async () => {
    const base = { ready: true, collected: 0, remaining: 0, threshold: 2, ids: [] };
    for (const bad of [{ fingerprint: 'ABC' }, { rotation: 'melting' }, { rotation: 'pushing', rotationWaiting: [0] }, { rotationStartedAt: 'yesterday' }]) {
      const f = fake({ spiffeId: ID.superuser, answer: () => json(200, { ...base, ...bad }) });
      const e = await failure(runStatus(f.deps, { format: 'human' }));
      expect(e.exitCode, JSON.stringify(bad)).toBe(ExitCode.nexus);
      expect(e.message).toBe('Failed to get the restore status from SPIKE Nexus. (malformed answer)');
    }
  });

  it('says plainly that an upstream Nexus has no status route (exit 1)', async () => {
    const f = fake({ spiffeId: ID.restore, answer: () => json(400, { err: 'api_bad_request' }) });
    const e = await failure(runStatus(f.deps, { format: 'human' }));
    expect(e.exitCode).toBe(ExitCode.nexus);
    expect(e.message).toMatch(/does not support `spike operator status`/);
  });

  it('answers every Pilot role: superuser, recover and restore', async () => {
    for (const who of [ID.superuser, ID.recover, ID.restore, `${ID.superuser}/alice`]) {
      const f = fake({ spiffeId: who, answer: () => json(200, { ready: false, collected: 1, remaining: 1, threshold: 2, ids: [3] }) });
      await runStatus(f.deps, { format: 'human' });
      expect(f.out.join(''), who).toContain('SPIKE Nexus is waiting for an operator restore.');
      expect(f.calls).toHaveLength(1);
    }
  });

  it('refuses a non-Pilot ID before calling (exit 3, naming the three roles and scripts), and maps 401 to exit 3', async () => {
    const f = fake({ spiffeId: 'spiffe://spike.ist/spike/keeper', answer: () => json(200, {}) });
    const e = await failure(runStatus(f.deps, { format: 'human' }));
    expect(e.exitCode).toBe(ExitCode.identity);
    expect(e.message).toBe(
      'this command needs the superuser, recover or restore role (spiffe://spike.ist/spike/pilot/role/superuser, ' +
        'spiffe://spike.ist/spike/pilot/role/recover or spiffe://spike.ist/spike/pilot/role/restore), but this SPIKE Pilot is ' +
        'spiffe://spike.ist/spike/keeper (access_unauthorized); grant it with hack/spire-server-entry-su-register.sh, ' +
        'hack/spire-server-entry-recover-register.sh or hack/spire-server-entry-restore-register.sh.',
    );
    expect(f.calls).toHaveLength(0);
    const g = fake({ spiffeId: ID.restore, answer: () => json(401, { err: 'access_unauthorized' }) });
    expect((await failure(runStatus(g.deps, { format: 'human' }))).exitCode).toBe(ExitCode.identity);
    const h = fake({ spiffeId: ID.restore, answer: () => json(200, { ready: false, collected: -1 }) });
    expect((await failure(runStatus(h.deps, { format: 'human' }))).message).toMatch(/malformed answer/);
  });
});

describe('recover export and spike operator verify', () => {
  it('writes a 0600 manifest beside plaintext shards; verify passes and prints the fingerprint', async () => {
    const shares = setOf(7);
    writePlainSet(dir, shares);
    const r = await exportBreakglass({ dir, shards: shares, nexusId: NEXUS, recipients: [] });
    expect(statSync(r.manifestPath).mode & 0o777).toBe(0o600);
    expect(r.manifest).toMatchObject({ shares: 3, threshold: 2, nexusId: NEXUS, encryption: 'none' });
    const f = fake({ spiffeId: ID.recover });
    await runVerify(f.deps, [dir], { format: 'human' });
    const out = f.out.join('');
    expect(out).toContain(`Shard set: ${r.manifest.fingerprint.slice(0, 4)} `);
    expect(out).toMatch(/OK {2}.*spike\.recovery\.3\.txt {2}shard 3 matches the manifest/);
    expect(out).toMatch(/Set check: OK/);
  });

  it('names the bad file: typo, other set, missing; exit 2', async () => {
    const shares = setOf(7);
    writePlainSet(dir, shares);
    await exportBreakglass({ dir, shards: shares, nexusId: NEXUS, recipients: [] });
    writeFileSync(join(dir, 'spike.recovery.1.txt'), formatShardFile(1, setOf(9).get(1)!));
    rmSync(join(dir, 'spike.recovery.3.txt'));
    const f = fake({ spiffeId: ID.recover });
    const e = await failure(runVerify(f.deps, [dir], { format: 'json' }));
    expect(e.exitCode).toBe(ExitCode.usage);
    const rep = JSON.parse(f.out.join('')) as { ok: boolean; files: { file: string; problem?: string }[] };
    expect(rep.ok).toBe(false);
    expect(rep.files.map((x) => [x.file.replace(dir + '/', ''), x.problem ?? 'ok'])).toEqual([
      ['spike.recovery.1.txt', 'mismatch'],
      ['spike.recovery.2.txt', 'ok'],
      ['spike.recovery.3.txt', 'missing'],
    ]);
  });

  it('no arguments and no recovery directory yet: names the manifest path inside it (exit 2)', async () => {
    // `recover` writes to <HOME>/.spike/recover, or <SPIKE_PILOT_RECOVERY_DIR>/recover;
    // neither exists here.
    for (const [env, recoverDir] of [
      [{ HOME: dir }, join(dir, '.spike', 'recover')],
      [{ HOME: dir, SPIKE_PILOT_RECOVERY_DIR: join(dir, 'custom') }, join(dir, 'custom', 'recover')],
    ] as const) {
      const f = fake({ spiffeId: ID.recover, env });
      const e = await failure(runVerify(f.deps, [], { format: 'human' }));
      expect([e.exitCode, e.message]).toEqual([ExitCode.usage, `No manifest at ${join(recoverDir, MANIFEST_FILE)} (pass --manifest <file>).`]);
      expect(f.out).toEqual([]);
    }
  });

  it('no arguments, no recovery directory, --manifest given: every listed shard is reported missing there (exit 2)', async () => {
    const elsewhere = join(dir, 'export');
    mkdirSync(elsewhere);
    const r = await exportBreakglass({ dir: elsewhere, shards: setOf(7), nexusId: NEXUS, recipients: [] });
    const f = fake({ spiffeId: ID.recover, env: { HOME: dir } });
    const e = await failure(runVerify(f.deps, [], { format: 'json', manifest: r.manifestPath }));
    expect(e.exitCode).toBe(ExitCode.usage);
    const rep = JSON.parse(f.out.join('')) as { files: { file: string; problem?: string }[] };
    expect(rep.files.map((x) => [x.file, x.problem])).toEqual(
      [1, 2, 3].map((i) => [join(dir, '.spike', 'recover', `spike.recovery.${i}.txt`), 'missing']),
    );
  });

  it('refuses a tampered manifest and a manifest of another set (--fingerprint)', async () => {
    const shares = setOf(7);
    writePlainSet(dir, shares);
    const r = await exportBreakglass({ dir, shards: shares, nexusId: NEXUS, recipients: [] });
    const f = fake({ spiffeId: ID.recover });
    const other = mkdtempSync(join(tmpdir(), 'bg-'));
    try {
      const r2 = await exportBreakglass({ dir: other, shards: setOf(8), nexusId: NEXUS, recipients: [] });
      const e1 = await failure(runVerify(f.deps, [dir], { format: 'human', fingerprint: r2.manifest.fingerprint }));
      expect(e1.message).toMatch(/stale or replaced manifest/);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
    const text = readFileSync(r.manifestPath, 'utf8').replace(r.manifest.entries[1]!.digest, 'a'.repeat(64));
    writeFileSync(r.manifestPath, text);
    const e2 = await failure(runVerify(f.deps, [dir], { format: 'human' }));
    expect(e2.exitCode).toBe(ExitCode.usage);
    expect(e2.message).toMatch(/does not match its own fingerprint/);
  });

  it('age export: one armored file per shard, no plaintext; verify with the right and the wrong identity', async () => {
    const ids = await Promise.all([1, 2, 3].map(() => age.generateIdentity()));
    const recipients = await Promise.all(ids.map((i) => age.identityToRecipient(i)));
    const shares = setOf(7);
    const r = await exportBreakglass({ dir, shards: shares, nexusId: NEXUS, recipients });
    expect(readdirSync(dir).sort()).toEqual(['spike.recovery.1.txt.age', 'spike.recovery.2.txt.age', 'spike.recovery.3.txt.age', MANIFEST_FILE]);
    for (const [id, v] of shares) {
      const text = readFileSync(join(dir, `spike.recovery.${id}.txt.age`), 'latin1');
      expect(text).toMatch(/^-----BEGIN AGE ENCRYPTED FILE-----/);
      expect(text).not.toContain(v.toString('hex'));
    }
    expect(r.manifest.entries.map((e) => e.recipient)).toEqual(recipients);
    writeFileSync(join(dir, 'alice.key'), `# alice\n${ids[1]}\n`, { mode: 0o600 });
    const f = fake({ spiffeId: ID.recover });
    await runVerify(f.deps, [join(dir, 'spike.recovery.2.txt.age')], { format: 'human', identity: join(dir, 'alice.key') });
    expect(f.out.join('')).toMatch(/OK .*shard 2 matches the manifest/);
    const g = fake({ spiffeId: ID.recover });
    const e = await failure(runVerify(g.deps, [join(dir, 'spike.recovery.1.txt.age')], { format: 'human', identity: join(dir, 'alice.key') }));
    expect(e.exitCode).toBe(ExitCode.usage);
    expect(g.out.join('')).toMatch(/FAIL .*not encrypted to the identity in .*alice\.key/);
  });

  it('refuses a recipient count that fits no rule, before writing anything', () => {
    expect(() => assignRecipients([1, 2, 3], ['age1a', 'age1b'])).toThrow(/exactly one per shard/);
    expect([...assignRecipients([2, 1], ['age1x']).entries()]).toEqual([
      [1, 'age1x'],
      [2, 'age1x'],
    ]);
  });
});

describe('restore --file / --identity / --manifest', () => {
  it('decrypts in memory and checks the manifest before sending', async () => {
    const identity = await age.generateIdentity();
    const shares = setOf(7);
    await exportBreakglass({ dir, shards: shares, nexusId: NEXUS, recipients: [await age.identityToRecipient(identity)] });
    writeFileSync(join(dir, 'k.txt'), identity + '\n');
    const text = await readShardFromFile({ file: join(dir, 'spike.recovery.2.txt.age'), identity: join(dir, 'k.txt') });
    const s = parseShard(text, 1000);
    expect(s.id).toBe(2);
    const m = loadManifest(join(dir, MANIFEST_FILE));
    expect(() => checkShardAgainstManifest(m, s.id, s.value)).not.toThrow();
    expect(() => checkShardAgainstManifest(m, 2, setOf(9).get(2)!)).toThrow(/does not match the manifest/);
    expect(() => checkShardAgainstManifest(m, 4, s.value)).toThrow(/not in the shard set/);
  });

  it('refuses an age file without identity, with the wrong identity, and --identity alone (exit 2)', async () => {
    const [a, b] = [await age.generateIdentity(), await age.generateIdentity()];
    await exportBreakglass({ dir, shards: setOf(7), nexusId: NEXUS, recipients: [await age.identityToRecipient(a)] });
    writeFileSync(join(dir, 'b.txt'), b + '\n');
    const file = join(dir, 'spike.recovery.1.txt.age');
    for (const [opts, re] of [
      [{ file }, /age-encrypted: pass --identity/],
      [{ file, identity: join(dir, 'b.txt') }, /not encrypted to the identity/],
      [{ identity: join(dir, 'b.txt') }, /--identity needs --file/],
      [{ file: join(dir, 'nope') }, /Cannot read shard file .*ENOENT/],
    ] as const) {
      const e = await failure(readShardFromFile(opts));
      expect(e.exitCode).toBe(ExitCode.usage);
      expect(e.message).toMatch(re);
    }
  });
});

describe('spike operator preflight', () => {
  const world = (o: { svid?: Partial<PreflightSvid> | Error; status?: unknown; statusCode?: number; dirError?: boolean; risks?: string[] }): PreflightWorld => ({
    now: () => new Date('2026-01-01T00:00:00Z'),
    checkRecoveryDir: () => {
      if (o.dirError === true) throw new CliError(ExitCode.filesystem, 'Refusing to use recovery directory /x: it is a symbolic link.');
      return '/home/op/.spike/recover';
    },
    memoryRisks: () => o.risks ?? [],
    openSvid: async () => {
      if (o.svid instanceof Error) throw o.svid;
      return {
        spiffeId: ID.recover,
        notAfter: new Date('2026-01-01T01:00:00Z'),
        callNexus: async () => ({ answer: json(o.statusCode ?? 200, o.status ?? { ready: true, collected: 0, remaining: 0, threshold: 2, ids: [] }), presentedId: NEXUS }),
        close: async () => undefined,
        ...o.svid,
      };
    },
  });

  it('passes a healthy setup for recover (exit 0), table and JSON', async () => {
    const f = fake({ spiffeId: ID.recover });
    await runPreflight(f.deps, { format: 'human', for: 'recover' }, world({}));
    const out = f.out.join('');
    expect(out).toMatch(/^CHECK +RESULT +DETAIL\n/);
    expect(out).toMatch(/nexus +PASS +https:\/\/localhost:8553 is spiffe:\/\/spike\.ist\/spike\/nexus/);
    expect(out).toMatch(/7 passed, 0 warning\(s\), 0 failed/);
    const g = fake({ spiffeId: ID.recover });
    await runPreflight(g.deps, { format: 'json', for: 'recover' }, world({ risks: ['swap is enabled'] }));
    const j = JSON.parse(g.out.join('')) as { ok: boolean; checks: { name: string; result: string }[] };
    expect(j.ok).toBe(true);
    expect(j.checks.find((c) => c.name === 'memory')?.result).toBe('WARN');
    const h = fake({ spiffeId: ID.recover });
    expect((await failure(runPreflight(h.deps, { format: 'json', for: 'recover', strict: true }, world({ risks: ['swap'] })))).exitCode).toBe(1);
  });

  it('fails with the right exit code: wrong role 3, no SVID 3, unsafe dir 4, Nexus not ready for recover 1', async () => {
    const cases: [Parameters<typeof world>[0], 'recover' | 'restore', number, RegExp][] = [
      [{ svid: { spiffeId: ID.superuser } }, 'recover', 3, /role +FAIL/],
      [{ svid: new CliError(ExitCode.identity, 'no X509-SVID from unix:///x (timeout)') }, 'restore', 3, /workload-api +FAIL .*\n.*SKIP/],
      [{ dirError: true }, 'recover', 4, /recovery-dir +FAIL +Refusing/],
      [{ status: { ready: false, collected: 1, remaining: 1, threshold: 2, ids: [1] } }, 'recover', 1, /nexus-state +FAIL +waiting for a restore: 1 of 2/],
      [{ svid: { notAfter: new Date('2025-12-31T23:00:00Z') } }, 'recover', 3, /svid-expiry +FAIL +expired/],
    ];
    for (const [o, purpose, code, re] of cases) {
      const f = fake({ spiffeId: ID.recover });
      const e = await failure(runPreflight(f.deps, { format: 'human', for: purpose }, world(o)));
      expect(e.exitCode, String(re)).toBe(code);
      expect(f.out.join('')).toMatch(re);
    }
  });

  it('warns (exit 0) on an SVID close to expiry, an upstream Nexus without status, a ready Nexus for restore', async () => {
    const cases: [Parameters<typeof world>[0], RegExp][] = [
      [{ svid: { notAfter: new Date('2026-01-01T00:03:00Z') } }, /svid-expiry +WARN +expires in 3m/],
      [{ statusCode: 400, status: { err: 'api_bad_request' } }, /nexus-state +WARN +unknown: this SPIKE Nexus has no status route/],
      [{}, /nexus-state +WARN +SPIKE Nexus already has its root key/],
    ];
    for (const [o, re] of cases) {
      const f = fake({ spiffeId: ID.recover });
      await runPreflight(f.deps, { format: 'human', for: 'restore' }, world({ ...o, svid: { spiffeId: ID.restore, ...(o.svid as object) } }));
      expect(f.out.join('')).toMatch(re);
    }
  });

  it('names the SPIFFE ID a wrong server presented (exit 3)', async () => {
    const f = fake({ spiffeId: ID.recover });
    const w = world({
      svid: { callNexus: async () => ({ error: Object.assign(new Error('unauthorized'), { kind: 'identity' }), presentedId: 'spiffe://evil.td/x' }) },
    });
    const e = await failure(runPreflight(f.deps, { format: 'human', for: 'recover' }, w));
    expect(e.exitCode).toBe(3);
    expect(f.out.join('')).toMatch(/nexus +FAIL +https:\/\/localhost:8553 presented spiffe:\/\/evil\.td\/x, not a SPIKE Nexus ID/);
  });

  it('refuses an unknown --for (exit 2)', async () => {
    const f = fake({ spiffeId: ID.recover });
    expect((await failure(runPreflight(f.deps, { format: 'human', for: 'bake' }, world({})))).exitCode).toBe(2);
  });

  it('--strict with only warnings exits 1, not the warning check\'s code, and --help says so', async () => {
    // For restore an unsafe recovery directory is a WARN whose check carries
    // exit 4; the only other checks pass (Nexus waits for a restore).
    const f = fake({ spiffeId: ID.restore });
    const waiting = { ready: false, collected: 1, remaining: 1, threshold: 2, ids: [1] };
    const w = world({ dirError: true, status: waiting, svid: { spiffeId: ID.restore } });
    await runPreflight(f.deps, { format: 'human', for: 'restore' }, w);
    expect(f.out.join('')).toMatch(/recovery-dir +WARN +Refusing/);
    expect(f.out.join('')).toMatch(/1 warning\(s\), 0 failed/);
    const g = fake({ spiffeId: ID.restore });
    const e = await failure(runPreflight(g.deps, { format: 'human', for: 'restore', strict: true }, w));
    expect(e.exitCode).toBe(ExitCode.nexus);

    const help = await runProgram(['operator', 'preflight', '--help'], fake({ spiffeId: ID.restore }));
    expect(help.code).toBe(0);
    expect(listedExitCodes(help.out)).toContain(ExitCode.nexus);
    // The "1" entry of "Exit codes:" (with its continuation lines) names --strict.
    const entry = /\n {2}1 {2}(.*(?:\n {4,}.*)*)/.exec(help.out)?.[1]?.replace(/\s+/g, ' ');
    expect(entry).toBe('a SPIKE Nexus check failed (unreachable, or not in the state the step needs), or --strict and a check WARNed with none FAILed');
    const prose = help.out.replace(/\s+/g, ' ');
    expect(prose).toContain('A failed check exits with the code of the first one; with --strict, warnings and no failed check exit 1.');
  });
});
