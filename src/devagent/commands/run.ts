// `spike-dev-agent run`: the agent in the foreground until SIGTERM/SIGINT.
import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createLogger } from '../../common/log.js';
import { loadDevAgentConfig } from '../config.js';
import type { Env } from '../../protocol/config/env.js';
import { ControlError, controlRequest } from '../control.js';
import { devPaths, ensurePrivateDir, type DevPaths } from '../paths.js';
import { startDevAgent } from '../server.js';
import { CliError } from './errors.js';

function writePidFile(paths: DevPaths): void {
  const tmp = `${paths.pidFile}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, `${process.pid}\n`, { mode: 0o600, flag: 'wx' });
  renameSync(tmp, paths.pidFile);
}

function removeOwnPidFile(paths: DevPaths): void {
  try {
    if (readFileSync(paths.pidFile, 'utf8').trim() === String(process.pid)) rmSync(paths.pidFile, { force: true });
  } catch {
    /* already gone */
  }
}

async function refuseIfRunning(paths: DevPaths): Promise<void> {
  try {
    const res = await controlRequest(paths.controlSocket, { op: 'ping' }, 2_000);
    const pid = res.ok && res.pid !== undefined ? ` (pid ${res.pid})` : '';
    throw new CliError(`a dev agent is already running for ${paths.dir}${pid}`, 1);
  } catch (e) {
    if (e instanceof ControlError && e.kind === 'absent') return;
    if (e instanceof ControlError) throw new CliError(`something else answers on ${paths.controlSocket}: ${e.message}`, 1);
    throw e;
  }
}

/** Runs until a signal arrives; resolves with the exit code. */
export async function runAgent(env: Env): Promise<number> {
  const config = loadDevAgentConfig(env);
  const paths = devPaths(config.devDir);
  const logger = createLogger({ component: 'dev-agent', level: config.logLevel });
  ensurePrivateDir(paths.dir);
  await refuseIfRunning(paths);
  writePidFile(paths);
  let agent;
  try {
    agent = await startDevAgent(config, logger);
  } catch (e) {
    removeOwnPidFile(paths);
    throw e;
  }
  const running = agent;
  process.on('uncaughtException', (e) => logger.error('uncaught_exception', { error: e.message }));
  process.on('unhandledRejection', (e) => logger.error('unhandled_rejection', { error: e instanceof Error ? e.message : String(e) }));
  logger.event('agent_ready', { sockets: running.sockets(), trust_domain: config.trustDomain, pid: process.pid });
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      logger.info('agent_stopping', { signal });
      running
        .close()
        .catch((e: unknown) => logger.error('shutdown_failed', { error: e instanceof Error ? e.message : String(e) }))
        .finally(() => {
          removeOwnPidFile(paths);
          logger.event('agent_stopped', {});
          resolve(0);
        });
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });
}
