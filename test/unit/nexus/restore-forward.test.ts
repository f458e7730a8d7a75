// createRestoreForwarder: a collector URL that does not parse is refused
// before any connection, and the URL (read from the shared store, so outside
// input) is quoted with line separators, bidi controls and DEL escaped
// (expected message written by hand).
import { describe, expect, it } from 'vitest';
import { ForwardError, createRestoreForwarder } from '../../../src/nexus/restore/forward.js';
import type { X509SvidSource } from '../../../src/spiffe/x509context.js';

/** Never reached: a URL that does not parse is refused before any TLS set-up. */
const unusedSource = new Proxy({} as X509SvidSource, {
  get() {
    throw new Error('the SVID source was used');
  },
});

describe('createRestoreForwarder', () => {
  it('refuses a collector URL that does not parse, quoted escaped', async () => {
    const forward = createRestoreForwarder({ source: unusedSource, collectorAuthorizer: () => undefined, timeoutMs: 1000 });
    await expect(forward('no url\u2028\u202e\u007f', new Uint8Array(), 'spiffe://spike.ist/spike/pilot/role/restore')).rejects.toThrow(
      new ForwardError(String.raw`not a URL: "no url\u2028\u202e\u007f"`),
    );
  });
});
