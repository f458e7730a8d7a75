// The dev agent: the dev CA, the registration entries and one Workload API
// endpoint per workload, plus the control socket through which
// `spike-dev-agent entry …` changes entries while the agent runs.
import type { DevAgentConfig } from './config.js';
import { loadOrCreateDevCa, type DevCa } from './ca.js';
import { ControlServer, type ControlRequest, type ControlResponse } from './control.js';
import { defaultWorkloads, EntryError, loadOrCreateEntries, validateEntryId, validateWorkloadName, writeEntriesFile } from './entries.js';
import { DevPathError, devPaths, ensurePrivateDir, type DevPaths } from './paths.js';
import { WorkloadEndpoint, type WorkloadLog } from './workload.js';

export interface DevAgentLog extends WorkloadLog {
  error(msg: string, fields?: Record<string, string | number>): void;
}

export interface DevAgent {
  readonly trustDomain: string;
  readonly ca: DevCa;
  /** Workload → socket path of every listening endpoint. */
  sockets(): Record<string, string>;
  /** Workload → SPIFFE ID. */
  entries(): Record<string, string>;
  /** Sets an entry; resolves once entries.json is written and every open stream of the workload got the new SVID. */
  setEntry(workload: string, spiffeId: string): Promise<void>;
  /** Deletes an entry (false if there was none); open streams of the workload end with PERMISSION_DENIED. */
  deleteEntry(workload: string): Promise<boolean>;
  close(): Promise<void>;
}

class RunningDevAgent implements DevAgent {
  readonly #paths: DevPaths;
  readonly #entries: Map<string, string>;
  readonly #endpoints = new Map<string, WorkloadEndpoint>();
  #control: ControlServer | undefined;
  /** Serialises entry changes (entries.json is rewritten whole). */
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(
    readonly config: DevAgentConfig,
    readonly ca: DevCa,
    entries: Map<string, string>,
    readonly log: DevAgentLog,
  ) {
    this.#paths = devPaths(config.devDir);
    this.#entries = entries;
  }

  get trustDomain(): string {
    return this.config.trustDomain;
  }

  async start(): Promise<void> {
    ensurePrivateDir(this.#paths.socketsDir);
    const names = new Set([...defaultWorkloads(this.config.keeperCount), ...this.#entries.keys()]);
    for (const name of [...names].sort()) {
      const ep = this.#endpoint(name);
      const id = this.#entries.get(name);
      if (id !== undefined) await ep.setIdentity(id);
      await ep.listen();
    }
    this.#control = new ControlServer(this.#paths.controlSocket, (req) => this.#onControl(req), this.log);
    await this.#control.listen();
  }

  sockets(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, ep] of [...this.#endpoints].sort(([a], [b]) => a.localeCompare(b))) {
      if (ep.listening) out[name] = ep.socketPath;
    }
    return out;
  }

  entries(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const name of [...this.#entries.keys()].sort()) out[name] = this.#entries.get(name) as string;
    return out;
  }

  setEntry(workload: string, spiffeId: string): Promise<void> {
    return this.#serial(async () => {
      const name = validateWorkloadName(workload);
      const id = validateEntryId(spiffeId, this.trustDomain);
      // Creating the endpoint first checks its socket path before anything is written.
      const ep = this.#endpoint(name);
      const next = new Map(this.#entries);
      next.set(name, id);
      writeEntriesFile(this.#paths.entries, next);
      this.#entries.set(name, id);
      await ep.setIdentity(id);
      await ep.listen();
      this.log.info('entry_set', { workload: name, spiffe_id: id });
    });
  }

  deleteEntry(workload: string): Promise<boolean> {
    return this.#serial(async () => {
      const name = validateWorkloadName(workload);
      if (!this.#entries.has(name)) return false;
      const next = new Map(this.#entries);
      next.delete(name);
      writeEntriesFile(this.#paths.entries, next);
      this.#entries.delete(name);
      // The socket stays: the workload keeps getting PERMISSION_DENIED until an entry comes back.
      await this.#endpoints.get(name)?.setIdentity(undefined);
      this.log.info('entry_deleted', { workload: name });
      return true;
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#control?.close();
    for (const ep of this.#endpoints.values()) ep.close();
    this.#endpoints.clear();
  }

  #endpoint(name: string): WorkloadEndpoint {
    let ep = this.#endpoints.get(name);
    if (!ep) {
      ep = new WorkloadEndpoint(name, this.#paths.socket(name), this.ca, this.config.svidTtlMs, this.log);
      this.#endpoints.set(name, ep);
    }
    return ep;
  }

  #serial<T>(job: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new Error('the agent is shutting down'));
    const run = this.#queue.then(job);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #onControl(req: ControlRequest): Promise<ControlResponse> {
    try {
      switch (req.op) {
        case 'ping':
          return { ok: true, pid: process.pid };
        case 'list':
          return { ok: true, entries: this.entries(), sockets: this.sockets() };
        case 'set':
          await this.setEntry(req.workload, req.spiffeId);
          return { ok: true, entries: this.entries() };
        case 'delete': {
          const existed = await this.deleteEntry(req.workload);
          return { ok: true, existed, entries: this.entries() };
        }
      }
    } catch (e) {
      if (e instanceof EntryError || e instanceof DevPathError) return { ok: false, code: 'invalid', error: e.message };
      this.log.error('control_request_failed', { op: req.op, error: (e as Error).message ?? String(e) });
      return { ok: false, code: 'internal', error: 'the agent could not apply the change; see its log' };
    }
  }
}

/**
 * Loads (or creates) the CA and entries in `config.devDir` and starts every
 * endpoint and the control socket. Resolves once all sockets listen.
 */
export async function startDevAgent(config: DevAgentConfig, log: DevAgentLog): Promise<DevAgent> {
  const paths = devPaths(config.devDir);
  ensurePrivateDir(paths.dir);
  const ca = await loadOrCreateDevCa(paths.dir, config.trustDomain);
  const entries = loadOrCreateEntries(paths.entries, config.trustDomain, config.keeperCount);
  const agent = new RunningDevAgent(config, ca, entries, log);
  try {
    await agent.start();
  } catch (e) {
    await agent.close();
    throw e;
  }
  return agent;
}
