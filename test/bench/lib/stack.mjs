// A local SPIKE stack of real processes from dist/ (dev agent, N keepers,
// Nexus, Bootstrap) in a fresh short temp dir — the same wiring as
// test/helpers/stack.ts and hack/start.sh, in plain Node. Keepers and Nexus
// listen on port 0 (they pick a free port themselves) and the bound port is
// read from their `keeper_listening` / `nexus_listening` line: no port is
// picked here, closed and handed over (another process could take it in
// between). Keepers start first; Nexus is then given their URLs.
// `extraEnv` (e.g. the PostgreSQL backend's settings) goes to every process;
// more Nexus replicas on the same store start with spawnNexus(…, { name }).
// The temp dir is also removed when the bench process exits without cleanup()
// (watchdog, signal).
import { mkdtempSync, mkdirSync, rmSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Proc, runTimed } from './procs.mjs';

/** The `port` of a `*_listening` line. */
function portOf(line, name) {
  const port = line.port;
  if (!Number.isInteger(port) || port <= 0) throw new Error(`${name}: '${line.msg}' has no port: ${JSON.stringify(line)}`);
  return port;
}

export class Stack {
  /** @param {string} repo the repository root (dist/ must be built) */
  static async create(repo, keepers = 3) {
    // BENCH_DIST=<dir>: another build (before/after comparisons against the same bench).
    const dist = process.env.BENCH_DIST ? resolve(process.env.BENCH_DIST) : join(repo, 'dist');
    if (!existsSync(join(dist, 'spike-nexus.js'))) throw new Error('dist/ is missing: run `npm run build` (npm run bench does)');
    const dir = mkdtempSync('/tmp/skb-');
    const removeDir = () => rmSync(dir, { recursive: true, force: true });
    process.once('exit', removeDir);
    mkdirSync(join(dir, 'dev'), { mode: 0o700 });
    mkdirSync(join(dir, 'pilot'), { mode: 0o700 });
    const stack = new Stack(dist, dir, keepers);
    stack.removeDir = () => {
      process.removeListener('exit', removeDir);
      removeDir();
    };
    return stack;
  }

  constructor(dist, dir, keepers) {
    this.dist = dist;
    this.dir = dir;
    /** Settings given to every process of this stack (e.g. SPIKE_NEXUS_BACKEND_STORE=postgres and its database). */
    this.extraEnv = {};
    this.removeDir = () => rmSync(dir, { recursive: true, force: true });
    /** 0 while Nexus has not logged `nexus_listening` (each start picks a new port). */
    this.nexusPort = 0;
    /** 0 for a keeper that has not logged `keeper_listening` yet (each start picks a new port). */
    this.keeperPorts = new Array(keepers).fill(0);
    this.procs = new Map();
    const td = 'spiffe://spike.ist';
    this.ids = {
      nexus: `${td}/spike/nexus`,
      superuser: `${td}/spike/pilot/role/superuser`,
      recover: `${td}/spike/pilot/role/recover`,
      restore: `${td}/spike/pilot/role/restore`,
      /** keeper i's own ID (the dev agent's default entry keeper-i) */
      keepers: this.keeperPorts.map((_, i) => `${td}/spike/keeper/${i + 1}`),
    };
  }

  /** Throws while Nexus's port is not known (before its `nexus_listening`). */
  get nexusUrl() {
    if (this.nexusPort === 0) throw new Error('Nexus is not listening yet: its port is not known');
    return `https://127.0.0.1:${this.nexusPort}`;
  }

  get keeperUrls() {
    if (this.keeperPorts.includes(0)) throw new Error('a keeper is not listening yet: its port is not known');
    return this.keeperPorts.map((p) => `https://127.0.0.1:${p}`);
  }

  /** SPIKE_NEXUS_KEEPER_PEERS: keeper i's URL pinned to its own ID spike/keeper/<i> (the dev agent's default entry). */
  keeperPeers() {
    return this.keeperUrls.map((u, i) => `${u}=${this.ids.keepers[i]}`).join(',');
  }

  socketOf(workload) {
    return join(this.dir, 'dev', 'sockets', `${workload}.sock`);
  }

  envFor(workload, extra = {}) {
    return {
      PATH: process.env.PATH,
      HOME: this.dir,
      USER: process.env.USER ?? 'spike',
      SPIKE_DEV_DIR: join(this.dir, 'dev'),
      SPIKE_NEXUS_DATA_DIR: join(this.dir, 'nexus'),
      SPIFFE_ENDPOINT_SOCKET: `unix://${this.socketOf(workload)}`,
      // what is not known yet (no process listens there) is not set
      ...(this.nexusPort === 0 ? {} : { SPIKE_NEXUS_API_URL: this.nexusUrl }),
      ...(this.keeperPorts.includes(0) ? {} : { SPIKE_NEXUS_KEEPER_PEERS: this.keeperPeers() }),
      SPIKE_NEXUS_SHAMIR_SHARES: String(this.keeperPorts.length),
      SPIKE_NEXUS_SHAMIR_THRESHOLD: '2',
      SPIKE_SYSTEM_LOG_LEVEL: 'warn',
      SPIKE_SPIFFE_SOURCE_TIMEOUT: '20s',
      SPIKE_PILOT_RECOVERY_DIR: join(this.dir, 'pilot'),
      ...this.extraEnv,
      ...extra,
    };
  }

  bin(name) {
    return join(this.dist, `${name}.js`);
  }

  spawn(name, bin, args, env, nodeArgs = []) {
    const p = new Proc(name, process.execPath, [...nodeArgs, this.bin(bin), ...args], { env });
    this.procs.set(name, p);
    return p;
  }

  proc(name) {
    return this.procs.get(name);
  }

  async startAgent() {
    // The agent only counts SPIKE_NEXUS_KEEPER_PEERS (one keeper-i workload per URL); the keepers' ports are not known yet.
    const peers = this.keeperPorts.map((_, i) => `https://keeper-${i + 1}.invalid`).join(',');
    await this.spawn('agent', 'spike-dev-agent', ['run'], this.envFor('agent', { SPIKE_NEXUS_KEEPER_PEERS: peers })).waitFor('agent_ready', 20_000);
  }

  /** Starts every keeper on a port it picks; resolves once all listen (their ports recorded). */
  async startKeepers() {
    this.keeperPorts.fill(0);
    await Promise.all(
      this.keeperPorts.map(async (_, i) => {
        const name = `keeper-${i + 1}`;
        const p = this.spawn(name, 'spike-keeper', [], this.envFor(name, { SPIKE_KEEPER_TLS_PORT: '127.0.0.1:0' }));
        this.keeperPorts[i] = portOf(await p.waitFor('keeper_listening', 20_000), name);
      }),
    );
  }

  /**
   * Spawns Nexus on a port it picks, told the keepers' URLs (start the keepers
   * first). Does not wait: the caller times `nexus_listening` /
   * `root_key_ready`. `proc.listening` resolves with the `nexus_listening`
   * line once the port is known (then `proc.url`, and for the first Nexus
   * `nexusUrl` and `envFor`, carry it). `name` other than 'nexus' starts
   * another replica on the same store (PostgreSQL), with the Nexus SVID and
   * SPIKE_NEXUS_REPLICA_NAME=`name`; `replicaName` names the first one too.
   */
  spawnNexus(nodeArgs = [], { name = 'nexus', replicaName = name === 'nexus' ? undefined : name } = {}) {
    const peers = this.keeperPeers(); // throws before the keepers listen
    const first = name === 'nexus';
    if (first) this.nexusPort = 0;
    const env = this.envFor('nexus', {
      SPIKE_NEXUS_TLS_PORT: '127.0.0.1:0',
      SPIKE_NEXUS_KEEPER_PEERS: peers,
      ...(replicaName === undefined ? {} : { SPIKE_NEXUS_REPLICA_NAME: replicaName }),
    });
    const p = this.spawn(name, 'spike-nexus', [], env, nodeArgs);
    p.listening = p.waitFor('nexus_listening', 20_000).then((l) => {
      const port = portOf(l, name);
      p.url = `https://127.0.0.1:${port}`;
      if (first) this.nexusPort = port;
      return l;
    });
    p.listening.catch(() => undefined); // awaited by the caller; a failure surfaces there
    return p;
  }

  async bootstrap() {
    const r = await runTimed('bootstrap', process.execPath, [this.bin('spike-bootstrap'), '-init'], { env: this.envFor('bootstrap') }, 60_000);
    if (r.code !== 0) throw new Error(`bootstrap failed (${r.code}): ${r.stdout}${r.stderr}`);
  }

  /** Agent, keepers, Nexus, Bootstrap; resolves when Nexus has its root key. */
  async startAll(nexusNodeArgs = [], nexusOpts = {}) {
    await this.startAgent();
    await this.startKeepers();
    const nexus = this.spawnNexus(nexusNodeArgs, nexusOpts);
    await nexus.listening;
    await this.bootstrap();
    await nexus.waitFor('root_key_ready', 30_000);
  }

  /** `spike-dev-agent entry set <workload> <id>` (the agent pushes the new SVID before it returns). */
  async setEntry(workload, id) {
    const r = await runTimed('entry', process.execPath, [this.bin('spike-dev-agent'), 'entry', 'set', workload, id], { env: this.envFor('agent') }, 20_000);
    if (r.code !== 0) throw new Error(`entry set ${workload} failed (${r.code}): ${r.stderr}`);
  }

  /** Stops every process (SIGTERM, then SIGKILL) and removes the temp dir. */
  async cleanup() {
    await Promise.all([...this.procs.values()].map((p) => p.stop('SIGTERM', 3000).catch(() => undefined)));
    this.removeDir();
  }
}
