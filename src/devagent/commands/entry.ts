// `spike-dev-agent entry set|delete|list`: through the running agent when
// there is one (the change reaches every open stream before the command
// returns), else by editing entries.json directly.
import { loadDevAgentConfig } from '../config.js';
import type { Env } from '../../protocol/config/env.js';
import { defaultEntries, loadOrCreateEntries, readEntriesFile, validateEntryId, validateWorkloadName, writeEntriesFile } from '../entries.js';
import { devPaths, ensurePrivateDir } from '../paths.js';
import { askAgent, checkAnswer } from './agentclient.js';

export interface Output {
  out(line: string): void;
  err(line: string): void;
}

export async function entrySet(env: Env, workload: string, spiffeId: string, io: Output): Promise<number> {
  const config = loadDevAgentConfig(env);
  const name = validateWorkloadName(workload);
  const id = validateEntryId(spiffeId, config.trustDomain);
  const paths = devPaths(config.devDir);
  const res = await askAgent(paths, { op: 'set', workload: name, spiffeId: id });
  if (res !== undefined) {
    checkAnswer(res);
    io.out(`${name} -> ${id}`);
    return 0;
  }
  ensurePrivateDir(paths.dir);
  const entries = loadOrCreateEntries(paths.entries, config.trustDomain, config.keeperCount);
  entries.set(name, id);
  writeEntriesFile(paths.entries, entries);
  io.out(`${name} -> ${id} (no agent running: saved in ${paths.entries})`);
  return 0;
}

export async function entryDelete(env: Env, workload: string, io: Output): Promise<number> {
  const config = loadDevAgentConfig(env);
  const name = validateWorkloadName(workload);
  const paths = devPaths(config.devDir);
  const res = await askAgent(paths, { op: 'delete', workload: name });
  let existed: boolean;
  if (res !== undefined) {
    existed = checkAnswer(res).existed === true;
  } else {
    ensurePrivateDir(paths.dir);
    const entries = loadOrCreateEntries(paths.entries, config.trustDomain, config.keeperCount);
    existed = entries.delete(name);
    if (existed) writeEntriesFile(paths.entries, entries);
  }
  io.out(existed ? `deleted ${name}` : `no entry for ${name} (nothing to delete)`);
  return 0;
}

export async function entryList(env: Env, json: boolean, io: Output): Promise<number> {
  const config = loadDevAgentConfig(env);
  const paths = devPaths(config.devDir);
  const res = await askAgent(paths, { op: 'list' });
  let entries: Record<string, string>;
  if (res !== undefined) {
    entries = checkAnswer(res).entries ?? {};
  } else {
    // Without an agent, show the file (or what a first run would create) without writing anything.
    const m = readEntriesFile(paths.entries, config.trustDomain) ?? defaultEntries(config.trustDomain, config.keeperCount);
    entries = Object.fromEntries([...m].sort(([a], [b]) => a.localeCompare(b)));
  }
  if (json) {
    io.out(JSON.stringify(entries));
    return 0;
  }
  const width = Math.max(8, ...Object.keys(entries).map((k) => k.length));
  for (const [name, id] of Object.entries(entries)) io.out(`${name.padEnd(width)}  ${id}`);
  return 0;
}
