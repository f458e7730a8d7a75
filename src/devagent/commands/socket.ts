// `spike-dev-agent socket <workload>`: the workload's socket path (for scripts:
// SPIFFE_ENDPOINT_SOCKET=unix://$(spike-dev-agent socket pilot)).
import { loadDevAgentConfig } from '../config.js';
import type { Env } from '../../protocol/config/env.js';
import { validateWorkloadName } from '../entries.js';
import { checkSocketPath, devPaths } from '../paths.js';
import type { Output } from './entry.js';

export function socketPath(env: Env, workload: string, io: Output): number {
  const config = loadDevAgentConfig(env);
  const path = devPaths(config.devDir).socket(validateWorkloadName(workload));
  checkSocketPath(path);
  io.out(path);
  return 0;
}
