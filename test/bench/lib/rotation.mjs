// The root-key rotation figure of `npm run bench`: wall time of
// `spike operator rotate --yes -f json` (start → every row re-encrypted →
// Keepers hold the new shards → finished) over the store the scale sweep
// (scale.mjs) grew to 1 000, 10 000 and 100 000 secrets, in secrets per
// second. The rows were written straight into spike.db (seed.mjs); the
// seeding rate (seal + insert in the bench process, secrets/s) is the
// baseline: the same crypto and SQLite work without Nexus, the rotation's
// batches, transactions and Keeper push.
import { runTimed } from './procs.mjs';
import { checkSeeded } from './seed.mjs';

/**
 * One `spike operator rotate` over a store holding seeded secrets [0, secrets)
 * (plus the few the bench wrote through the API); three seeded secrets are
 * read back afterwards. `seedPerSecond`: the baseline.
 */
export async function rotateOnce(stack, secrets, seedPerSecond, log) {
  await stack.setEntry('pilot', stack.ids.superuser);
  log(`rotating ${secrets} secrets`);
  const r = await runTimed('rotate', process.execPath, [stack.bin('spike'), 'operator', 'rotate', '--yes', '-f', 'json'], { env: stack.envFor('pilot', { SPIKE_HTTP_CLIENT_TIMEOUT: '60s' }) }, 300_000);
  if (r.code !== 0) throw new Error(`spike operator rotate exited ${r.code}: ${r.stderr.trim()} ${r.stdout.trim()}`);
  let answer;
  try {
    answer = JSON.parse(r.stdout);
  } catch {
    throw new Error(`spike operator rotate -f json printed no JSON: ${r.stdout.slice(0, 200)}`);
  }
  if (!/^[0-9a-f]{64}$/.test(answer.fingerprint ?? '') || answer.fingerprint === answer.previousFingerprint) {
    throw new Error(`unexpected rotate answer: ${r.stdout.slice(0, 300)}`);
  }
  for (const i of [0, Math.floor(secrets / 2), secrets - 1]) await checkSeeded(stack, i);
  return { secrets, rows: answer.rows ?? answer.total, rotateMs: r.ms, perSecond: secrets / (r.ms / 1000), seedPerSecond };
}

const label = (n) => (n >= 1000 ? `${n / 1000}k` : String(n));

/** Figure rows (report.mjs): time and secrets/s per store size, the seeding rate as the baseline. */
export function rotationFigures(rotations) {
  const rows = [];
  for (const x of rotations) {
    rows.push({ name: `rotate ${label(x.secrets)} secrets`, unit: 'ms', value: x.rotateMs, note: '1 run' });
    rows.push({
      name: `rotate ${label(x.secrets)} secrets, rate`,
      unit: 'secrets/s',
      value: x.perSecond,
      baseline: { label: 'seal + insert, bench process', value: x.seedPerSecond },
      ratio: x.perSecond / x.seedPerSecond,
    });
  }
  return rows;
}
