// What the built `spike` needs to run without a real stack: a test CA, a fake
// Workload API (which hands out the SVID of the role a test picks), a fake
// mTLS Nexus presenting `spiffe://<td>/spike/nexus`, and a temp dir for HOME.
//
//   let ca: TestCa, wl: FakeWorkloadApi, nexus: FakeNexus, tmp: string;
//   beforeAll(async () => {
//     ({ ca, wl, nexus, tmp } = await startFakePilot('/tmp/xx-'));
//   });
//   afterAll(() => stopFakePilot({ wl, nexus, tmp }));
//   await runSpike(['secret', 'get', 'a'], { env: fakePilotEnv({ wl, nexus, tmp }) });
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { FakeNexus, SPIKE_BIN, type FakeNexusOptions } from './fakenexus.js';
import { FakeWorkloadApi } from './fakeworkloadapi.js';
import { createTestCa, type TestCa } from './testca.js';

export interface FakePilot {
  ca: TestCa;
  wl: FakeWorkloadApi;
  nexus: FakeNexus;
  /** A fresh temp dir (HOME of the runs); removed by stopFakePilot. */
  tmp: string;
}

/**
 * Checks that the built `spike` exists, then starts the CA, the Workload API and the Nexus (answering with
 * `nexus.handler` if given); on failure stops what it started.
 */
export async function startFakePilot(tmpPrefix: string, trustDomain = 'spike.ist', nexus: Pick<FakeNexusOptions, 'handler'> = {}): Promise<FakePilot> {
  if (!existsSync(SPIKE_BIN)) throw new Error(`${SPIKE_BIN} is missing: run npm run build first`);
  const ca = await createTestCa(trustDomain);
  const tmp = mkdtempSync(tmpPrefix);
  let wl: FakeWorkloadApi | undefined;
  try {
    wl = await FakeWorkloadApi.start();
    const server = await FakeNexus.start({ ca, svid: await ca.issue(`spiffe://${trustDomain}/spike/nexus`), ...nexus });
    return { ca, wl, nexus: server, tmp };
  } catch (e) {
    await stopFakePilot({ wl, tmp });
    throw e;
  }
}

/** Closes the Nexus and the Workload API and removes the temp dir (each as far as it was started). */
export async function stopFakePilot(f: Partial<Omit<FakePilot, 'ca'>>): Promise<void> {
  await f.nexus?.close();
  await f.wl?.close();
  if (f.tmp !== undefined) rmSync(f.tmp, { recursive: true, force: true });
}

/** The environment of a `spike` run against the fakes, plus `extra`. */
export function fakePilotEnv(f: Omit<FakePilot, 'ca'>, extra: Record<string, string> = {}): Record<string, string> {
  return {
    HOME: f.tmp,
    SPIFFE_ENDPOINT_SOCKET: f.wl.address,
    SPIKE_NEXUS_API_URL: f.nexus.url,
    SPIKE_SPIFFE_SOURCE_TIMEOUT: '10s',
    ...extra,
  };
}
