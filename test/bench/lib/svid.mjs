// Fetches one X.509-SVID from a Workload API socket (the dev agent) with the
// project's own one-shot client (src/spiffe/fetch.ts, bundled in memory with
// esbuild — the bench is plain Node ESM) and turns it into the PEM that
// Node's `tls` takes, for the bench's own mTLS clients and the echo server.
// The private key stays in memory (never argv/env/disk).
import { build } from 'esbuild';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
let spiffe;

async function loadSpiffe() {
  if (spiffe) return spiffe;
  const out = await build({
    stdin: {
      contents: "export { fetchX509Context } from './src/spiffe/fetch.ts'; export { svidToTlsCredentials } from './src/spiffe/x509svid.ts';",
      resolveDir: REPO,
      loader: 'ts',
    },
    bundle: true,
    format: 'esm',
    platform: 'node',
    write: false,
    logLevel: 'silent',
  });
  const dir = mkdtempSync(join(tmpdir(), 'skb-spiffe-'));
  const file = join(dir, 'spiffe.mjs');
  writeFileSync(file, out.outputFiles[0].contents);
  try {
    spiffe = await import(pathToFileURL(file).href);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return spiffe;
}

/** { id, cert (PEM chain), key (PEM PKCS#8), ca (PEM bundle) } from `unix://<socket>`, within `timeoutMs`. */
export async function fetchSvid(socketPath, timeoutMs = 20_000) {
  const { fetchX509Context, svidToTlsCredentials } = await loadSpiffe();
  const ctx = await fetchX509Context({ address: `unix://${socketPath}`, timeoutMs });
  const svid = ctx.svids[0];
  if (!svid) throw new Error(`Workload API ${socketPath}: no SVID`);
  const { cert, key } = svidToTlsCredentials(svid);
  return { id: svid.id.toString(), cert, key, ca: ctx.bundles.allPems().join('') };
}

/** A `checkServerIdentity` that accepts exactly one SPIFFE ID (URI SAN) and ignores host names, as SPIFFE mTLS does. */
export function pinSpiffeId(expected) {
  return (_host, cert) => {
    const sans = (cert.subjectaltname ?? '').split(', ');
    return sans.includes(`URI:${expected}`) ? undefined : new Error(`server is not ${expected}`);
  };
}
