// nexus/identity.ts: which line the Pilot prints for each kind of Workload
// API failure (exit 3, one line, no gRPC status names), and the "Waiting for
// the SPIFFE Workload API" notice on a terminal only. The real binary:
// test/e2e/pilot-no-agent.test.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPilotConfig, type PilotConfig } from '../../../../src/pilot/config.js';
import { openWorkloadIdentity, svidFailure } from '../../../../src/pilot/nexus/identity.js';
import { CliError, ExitCode } from '../../../../src/pilot/output/exit.js';
import { WorkloadApiError, type WorkloadApiErrorKind } from '../../../../src/spiffe/x509context.js';
import { silentSocket, type SocketHandle } from '../../../helpers/fakeworkloadapi.js';

const SOCK = 'unix:///run/agent/api.sock';
const HINT = `Set SPIFFE_ENDPOINT_SOCKET to the agent's socket; for the local stack run hack/start.sh and eval "$(hack/env.sh)".`;
const GRPC_NAMES = /UNAVAILABLE|PERMISSION_DENIED|INVALID_ARGUMENT|UNIMPLEMENTED|DEADLINE_EXCEEDED|CANCELLED|grpc|status \d/;

function cfg(env: Record<string, string> = { SPIFFE_ENDPOINT_SOCKET: SOCK, SPIKE_SPIFFE_SOURCE_TIMEOUT: '3s' }): PilotConfig {
  return loadPilotConfig(env);
}

function err(kind: WorkloadApiErrorKind, reason: string, code?: number): WorkloadApiError {
  return new WorkloadApiError(`technical message with UNAVAILABLE: and code ${code ?? 14}`, code, { kind, reason });
}

describe('svidFailure', () => {
  it.each<[WorkloadApiErrorKind, string, string]>([
    ['no_socket', 'no such socket', `cannot reach the SPIFFE Workload API at ${SOCK}: no such socket (is the agent running?). ${HINT}`],
    ['refused', 'nothing is listening on the socket', `cannot reach the SPIFFE Workload API at ${SOCK}: nothing is listening on the socket (is the agent running?). ${HINT}`],
    ['not_a_socket', 'the path is not a socket', `cannot reach the SPIFFE Workload API at ${SOCK}: the path is not a socket. ${HINT}`],
    [
      'access_denied',
      'permission denied on the socket path',
      `cannot reach the SPIFFE Workload API at ${SOCK}: permission denied on the socket path (may this user open the agent socket?). ${HINT}`,
    ],
    [
      'permission_denied',
      'no identity issued for this workload',
      `the SPIFFE Workload API at ${SOCK} has no X.509-SVID for this process (no registration entry matches it). Register SPIKE Pilot with hack/spire-server-entry-su-register.sh (superuser), hack/spire-server-entry-recover-register.sh (recover) or hack/spire-server-entry-restore-register.sh (restore).`,
    ],
    [
      'timeout',
      'no answer',
      `no answer from the SPIFFE Workload API at ${SOCK} within 3s (SPIKE_SPIFFE_SOURCE_TIMEOUT): the agent accepted the connection but sent no X.509-SVID; check that it is healthy.`,
    ],
    ['unavailable', 'the Workload API reported an error (agent busy)', `no X.509-SVID from the SPIFFE Workload API at ${SOCK}: the Workload API reported an error (agent busy).`],
    [
      'rejected',
      'the server does not implement the Workload API call FetchX509SVID',
      `no X.509-SVID from the SPIFFE Workload API at ${SOCK}: the server does not implement the Workload API call FetchX509SVID.`,
    ],
    [
      'bad_response',
      'invalid X509SVIDResponse: no SVIDs in response',
      `no X.509-SVID from the SPIFFE Workload API at ${SOCK}: the answer is not usable (invalid X509SVIDResponse: no SVIDs in response).`,
    ],
  ])('%s: one line, exit 3, no gRPC words', (kind, reason, line) => {
    const e = svidFailure(cfg(), err(kind, reason, 7));
    expect(e).toBeInstanceOf(CliError);
    expect(e.exitCode).toBe(ExitCode.identity);
    expect(e.message).toBe(line);
    expect(e.message).not.toMatch(GRPC_NAMES);
    expect(e.message).not.toContain('\n');
  });

  it('a tcp:// address that refuses says connection refused', () => {
    const e = svidFailure(cfg({ SPIFFE_ENDPOINT_SOCKET: 'tcp://127.0.0.1:8081' }), err('refused', 'connection refused'));
    expect(e.message).toBe(`cannot reach the SPIFFE Workload API at tcp://127.0.0.1:8081: connection refused (is the agent running?). ${HINT}`);
  });

  it('SPIFFE_ENDPOINT_SOCKET unset (or blank): says the default was tried', () => {
    for (const env of [{}, { SPIFFE_ENDPOINT_SOCKET: '  ' }] as Record<string, string>[]) {
      const e = svidFailure(cfg(env), err('no_socket', 'no such socket'));
      expect(e.message).toBe(
        `cannot reach the SPIFFE Workload API at unix:///tmp/spire-agent/public/api.sock (the default: SPIFFE_ENDPOINT_SOCKET is not set): no such socket (is the agent running?). ${HINT}`,
      );
    }
  });

  it('an unclassified error still gets one plain line', () => {
    const e = svidFailure(cfg(), new WorkloadApiError('odd'));
    expect(e.message).toBe(`no X.509-SVID from the SPIFFE Workload API at ${SOCK}: the Workload API failed.`);
  });
});

describe('openWorkloadIdentity: the waiting notice', () => {
  let tmp: string;
  let silent: SocketHandle;
  let path: string;
  beforeAll(async () => {
    tmp = mkdtempSync('/tmp/pid-');
    path = join(tmp, 'silent.sock');
    silent = await silentSocket(path);
  });
  afterAll(async () => {
    await silent.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  async function run(isTTY: boolean): Promise<{ written: string[]; error: unknown }> {
    const written: string[] = [];
    const error = await openWorkloadIdentity(cfg({ SPIFFE_ENDPOINT_SOCKET: `unix://${path}`, SPIKE_SPIFFE_SOURCE_TIMEOUT: '1200ms' }), {
      isTTY,
      write: (t: string) => written.push(t),
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    return { written, error };
  }

  it('on a terminal: once, on its own line, then the timeout error', async () => {
    const { written, error } = await run(true);
    expect(written).toEqual([`Waiting for the SPIFFE Workload API at unix://${path}…\n`]);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(ExitCode.identity);
    expect((error as CliError).message).toMatch(/^no answer from the SPIFFE Workload API at .* within 1\.2s \(SPIKE_SPIFFE_SOURCE_TIMEOUT\)/);
  });

  it('not on a terminal: nothing', async () => {
    const { written, error } = await run(false);
    expect(written).toEqual([]);
    expect(error).toBeInstanceOf(CliError);
  });
});
