// A local SPIKE stack of real processes from dist/ (dev agent, N keepers,
// Nexus, Bootstrap) on free loopback ports in a fresh short temp dir — the
// same wiring as test/helpers/stack.ts and hack/start.sh, in plain Node.
import { mkdtempSync, mkdirSync, rmSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Proc, runTimed } from './procs.mjs';

export async function freePorts(n) {
  const servers = await Promise.all(
    Array.from({ length: n }, () => new Promise((ok, ko) => {
      const s = createServer();
      s.once('error', ko);
      s.listen(0, '127.0.0.1', () => ok(s));
    })),
  );
  const ports = servers.map((s) => s.address().port);
  await Promise.all(servers.map((s) => new Promise((ok) => s.close(ok))));
  return ports;
}

export class Stack {
  /** @param {string} repo the repository root (dist/ must be built) */
  static async create(repo, keepers = 3) {
    const dist = join(repo, 'dist');
    if (!existsSync(join(dist, 'spike-nexus.js'))) throw new Error('dist/ is missing: run `npm run build` (npm run bench does)');
    const dir = mkdtempSync('/tmp/skb-');
    mkdirSync(join(dir, 'dev'), { mode: 0o700 });
    mkdirSync(join(dir, 'pilot'), { mode: 0o700 });
    const [nexusPort, ...keeperPorts] = await freePorts(keepers + 1);
    return new Stack(dist, dir, nexusPort, keeperPorts);
  }

  constructor(dist, dir, nexusPort, keeperPorts) {
    this.dist = dist;
    this.dir = dir;
    this.nexusPort = nexusPort;
    this.keeperPorts = keeperPorts;
    this.procs = new Map();
    const td = 'spiffe://spike.ist';
    this.ids = {
      nexus: `${td}/spike/nexus`,
      superuser: `${td}/spike/pilot/role/superuser`,
      recover: `${td}/spike/pilot/role/recover`,
      restore: `${td}/spike/pilot/role/restore`,
    };
  }

  get nexusUrl() {
    return `https://127.0.0.1:${this.nexusPort}`;
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
      SPIKE_NEXUS_API_URL: this.nexusUrl,
      SPIKE_NEXUS_TLS_PORT: `127.0.0.1:${this.nexusPort}`,
      SPIKE_NEXUS_KEEPER_PEERS: this.keeperPorts.map((p) => `https://127.0.0.1:${p}`).join(','),
      SPIKE_NEXUS_SHAMIR_SHARES: String(this.keeperPorts.length),
      SPIKE_NEXUS_SHAMIR_THRESHOLD: '2',
      SPIKE_SYSTEM_LOG_LEVEL: 'warn',
      SPIKE_SPIFFE_SOURCE_TIMEOUT: '20s',
      SPIKE_PILOT_RECOVERY_DIR: join(this.dir, 'pilot'),
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
    await this.spawn('agent', 'spike-dev-agent', ['run'], this.envFor('agent')).waitFor('agent_ready', 20_000);
  }

  async startKeepers() {
    await Promise.all(
      this.keeperPorts.map((port, i) =>
        this.spawn(`keeper-${i + 1}`, 'spike-keeper', [], this.envFor(`keeper-${i + 1}`, { SPIKE_KEEPER_TLS_PORT: `127.0.0.1:${port}` })).waitFor(
          'keeper_listening',
          20_000,
        ),
      ),
    );
  }

  /** Spawns Nexus (no waiting): the caller times `nexus_listening` / `root_key_ready`. */
  spawnNexus(nodeArgs = []) {
    return this.spawn('nexus', 'spike-nexus', [], this.envFor('nexus'), nodeArgs);
  }

  async bootstrap() {
    const r = await runTimed('bootstrap', process.execPath, [this.bin('spike-bootstrap'), '-init'], { env: this.envFor('bootstrap') }, 60_000);
    if (r.code !== 0) throw new Error(`bootstrap failed (${r.code}): ${r.stdout}${r.stderr}`);
  }

  /** Agent, keepers, Nexus, Bootstrap; resolves when Nexus has its root key. */
  async startAll(nexusNodeArgs = []) {
    await this.startAgent();
    await this.startKeepers();
    const nexus = this.spawnNexus(nexusNodeArgs);
    await nexus.waitFor('nexus_listening', 20_000);
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
    rmSync(this.dir, { recursive: true, force: true });
  }
}
