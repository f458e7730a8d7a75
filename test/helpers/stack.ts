// A local SPIKE stack of real processes from dist/ for e2e tests (build with
// `npm run build` first): spike-dev-agent, N keepers, Nexus, Bootstrap, each
// on a loopback port it picks itself (port 0; the port is read from its
// `*_listening` log line and kept for restarts), in a fresh short temp dir, each with its own
// Workload API socket. Waits on the log events of docs/contracts.md instead
// of sleeping. Always call `cleanup()` (afterAll): it kills every process it
// started and removes the temp dir.
//
//   const stack = await Stack.create({ keepers: 3, env: { SPIKE_NEXUS_KEEPER_UPDATE_INTERVAL: '2s' } });
//   await stack.startAll();                       // agent, keepers, nexus, bootstrap → root_key_ready
//   await stack.kill('nexus'); await stack.startNexus();
//   await stack.proc('nexus').waitForEvent('root_key_ready');
//   const pilot = await stack.pilotClient();      // in-process mTLS client as the `pilot` workload
//   await stack.setEntry('pilot', stack.ids.restore);
//   await stack.cleanup();
import { mkdtempSync, rmSync, mkdirSync, existsSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { join } from 'node:path';
import { X509Source } from '../../src/spiffe/workloadapi.js';
import { authorizeIf } from '../../src/spiffe/authorizer.js';
import { createSpikeHttpClient, type SpikeHttpClient } from '../../src/client/index.js';

import { DIST, Proc, spawnBin } from './proc.js';

// The process harness lives in proc.ts; re-exported for the tests that import it from here.
export { DIST, REPO, Proc, type LogLine } from './proc.js';

export interface StackOptions {
  keepers?: number;
  threshold?: number;
  /** Extra environment for every process (e.g. SPIKE_NEXUS_KEEPER_UPDATE_INTERVAL). */
  env?: Record<string, string>;
  trustDomain?: string;
  /**
   * SPIKE_NEXUS_KEEPER_PEERS in the pinned form `URL=spiffe://td/spike/keeper/<i>`
   * (default); false: plain URLs (upstream's form, any Keeper ID, with a start-up warning).
   */
  pinKeepers?: boolean;
}

export interface StackClient {
  source: X509Source;
  http: SpikeHttpClient;
  /** The client's current SPIFFE ID. */
  id(): string;
  close(): Promise<void>;
}

export interface RunResult {
  code: number | null;
  proc: Proc;
}

export class Stack {
  readonly procs = new Map<string, Proc>();
  readonly all: Proc[] = [];
  /** `keeper` is the Keeper role (spike/keeper; `client()` accepts any ID below it); `keepers[i-1]` is keeper i's own ID. */
  readonly ids: { nexus: string; keeper: string; keepers: string[]; bootstrap: string; superuser: string; recover: string; restore: string };

  private constructor(
    readonly dir: string,
    /** 0 until Nexus first logged `nexus_listening`; then its port, reused on restarts. */
    private nexusPortValue: number,
    /** 0 until keeper i first logged `keeper_listening`; then its port, reused on restarts (Nexus knows it). */
    private readonly keeperPortValues: number[],
    readonly threshold: number,
    readonly extraEnv: Record<string, string>,
    readonly trustDomain: string,
    readonly pinKeepers: boolean,
  ) {
    const td = `spiffe://${trustDomain}`;
    this.ids = {
      nexus: `${td}/spike/nexus`,
      keeper: `${td}/spike/keeper`,
      keepers: keeperPortValues.map((_, i) => `${td}/spike/keeper/${i + 1}`),
      bootstrap: `${td}/spike/bootstrap`,
      superuser: `${td}/spike/pilot/role/superuser`,
      recover: `${td}/spike/pilot/role/recover`,
      restore: `${td}/spike/pilot/role/restore`,
    };
  }

  static async create(opts: StackOptions = {}): Promise<Stack> {
    if (!existsSync(join(DIST, 'spike-nexus.js'))) throw new Error('dist/ is missing: run `npm run build` first');
    const n = opts.keepers ?? 3;
    const dir = mkdtempSync('/tmp/sk-');
    mkdirSync(join(dir, 'dev'), { recursive: true, mode: 0o700 });
    return new Stack(dir, 0, new Array<number>(n).fill(0), opts.threshold ?? 2, opts.env ?? {}, opts.trustDomain ?? 'spike.ist', opts.pinKeepers ?? true);
  }

  /** Nexus's port (throws before Nexus first started: it picks its own). */
  get nexusPort(): number {
    if (this.nexusPortValue === 0) throw new Error('Nexus has not started yet: its port is not known');
    return this.nexusPortValue;
  }
  /** The keepers' ports; 0 for a keeper that has not started yet (each picks its own on its first start). */
  get keeperPorts(): readonly number[] {
    return this.keeperPortValues;
  }

  get devDir(): string {
    return join(this.dir, 'dev');
  }
  /** SPIKE_NEXUS_DATA_DIR (the DB is in `<this>/data/spike.db`). */
  get nexusDataDir(): string {
    return join(this.dir, 'nexus');
  }
  get nexusUrl(): URL {
    return new URL(`https://127.0.0.1:${this.nexusPort}`);
  }
  get keeperUrls(): URL[] {
    return this.keeperPorts.map((p) => new URL(`https://127.0.0.1:${p}`));
  }
  /** SPIKE_NEXUS_KEEPER_PEERS: each URL pinned to its keeper's ID, unless `pinKeepers: false`. */
  get keeperPeers(): string {
    return this.keeperUrls.map((u, i) => (this.pinKeepers ? `${u.origin}=${this.ids.keepers[i]}` : u.origin)).join(',');
  }
  socketOf(workload: string): string {
    return join(this.devDir, 'sockets', `${workload}.sock`);
  }

  /** The environment every process gets, for `workload`'s socket. */
  envFor(workload: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      PATH: process.env.PATH,
      HOME: this.dir,
      USER: process.env.USER ?? 'spike',
      SPIKE_DEV_DIR: this.devDir,
      SPIKE_NEXUS_DATA_DIR: this.nexusDataDir,
      SPIFFE_ENDPOINT_SOCKET: `unix://${this.socketOf(workload)}`,
      // Nexus and the keepers pick their ports; what is not known yet is not set
      ...(this.nexusPortValue === 0 ? {} : { SPIKE_NEXUS_API_URL: this.nexusUrl.origin }),
      SPIKE_NEXUS_TLS_PORT: `127.0.0.1:${this.nexusPortValue}`,
      ...(this.keeperPortValues.includes(0) ? {} : { SPIKE_NEXUS_KEEPER_PEERS: this.keeperPeers }),
      SPIKE_NEXUS_SHAMIR_SHARES: String(this.keeperPortValues.length),
      SPIKE_NEXUS_SHAMIR_THRESHOLD: String(this.threshold),
      SPIKE_SYSTEM_LOG_LEVEL: 'info',
      SPIKE_SPIFFE_SOURCE_TIMEOUT: '20s',
      ...this.extraEnv,
      ...extra,
    };
  }

  /** Spawns `dist/<bin>.js args` as process `name`. */
  spawn(name: string, bin: string, args: string[], env: NodeJS.ProcessEnv): Proc {
    const old = this.procs.get(name);
    if (old?.running()) throw new Error(`${name} is already running`);
    const p = spawnBin(name, bin, args, env);
    this.procs.set(name, p);
    this.all.push(p);
    return p;
  }

  proc(name: string): Proc {
    const p = this.procs.get(name);
    if (!p) throw new Error(`no process ${name}`);
    return p;
  }

  async startAgent(): Promise<Proc> {
    // The agent only counts SPIKE_NEXUS_KEEPER_PEERS (one keeper-i entry per URL); the keepers' ports are not known yet.
    const peers = this.keeperPortValues.map((_, i) => `https://keeper-${i + 1}.invalid`).join(',');
    const p = this.spawn('agent', 'spike-dev-agent', ['run'], this.envFor('agent', this.keeperPortValues.length > 0 ? { SPIKE_NEXUS_KEEPER_PEERS: peers } : {}));
    await p.waitForEvent('agent_ready');
    return p;
  }

  /**
   * Spawns a server on `port` (0: it picks one) and waits for `event`, whose `port` field is returned.
   * A restart reuses the known port; if another process holds it for a moment (EADDRINUSE), it retries.
   */
  private async startListening(name: string, bin: string, event: string, port: number, env: (port: number) => NodeJS.ProcessEnv): Promise<{ proc: Proc; port: number }> {
    for (let attempt = 1; ; attempt++) {
      const proc = this.spawn(name, bin, [], env(port));
      try {
        const ev = await proc.waitForEvent(event);
        const bound = ev['port'];
        if (typeof bound !== 'number' || !Number.isInteger(bound) || bound <= 0) throw new Error(`${name}: '${event}' has no port: ${JSON.stringify(ev)}`);
        return { proc, port: bound };
      } catch (e) {
        if (port === 0 || attempt >= 20 || !proc.tail(50).includes('EADDRINUSE')) throw e;
        await proc.exited;
        await delay(250);
      }
    }
  }

  /** Keeper i (1-based), waits for `keeper_listening`; its first start picks the port. */
  async startKeeper(i: number): Promise<Proc> {
    const known = this.keeperPortValues[i - 1];
    if (known === undefined) throw new Error(`no keeper ${i}`);
    const { proc, port } = await this.startListening(`keeper-${i}`, 'spike-keeper', 'keeper_listening', known, (p) =>
      this.envFor(`keeper-${i}`, { SPIKE_KEEPER_TLS_PORT: `127.0.0.1:${p}` }),
    );
    this.keeperPortValues[i - 1] = port;
    return proc;
  }

  async startKeepers(): Promise<Proc[]> {
    return Promise.all(this.keeperPortValues.map((_, i) => this.startKeeper(i + 1)));
  }

  /** Nexus, waits for `nexus_listening`; the keepers must have started once (Nexus is told their URLs). */
  async startNexus(extra: Record<string, string> = {}): Promise<Proc> {
    if (this.keeperPortValues.includes(0)) throw new Error('start the keepers before Nexus: it must know their URLs');
    const { proc, port } = await this.startListening('nexus', 'spike-nexus', 'nexus_listening', this.nexusPortValue, (p) =>
      this.envFor('nexus', { ...extra, SPIKE_NEXUS_TLS_PORT: `127.0.0.1:${p}` }),
    );
    this.nexusPortValue = port;
    return proc;
  }

  /** Runs `spike-bootstrap -init` to completion. */
  async bootstrap(extra: Record<string, string> = {}): Promise<RunResult> {
    const p = this.spawn('bootstrap', 'spike-bootstrap', ['-init'], this.envFor('bootstrap', extra));
    const code = await p.exited;
    return { code, proc: p };
  }

  /** Agent, keepers, Nexus, Bootstrap; resolves when Nexus logged `root_key_ready`. */
  async startAll(): Promise<void> {
    await this.startAgent();
    await this.startKeepers();
    const nexus = await this.startNexus();
    const b = await this.bootstrap();
    if (b.code !== 0) throw new Error(`bootstrap failed (${b.code}):\n${b.proc.tail()}`);
    await nexus.waitForEvent('root_key_ready');
  }

  /** SIGKILL (a crash) and wait for the exit. */
  async kill(name: string): Promise<void> {
    await this.proc(name).stop('SIGKILL');
  }

  /** SIGTERM (clean shutdown); returns the exit code. */
  async stop(name: string): Promise<number | null> {
    return this.proc(name).stop('SIGTERM');
  }

  /** `spike-dev-agent entry set <workload> <id>` (the agent pushes the new SVID before it returns). */
  async setEntry(workload: string, id: string): Promise<void> {
    const p = this.spawn(`entry-${workload}-${this.all.length}`, 'spike-dev-agent', ['entry', 'set', workload, id], this.envFor('agent'));
    const code = await p.exited;
    if (code !== 0) throw new Error(`entry set failed (${code}):\n${p.tail()}`);
  }

  /**
   * An in-process mTLS client authenticated as `workload` (its socket), that
   * accepts only a server whose SPIFFE ID is `serverId` (default: Nexus) or
   * lies below it (`ids.keeper` thus accepts every keeper's own ID).
   * Closed by cleanup().
   */
  async client(workload: string, serverId: string = this.ids.nexus, timeoutMs = 15_000): Promise<StackClient> {
    const source = await X509Source.create({ address: `unix://${this.socketOf(workload)}`, timeoutMs: 20_000 });
    const http = createSpikeHttpClient({ source, serverAuthorizer: authorizeIf((id) => id === serverId || id.startsWith(`${serverId}/`), serverId), timeoutMs });
    const c: StackClient = {
      source,
      http,
      id: () => source.getX509Svid().id.toString(),
      close: async () => {
        http.close();
        await source.close();
      },
    };
    this.#clients.push(c);
    return c;
  }

  #clients: StackClient[] = [];

  /**
   * Gives `workload` the SPIFFE ID `id` and waits until the in-process client
   * `c` (of that workload) uses it: `entry set` returns once the agent pushed
   * the SVID, but the client's source may still be applying it.
   */
  async switchIdentity(c: StackClient, id: string, workload = 'pilot', timeoutMs = 10_000): Promise<void> {
    await this.setEntry(workload, id);
    const end = Date.now() + timeoutMs;
    while (c.id() !== id) {
      if (Date.now() > end) throw new Error(`${workload} SVID did not rotate to ${id}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Kills everything still running and removes the temp dir. */
  async cleanup(): Promise<void> {
    await Promise.all(this.#clients.splice(0).map((c) => c.close().catch(() => undefined)));
    await Promise.all(this.all.filter((p) => p.running()).map((p) => p.stop('SIGKILL', 5000)));
    rmSync(this.dir, { recursive: true, force: true });
  }
}
