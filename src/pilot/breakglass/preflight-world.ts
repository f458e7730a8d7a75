// The real PreflightWorld: the Workload API (with the configured deadline),
// the mTLS client of Nexus with an authorizer that records the SPIFFE ID the
// server presents, the recovery directory's safety check, and memory
// hygiene from /proc (Linux; elsewhere nothing is reported). Loaded with
// `await import()` by `spike operator preflight` only.
import { readFileSync } from 'node:fs';
import type { PilotConfig } from '../config.js';
import { CliError, ExitCode, firstLine } from '../output/exit.js';
import { precheckRecoveryDir } from './recovery-directory.js';
import type { PreflightSvid, PreflightWorld } from './preflight.js';

async function openSvid(cfg: PilotConfig): Promise<PreflightSvid> {
  const [{ X509Source }, { createSpikeHttpClient }, { authorizeIf }, { isNexus }, { urlFor }] = await Promise.all([
    import('../../spiffe/workloadapi.js'),
    import('../../client/http.js'),
    import('../../spiffe/authorizer.js'),
    import('../../protocol/roles.js'),
    import('../../protocol/paths.js'),
  ]);
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), cfg.spiffe.sourceTimeoutMs + 1000);
  let source;
  try {
    source = await X509Source.create({ address: cfg.spiffe.endpointSocket, timeoutMs: cfg.spiffe.sourceTimeoutMs, signal: abort.signal });
  } catch (e) {
    throw new CliError(ExitCode.identity, `no X509-SVID from ${cfg.spiffe.endpointSocket} (${firstLine(e)})`);
  } finally {
    clearTimeout(timer);
  }
  const svid = source.getX509Svid();
  const roots = cfg.trustRoots.nexus;
  let presentedId: string | undefined;
  const client = createSpikeHttpClient({
    source,
    serverAuthorizer: authorizeIf((id) => {
      presentedId = id;
      return isNexus(id, roots);
    }, `a SPIKE Nexus SPIFFE ID (trust roots ${roots.join(', ')})`),
    timeoutMs: Math.min(cfg.httpTimeoutMs, 15_000),
  });
  return {
    spiffeId: svid.id.toString(),
    notAfter: svid.notAfter,
    async callNexus(path, body) {
      try {
        const answer = await client.postJson(urlFor(cfg.nexusUrl, path), body);
        return { answer, presentedId };
      } catch (error) {
        return { error, presentedId };
      }
    },
    async close() {
      client.close();
      await source.close();
    },
  };
}

function memoryRisks(): string[] {
  const risks: string[] = [];
  try {
    const swaps = readFileSync('/proc/swaps', 'utf8').trim().split('\n').slice(1);
    if (swaps.length > 0) risks.push('swap is enabled: shard memory could be written to disk');
  } catch {
    // not Linux, or not readable: unknown
  }
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max core file size'));
    const soft = line?.replace('Max core file size', '').trim().split(/\s+/)[0];
    if (soft !== undefined && soft !== '0') risks.push(`core dumps are allowed (ulimit -c ${soft}): run ulimit -c 0`);
  } catch {
    // unknown
  }
  return risks;
}

export const realPreflightWorld: PreflightWorld = {
  now: () => new Date(),
  openSvid,
  checkRecoveryDir: (cfg) => precheckRecoveryDir(cfg.recoveryDir),
  memoryRisks,
};
