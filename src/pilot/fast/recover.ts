// The fast-path bundle of `spike operator recover` (dist/spike-operator-recover.cjs; run.ts).
import { runRecover } from '../commands/operator-recover.js';
import { runFastLine } from './run.js';

export function runFastPath(args: readonly string[]): boolean {
  return runFastLine(args, 'recover', runRecover);
}
