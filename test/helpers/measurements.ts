// Figures an e2e test measures (times, counts) go to a JSON file, not to the
// test output: `npm test` prints one short line naming the file. Speed itself
// is judged by `npm run bench`, not by the tests.
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The folder of measurement files: `$TMPDIR/spike-ts-test-results`. */
export const MEASUREMENTS_DIR = join(tmpdir(), 'spike-ts-test-results');

/** Writes `figures` to `<MEASUREMENTS_DIR>/<name>.json` and prints one line saying where. */
export function reportMeasurements(name: string, figures: unknown): string {
  mkdirSync(MEASUREMENTS_DIR, { recursive: true });
  const file = join(MEASUREMENTS_DIR, `${name}.json`);
  writeFileSync(file, `${JSON.stringify(figures, null, 1)}\n`);
  console.info(`${name}: measurements in ${file}`);
  return file;
}
