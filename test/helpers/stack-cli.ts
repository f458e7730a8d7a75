// The built `spike` CLI against a real Stack (test/helpers/stack.ts): a
// started Stack with a temp dir of the test's own, and `spike` run as the
// `pilot` workload of that Stack.
//
//   let stack: Stack, tmp: string;
//   beforeAll(async () => {
//     ({ stack, tmp } = await startStackWithTmp('/tmp/xx-', { keepers: 3 }));
//   }, 120_000);
//   afterAll(() => stopStackWithTmp(stack, tmp));
//   await spikeAsPilot(stack, ['secret', 'get', 'a'], { extra: { SPIKE_PILOT_RECOVERY_DIR: tmp } });
import { mkdtempSync, rmSync } from 'node:fs';
import { runSpike, type CliRun } from './fakenexus.js';
import { Stack, type StackOptions } from './stack.js';

/** A temp dir `<tmpPrefix>…` and a Stack created with `options`, every process started (startAll); on failure both are removed. */
export async function startStackWithTmp(tmpPrefix: string, options: StackOptions): Promise<{ stack: Stack; tmp: string }> {
  const tmp = mkdtempSync(tmpPrefix);
  let stack: Stack | undefined;
  try {
    stack = await Stack.create(options);
    await stack.startAll();
    return { stack, tmp };
  } catch (e) {
    await stopStackWithTmp(stack, tmp);
    throw e;
  }
}

/** Stops the Stack's processes and removes its dir and the temp dir (each as far as it exists). */
export async function stopStackWithTmp(stack: Stack | undefined, tmp: string | undefined): Promise<void> {
  await stack?.cleanup();
  if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
}

/** Runs the built `spike` as the Stack's `pilot` workload, with `extra` added to its environment. */
export function spikeAsPilot(stack: Stack, args: string[], opts: { extra?: Record<string, string>; stdin?: string } = {}): Promise<CliRun> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(stack.envFor('pilot', opts.extra))) if (v !== undefined) env[k] = v;
  return runSpike(args, { env, stdin: opts.stdin });
}
