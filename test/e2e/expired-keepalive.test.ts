// A superuser certificate that expires while its kept-alive connection to
// the real Nexus (from dist/; npm run build first) stays open reads nothing
// afterwards: the request before notAfter gets the secret, the next one on the
// same socket after notAfter gets 401 and Nexus closes the connection; a new
// connection with the expired certificate fails the handshake. The
// certificate is issued by the dev agent's own CA with a few seconds of life.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putSecret } from '../../src/client/index.js';
import { Stack } from '../helpers/stack.js';
import { devCaSvid } from '../helpers/dev-ca-svid.js';
import { RawHttpsConnection, waitUntilPast } from '../helpers/raw-https.js';

let stack: Stack;

beforeAll(async () => {
  // memory backend: no Keepers needed (Shamir settings only to pass config validation)
  stack = await Stack.create({ keepers: 0, env: { SPIKE_NEXUS_BACKEND_STORE: 'memory', SPIKE_NEXUS_SHAMIR_SHARES: '3', SPIKE_NEXUS_SHAMIR_THRESHOLD: '2' } });
  await stack.startAgent();
  await stack.startNexus();
  const pilot = await stack.client('pilot');
  await putSecret(pilot.http, stack.nexusUrl, 'app/db', { pass: 'hunter2' });
}, 60_000);

afterAll(async () => {
  await stack?.cleanup();
});

describe('a kept-alive connection does not outlive the client certificate', () => {
  it('secret get: 200 before notAfter, 401 + closed after it on the same socket; a new handshake with it fails', async () => {
    const svid = await devCaSvid(stack.devDir, stack.trustDomain, stack.ids.superuser, 5_000);
    const c = await RawHttpsConnection.open({ port: stack.nexusPort, ...svid });
    try {
      const before = await c.request('/v1/store/secrets?action=get', '{"path":"app/db"}');
      expect(before.status).toBe(200);
      expect(JSON.parse(before.body)).toEqual({ data: { pass: 'hunter2' } });

      await waitUntilPast(svid.notAfter);
      const mark = stack.proc('nexus').mark();
      const after = await c.request('/v1/store/secrets?action=get', '{"path":"app/db"}');
      expect(after.status).toBe(401);
      expect(after.body).toBe('{"data":null,"err":"access_unauthorized"}');
      expect(after.body).not.toContain('hunter2');
      await c.closed;
      expect(c.isClosed).toBe(true);
      const line = await stack.proc('nexus').waitForEvent('peer_certificate_outside_validity', { after: mark });
      expect(line).toMatchObject({ state: 'expired', outcome: 'unauthorized' });
    } finally {
      c.destroy();
    }
    // a new connection with the expired certificate does not get through the handshake
    await expect(
      RawHttpsConnection.open({ port: stack.nexusPort, ...svid }).then(async (c2) => {
        try {
          return await c2.request('/v1/store/secrets?action=get', '{"path":"app/db"}');
        } finally {
          c2.destroy();
        }
      }),
    ).rejects.toThrow();
  }, 60_000);
});
