// How the entry commands reach a running agent: through the control socket,
// waiting a little while an agent whose pid file names a live process is
// still starting. `undefined` means no agent runs (edit entries.json instead).
import { readFileSync } from 'node:fs';
import { ControlError, controlRequest, type ControlRequest, type ControlResponse } from '../control.js';
import type { DevPaths } from '../paths.js';
import { CliError } from './errors.js';

const REQUEST_TIMEOUT_MS = 15_000;
const STARTUP_WAIT_MS = 10_000;

/** The pid in agent.pid if that process is alive. */
export function liveAgentPid(paths: DevPaths): number | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(paths.pidFile, 'utf8').trim());
  } catch {
    return undefined;
  }
  if (!Number.isSafeInteger(pid) || pid <= 1) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM' ? pid : undefined;
  }
}

export async function askAgent(paths: DevPaths, req: ControlRequest): Promise<ControlResponse | undefined> {
  const deadline = Date.now() + STARTUP_WAIT_MS;
  for (;;) {
    try {
      return await controlRequest(paths.controlSocket, req, REQUEST_TIMEOUT_MS);
    } catch (e) {
      if (!(e instanceof ControlError)) throw e;
      if (e.kind !== 'absent') throw new CliError(`the dev agent is not reachable: ${e.message}`, 1);
      const pid = liveAgentPid(paths);
      if (pid === undefined) return undefined;
      if (Date.now() >= deadline) {
        throw new CliError(`the dev agent (pid ${pid} in ${paths.pidFile}) does not answer on ${paths.controlSocket}; remove the pid file if no agent runs`, 1);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** Turns an error answer of the agent into a CliError. */
export function checkAnswer(res: ControlResponse): Extract<ControlResponse, { ok: true }> {
  if (res.ok) return res;
  throw new CliError(res.error, res.code === 'internal' ? 1 : 2);
}
