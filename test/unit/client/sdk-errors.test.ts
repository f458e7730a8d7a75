// SpikeClient's typed errors: what each lower-layer failure becomes. The
// status and code table is upstream's (spike-sdk-go HandleAPIError order and
// its error codes: api_not_found, access_unauthorized, state_not_ready,
// api_bad_request, data_invalid_input).
import { describe, expect, it } from 'vitest';
import { ClientError } from '../../../src/client/errors.js';
import {
  SpikeBadRequestError,
  SpikeError,
  SpikeIdentityError,
  SpikeNotFoundError,
  SpikeNotReadyError,
  SpikeServerError,
  SpikeTimeoutError,
  SpikeTransportError,
  SpikeUnauthorizedError,
  SpikeWorkloadApiError,
  toSpikeError,
} from '../../../src/client/sdk-errors.js';
import { WorkloadApiError } from '../../../src/spiffe/x509context.js';

const status = (s: number, code?: string): ClientError => new ClientError('status', `get secret: https://n answered ${s}`, { status: s, code });

describe('toSpikeError', () => {
  it.each([
    [404, undefined, 'not_found', SpikeNotFoundError],
    [404, 'api_not_found', 'not_found', SpikeNotFoundError],
    [401, 'access_unauthorized', 'unauthorized', SpikeUnauthorizedError],
    [403, undefined, 'unauthorized', SpikeUnauthorizedError],
    [503, 'state_not_ready', 'not_ready', SpikeNotReadyError],
    [503, undefined, 'not_ready', SpikeNotReadyError],
    [400, 'api_bad_request', 'bad_request', SpikeBadRequestError],
    [500, 'api_internal_error', 'server', SpikeServerError],
    [429, undefined, 'server', SpikeServerError],
    // a 200 answer carrying an error code: the code decides
    [200, 'api_not_found', 'not_found', SpikeNotFoundError],
    [200, 'access_unauthorized', 'unauthorized', SpikeUnauthorizedError],
    [200, 'state_not_ready', 'not_ready', SpikeNotReadyError],
    [200, 'data_invalid_input', 'bad_request', SpikeBadRequestError],
    [200, 'gen_general_failure', 'server', SpikeServerError],
  ] as const)('HTTP %i %s → kind %s', (s, code, kind, cls) => {
    const e = toSpikeError(status(s, code));
    expect(e).toBeInstanceOf(cls);
    expect(e).toBeInstanceOf(SpikeError);
    expect(e).toMatchObject({ kind, status: s, code });
  });

  it('a non-200 status decides before the code', () => {
    expect(toSpikeError(status(404, 'state_not_ready'))).toBeInstanceOf(SpikeNotFoundError);
    // an unknown status falls back on the code
    expect(toSpikeError(status(500, 'state_not_ready'))).toBeInstanceOf(SpikeNotReadyError);
  });

  it('transport, timeout, identity and decode failures', () => {
    const refused = toSpikeError(new ClientError('transport', 'cannot reach https://n: ECONNREFUSED', { maybeSent: false }));
    expect(refused).toBeInstanceOf(SpikeTransportError);
    expect(refused).toMatchObject({ kind: 'transport', maybeSent: false });
    const late = toSpikeError(new ClientError('timeout', 'call to https://n timed out after 5 ms'));
    expect(late).toBeInstanceOf(SpikeTimeoutError);
    expect(late).toBeInstanceOf(SpikeTransportError);
    expect(late).toMatchObject({ kind: 'timeout', maybeSent: true });
    expect(toSpikeError(new ClientError('identity', 'server failed SPIFFE authentication'))).toBeInstanceOf(SpikeIdentityError);
    expect(toSpikeError(new ClientError('decode', 'get secret: malformed answer'))).toBeInstanceOf(SpikeServerError);
    expect(toSpikeError(new WorkloadApiError('no X.509-SVID within 1s'))).toBeInstanceOf(SpikeWorkloadApiError);
  });

  it('keeps the cause and a one-line message; other errors pass unchanged', () => {
    const inner = new ClientError('transport', 'line one\nline two');
    const e = toSpikeError(inner) as SpikeError;
    expect(e.message).toBe('line one');
    expect(e.cause).toBe(inner);
    const r = new RangeError('bad argument');
    expect(toSpikeError(r)).toBe(r);
  });
});
