// The test stack (test/helpers/stack.ts: dev agent, three Keepers with
// threshold 2, Nexus) with Nexus on a private PostgreSQL cluster
// (test/helpers/postgres.ts), reached as PASSWORD_ROLE with the password from
// SPIKE_NEXUS_DATABASE_PASSWORD_FILE (a file in the test's temp dir), Keeper
// updates every 2s. Nothing is started until start(); cleanup() undoes what
// start() got to, also after a start that failed half-way.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startPostgres, type PostgresCluster } from './postgres.js';
import { Stack } from './stack.js';

export interface PostgresStack {
  readonly cluster: PostgresCluster;
  readonly stack: Stack;
  /** The test's temp dir (holds db-password; the test may put more in it). */
  readonly tmp: string;
}

export interface PostgresStackFixture {
  /** Makes the temp dir (`tmpPrefix` + random), starts the cluster, creates the Stack (not started: call startAll()). */
  start(extraEnv?: Record<string, string>): Promise<PostgresStack>;
  /** Stack, then cluster, then temp dir; each only if start() made it. */
  cleanup(): Promise<void>;
}

/** For a test file's beforeAll/afterAll: `tmpPrefix` such as '/tmp/npg-'. */
export function postgresStack(tmpPrefix: string): PostgresStackFixture {
  let tmp: string | undefined;
  let cluster: PostgresCluster | undefined;
  let stack: Stack | undefined;
  return {
    async start(extraEnv = {}) {
      tmp = mkdtempSync(tmpPrefix);
      cluster = await startPostgres();
      const passwordFile = join(tmp, 'db-password');
      writeFileSync(passwordFile, `${cluster.password}\n`, { mode: 0o600 });
      stack = await Stack.create({
        keepers: 3,
        threshold: 2,
        env: {
          SPIKE_NEXUS_BACKEND_STORE: 'postgres',
          SPIKE_NEXUS_DATABASE_URL: cluster.passwordUrl,
          SPIKE_NEXUS_DATABASE_PASSWORD_FILE: passwordFile,
          SPIKE_NEXUS_KEEPER_UPDATE_INTERVAL: '2s',
          ...extraEnv,
        },
      });
      return { cluster, stack, tmp };
    },
    async cleanup() {
      await stack?.cleanup();
      await cluster?.stop();
      if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
    },
  };
}
