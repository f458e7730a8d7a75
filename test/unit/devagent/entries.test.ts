import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  defaultEntries,
  EntryError,
  loadOrCreateEntries,
  parseEntries,
  readEntriesFile,
  validateEntryId,
  validateWorkloadName,
  writeEntriesFile,
} from '../../../src/devagent/entries.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync('/tmp/den-');
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('workload names', () => {
  it.each(['nexus', 'keeper-1', 'a', 'x'.repeat(32), '0-9'])('accepts %j', (n) => {
    expect(validateWorkloadName(n)).toBe(n);
  });
  it.each(['', 'Nexus', 'a_b', 'a.b', 'x'.repeat(33), '../x', 'a/b', 'a b', 'é'])('refuses %j', (n) => {
    expect(() => validateWorkloadName(n)).toThrow(EntryError);
  });
});

describe('entry SPIFFE IDs', () => {
  it('accepts IDs of the trust domain', () => {
    expect(validateEntryId('spiffe://spike.ist/spike/pilot/role/recover', 'spike.ist')).toBe('spiffe://spike.ist/spike/pilot/role/recover');
  });
  it.each([
    ['spiffe://other.org/spike/nexus', /not in the agent's trust domain/],
    ['spiffe://spike.ist', /has no path/],
    ['https://spike.ist/x', /spiffe:\/\//],
    ['spiffe://spike.ist/a/../b', /'\.\.'/],
    ['spiffe://Spike.ist/a', /lowercase/],
    ['', /empty/],
  ])('refuses %j', (id, re) => {
    expect(() => validateEntryId(id, 'spike.ist')).toThrow(re);
  });
});

describe('default entries', () => {
  it('has nexus, N keepers, bootstrap and the superuser pilot', () => {
    expect(Object.fromEntries(defaultEntries('example.org', 2))).toEqual({
      nexus: 'spiffe://example.org/spike/nexus',
      'keeper-1': 'spiffe://example.org/spike/keeper/1',
      'keeper-2': 'spiffe://example.org/spike/keeper/2',
      bootstrap: 'spiffe://example.org/spike/bootstrap',
      pilot: 'spiffe://example.org/spike/pilot/role/superuser',
    });
  });
});

describe('entries.json', () => {
  it('is created with the defaults on first use, mode 0600, and read back', () => {
    const path = join(dir, 'entries.json');
    const created = loadOrCreateEntries(path, 'spike.ist', 3);
    expect(created.size).toBe(6);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readEntriesFile(path, 'spike.ist')).toEqual(created);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(Object.fromEntries(created));
  });

  it('is not overwritten once it exists', () => {
    const path = join(dir, 'entries.json');
    writeEntriesFile(path, new Map([['pilot', 'spiffe://spike.ist/spike/pilot/role/restore']]));
    expect(Object.fromEntries(loadOrCreateEntries(path, 'spike.ist', 3))).toEqual({ pilot: 'spiffe://spike.ist/spike/pilot/role/restore' });
  });

  it('is replaced atomically and leaves no temp files', () => {
    const path = join(dir, 'entries.json');
    for (let i = 0; i < 20; i++) writeEntriesFile(path, new Map([[`w${i}`, `spiffe://spike.ist/w/${i}`]]));
    expect(readdirSync(dir)).toEqual(['entries.json']);
    expect(Object.fromEntries(readEntriesFile(path, 'spike.ist') ?? [])).toEqual({ w19: 'spiffe://spike.ist/w/19' });
  });

  it('keeps the old file when the write fails', () => {
    const path = join(dir, 'entries.json');
    writeEntriesFile(path, new Map([['a', 'spiffe://spike.ist/a']]));
    expect(() => writeEntriesFile(join(dir, 'missing', 'entries.json'), new Map())).toThrow();
    expect(readFileSync(path, 'utf8')).toContain('spiffe://spike.ist/a');
    expect(readdirSync(dir)).toEqual(['entries.json']);
  });

  it('is undefined when absent', () => {
    expect(readEntriesFile(join(dir, 'nope.json'), 'spike.ist')).toBeUndefined();
  });

  it.each([
    ['not json', /not valid JSON/],
    ['[]', /JSON object/],
    ['{"Pilot":"spiffe://spike.ist/x"}', /invalid workload name/],
    ['{"pilot":5}', /not a string/],
    ['{"pilot":"spiffe://evil.org/x"}', /trust domain/],
  ])('refuses bad content %j', (text, re) => {
    const path = join(dir, 'entries.json');
    writeFileSync(path, text);
    expect(() => readEntriesFile(path, 'spike.ist')).toThrow(re);
    expect(() => parseEntries(text, 'spike.ist')).toThrow(EntryError);
  });
});
