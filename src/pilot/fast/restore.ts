// The fast-path bundle of `spike operator restore` (dist/spike-operator-restore.cjs; run.ts).
import { runRestore } from '../commands/operator-restore.js';
import { runFastLine } from './run.js';

export function runFastPath(args: readonly string[]): boolean {
  return runFastLine(args, 'restore', runRestore);
}
