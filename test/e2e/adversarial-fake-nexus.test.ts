// Adversarial, Pilot side: the real `spike` (dist/spike.js)
// against a fake Nexus on real TLS that presents a bad certificate. The Pilot
// gets its SVID from a fake Workload API whose bundle trusts the test CA.
// Every bad certificate must end in exit 3 with one `Error:` line, and the fake
// server must receive no TLS application data at all (so no shard, no secret).
// A positive control with the right Nexus SVID shows that the fake does see
// the request when the client accepts it.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSpike, SPIKE_BIN, type CliRun } from '../helpers/fakenexus.js';
import { TlsFakeNexus } from '../helpers/fakenexus-tls.js';
import { FakeWorkloadApi } from '../helpers/fakeworkloadapi.js';
import { createTestCa, svidResponse, type TestCa, type TestSvid } from '../helpers/testca.js';
import { reportMeasurements } from '../helpers/measurements.js';

const TD = 'spike.ist';
const NEXUS_ID = `spiffe://${TD}/spike/nexus`;
const ROLE = {
  recover: `spiffe://${TD}/spike/pilot/role/recover`,
  restore: `spiffe://${TD}/spike/pilot/role/restore`,
  superuser: `spiffe://${TD}/spike/pilot/role/superuser`,
};
const HEX = 'c3'.repeat(31) + '07';
const SHARD = `spike:2:${HEX}`;
const HOUR = 3600_000;

let ca: TestCa;
let otherTdCa: TestCa;
let wl: FakeWorkloadApi;
let tmp: string;
const observed: Record<string, { tcp: number; handshakes: number; appBytes: number; exit: number | null; stderr: string }> = {};

beforeAll(async () => {
  if (!existsSync(SPIKE_BIN)) throw new Error(`${SPIKE_BIN} is missing: run npm run build first`);
  ca = await createTestCa(TD);
  otherTdCa = await createTestCa('evil.example');
  wl = await FakeWorkloadApi.start();
  tmp = mkdtempSync('/tmp/afn-');
});

afterAll(async () => {
  reportMeasurements('adversarial-fake-nexus', observed);
  await wl?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** The Pilot's identity (and, optionally, a federated bundle for another trust domain). */
async function pilotAs(id: string, federated: TestCa[] = []): Promise<void> {
  wl.setResponse(svidResponse(ca, await ca.issue(id), federated));
}

function env(url: string): Record<string, string> {
  return {
    HOME: tmp,
    SPIFFE_ENDPOINT_SOCKET: wl.address,
    SPIKE_NEXUS_API_URL: url,
    SPIKE_PILOT_RECOVERY_DIR: join(tmp, 'r'),
    SPIKE_SPIFFE_SOURCE_TIMEOUT: '10s',
    SPIKE_HTTP_CLIENT_TIMEOUT: '10s',
  };
}

interface Case {
  name: string;
  svid: () => Promise<TestSvid>;
  /** Bundles of other trust domains the Pilot's Workload API hands out. */
  federated?: () => TestCa[];
}

const cases: Case[] = [
  { name: 'another SPIFFE ID (spike/keeper)', svid: () => ca.issue(`spiffe://${TD}/spike/keeper`) },
  { name: 'another SPIFFE ID (the superuser Pilot)', svid: () => ca.issue(ROLE.superuser) },
  { name: 'a look-alike SPIFFE ID (spike/nexusx)', svid: () => ca.issue(`spiffe://${TD}/spike/nexusx`) },
  { name: 'another trust domain, not federated', svid: () => otherTdCa.issue('spiffe://evil.example/spike/nexus') },
  {
    name: 'another trust domain, federated (chain verifies, trust domain is wrong)',
    svid: () => otherTdCa.issue('spiffe://evil.example/spike/nexus'),
    federated: () => [otherTdCa],
  },
  { name: 'an expired SVID', svid: () => ca.issue(NEXUS_ID, { notBefore: new Date(Date.now() - 2 * HOUR), notAfter: new Date(Date.now() - 60_000) }) },
  { name: 'a not-yet-valid SVID', svid: () => ca.issue(NEXUS_ID, { notBefore: new Date(Date.now() + HOUR), notAfter: new Date(Date.now() + 2 * HOUR) }) },
  { name: 'the Nexus ID from a CA outside the bundle', svid: async () => (await createTestCa(TD)).issue(NEXUS_ID) },
  { name: 'a CA certificate as the leaf', svid: () => ca.issue(NEXUS_ID, { ca: true, keyUsage: 0x04 | 0x80 }) },
  { name: 'a plain web certificate (DNS 127.0.0.1/localhost, no SPIFFE ID)', svid: () => ca.issue('', { uris: [], dnsNames: ['localhost', '127.0.0.1'] }) },
  { name: 'two SPIFFE IDs in one certificate', svid: () => ca.issue('', { uris: [NEXUS_ID, `spiffe://${TD}/spike/keeper`] }) },
];

interface Command {
  name: string;
  role: string;
  args: string[];
  stdin: string;
}

const commands: Command[] = [
  { name: 'operator restore', role: ROLE.restore, args: ['operator', 'restore'], stdin: SHARD },
  { name: 'operator recover', role: ROLE.recover, args: ['operator', 'recover'], stdin: '' },
  { name: 'secret put', role: ROLE.superuser, args: ['secret', 'put', 'app/db', 'pass=TopSecretValue'], stdin: '' },
];

function expectRefused(r: CliRun, fake: TlsFakeNexus, key: string): void {
  observed[key] = { tcp: fake.tcpConnections, handshakes: fake.secureConnections, appBytes: fake.appBytes, exit: r.code, stderr: r.stderr.trim() };
  expect(r.code, r.stderr).toBe(3);
  expect(r.stderr).toMatch(/^Error: [^\n]+\n$/);
  expect(r.stdout).toBe('');
  // no shard, no secret in what the user sees either
  expect(r.stderr).not.toContain(HEX.slice(0, 16));
  expect(r.stderr).not.toContain('TopSecretValue');
  // the client did reach the server (the test is about the server's identity) …
  expect(fake.tcpConnections).toBeGreaterThan(0);
  // … and sent it nothing at all over TLS
  expect(fake.appBytes).toBe(0);
  expect(fake.text()).toBe('');
}

describe('spike refuses a fake Nexus with a bad certificate (exit 3, no application data)', () => {
  it('positive control: the right Nexus SVID gets the request (the fake can see a shard)', async () => {
    const fake = await TlsFakeNexus.start({ ...(await ca.issue(NEXUS_ID)), answer: { status: 200, json: { collected: 1, remaining: 1, restored: false } } });
    try {
      await pilotAs(ROLE.restore);
      const r = await runSpike(['operator', 'restore'], { env: env(fake.url), stdin: SHARD });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('Shards collected: 1');
      expect(fake.appBytes).toBeGreaterThan(0);
      expect(fake.text()).toContain('POST /v1/operator/restore');
      expect(fake.text()).toContain(`"shard":[${[...Buffer.from(HEX, 'hex')].join(',')}]`);
    } finally {
      await fake.close();
    }
  });

  for (const c of cases) {
    for (const cmd of commands) {
      it(`${c.name}: \`spike ${cmd.name}\` exits 3 and sends nothing`, async () => {
        const svid = await c.svid();
        const fake = await TlsFakeNexus.start({ certPem: svid.certPem, keyPem: svid.keyPem });
        try {
          await pilotAs(cmd.role, c.federated?.() ?? []);
          const r = await runSpike(cmd.args, { env: env(fake.url), stdin: cmd.stdin });
          expectRefused(r, fake, `${c.name} / ${cmd.name}`);
        } finally {
          await fake.close();
        }
      });
    }
  }
});
