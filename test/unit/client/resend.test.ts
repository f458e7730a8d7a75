import { describe, expect, it } from 'vitest';
import { IDEMPOTENT_ROUTES, isIdempotentUrl, mayResend, type FailedAttempt } from '../../../src/client/resend.js';
import { KEEPER_ROUTES, NEXUS_ROUTES, urlFor } from '../../../src/protocol/paths.js';

const NEXUS = new URL('https://127.0.0.1:8553');

describe('isIdempotentUrl', () => {
  it.each([...NEXUS_ROUTES, ...KEEPER_ROUTES].map((r) => [r.name, r] as const))('%s', (_name, r) => {
    expect(isIdempotentUrl(urlFor(NEXUS, r.path, r.action))).toBe(IDEMPOTENT_ROUTES.has(r.name));
    // a base URL with a path prefix (urlFor keeps it)
    expect(isIdempotentUrl(urlFor(new URL('https://h/prefix/'), r.path, r.action))).toBe(IDEMPOTENT_ROUTES.has(r.name));
  });

  it('writes are never idempotent', () => {
    for (const name of ['secretPut', 'secretDelete', 'secretUndelete', 'policyPut', 'policyDelete', 'operatorRestore'] as const) {
      expect(IDEMPOTENT_ROUTES.has(name)).toBe(false);
    }
  });

  it('unknown paths and actions are not idempotent', () => {
    expect(isIdempotentUrl(new URL('https://h/v1/store/secrets?action=put'))).toBe(false);
    expect(isIdempotentUrl(new URL('https://h/v1/store/secrets'))).toBe(false);
    expect(isIdempotentUrl(new URL('https://h/v1/store/secrets/metadata'))).toBe(false);
    expect(isIdempotentUrl(new URL('https://h/v1/store/shard/x'))).toBe(false);
    expect(isIdempotentUrl(new URL('https://h/'))).toBe(false);
  });
});

describe('mayResend', () => {
  const stale: FailedAttempt = { reusedSocket: true, code: 'ECONNRESET', requestBytesSent: 120, answered: false, idempotent: true };

  it('an idempotent call on a dead pooled connection: yes (ECONNRESET, EPIPE)', () => {
    expect(mayResend(stale)).toBe(true);
    expect(mayResend({ ...stale, code: 'EPIPE' })).toBe(true);
  });

  it('a non-idempotent call only when none of it was handed to the socket', () => {
    expect(mayResend({ ...stale, idempotent: false })).toBe(false);
    expect(mayResend({ ...stale, idempotent: false, requestBytesSent: Infinity })).toBe(false);
    expect(mayResend({ ...stale, idempotent: false, requestBytesSent: 0 })).toBe(true);
  });

  it('never on a fresh connection, after an answer began, or for other errors', () => {
    expect(mayResend({ ...stale, reusedSocket: false })).toBe(false);
    expect(mayResend({ ...stale, answered: true })).toBe(false);
    expect(mayResend({ ...stale, code: 'ECONNREFUSED' })).toBe(false);
    expect(mayResend({ ...stale, code: 'ETIMEDOUT' })).toBe(false);
    expect(mayResend({ ...stale, code: undefined })).toBe(false);
  });
});
