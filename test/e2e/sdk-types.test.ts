// The library's type declarations as a consumer sees them: a TypeScript
// project (NodeNext, strict, no skipLibCheck) whose node_modules/spike-ts is
// this package resolves `import { SpikeClient } from 'spike-ts'` through the
// package's `exports` (`types`: dist/types, `npm run build` first), accepts
// correct use and rejects wrong use; deep imports are not exported.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../helpers/proc.js';

const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc');
let dir: string;

beforeAll(() => {
  if (!existsSync(join(REPO, 'dist', 'types', 'lib', 'index.d.ts'))) throw new Error('dist/types is missing: run `npm run build` first');
  dir = mkdtempSync('/tmp/sdk-types-');
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(REPO, join(dir, 'node_modules', 'spike-ts'));
  // @types/node, as any Node project has it
  symlinkSync(join(REPO, 'node_modules', '@types'), join(dir, 'node_modules', '@types'));
  writeFileSync(join(dir, 'package.json'), '{"name":"consumer","private":true,"type":"module"}\n');
});
afterAll(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

function typecheck(source: string): { code: number | null; out: string } {
  writeFileSync(join(dir, 'main.ts'), source);
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, noEmit: true, types: ['node'] }, files: ['main.ts'] }),
  );
  const r = spawnSync(process.execPath, [TSC, '-p', dir], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout + r.stderr };
}

describe("import { SpikeClient } from 'spike-ts' type-checks in a consumer project", () => {
  it('correct use compiles', { timeout: 120_000 }, () => {
    const r = typecheck(`
import { SpikeClient, SpikeError, SpikeNotFoundError, type Secret, type SpikeClientOptions, type EncryptedData } from 'spike-ts';
const opts: SpikeClientOptions = { nexusUrl: ['https://a:8553', 'https://b:8553'], timeoutMs: 5000 };
const client: SpikeClient = await SpikeClient.create(opts);
try {
  const s: Secret = await client.getSecret('app/db', { version: 2, signal: AbortSignal.timeout(1000) });
  const pass: Buffer | undefined = s.values.get('pass');
  s.zero();
  await client.putSecret('app/db', { user: 'u', pass: Buffer.from('p') });
  const paths: string[] = await client.listSecrets();
  const md = await client.getSecretMetadata('app/db');
  const when: Date = md.updatedTime;
  await client.createPolicy({ name: 'p', spiffeIdPattern: '^x$', pathPattern: '^y$', permissions: ['read'] });
  const enc: EncryptedData = await client.encrypt('text');
  const plain: Buffer = await client.decrypt(enc);
  void [pass, paths, when, plain];
} catch (e) {
  if (e instanceof SpikeNotFoundError) console.log(e.status, e.code);
  else if (e instanceof SpikeError) console.log(e.kind);
} finally {
  await client.close();
}
`);
    expect(r.out).toBe('');
    expect(r.code).toBe(0);
  });

  it('wrong use is rejected, and deep imports are not exported', { timeout: 120_000 }, () => {
    const r = typecheck(`
import { SpikeClient } from 'spike-ts';
import { X509Source } from 'spike-ts/dist/lib/index.js';
const client = await SpikeClient.create({ nexusUrl: 8553 });
const s: string = await client.getSecret(42);
void [s, X509Source];
`);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/main\.ts\(3,.*spike-ts\/dist\/lib\/index\.js/);
    expect(r.out).toMatch(/main\.ts\(4,.*nexusUrl|main\.ts\(4,.*number/);
    expect(r.out).toMatch(/main\.ts\(5,/);
  });
});
