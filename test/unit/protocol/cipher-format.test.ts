// The cipher format and size caps every layer uses (src/protocol/cipher-format.ts):
// expected values are upstream spike-sdk-go's (net/crypto.go spikeCipherVersion
// 0x01, crypto.GCMNonceSize 12, Go's GCM tag 16, CryptoMaxCiphertextSizeVal's
// default 65536), and Nexus, the client library and the Pilot read them from here.
import { describe, expect, it } from 'vitest';
import * as format from '../../../src/protocol/cipher-format.js';
import * as client from '../../../src/client/cipher.js';
import { cipherLimits } from '../../../src/pilot/cipher/limits.js';
import { loadNexusConfig } from '../../../src/nexus/config.js';
import { ConfigError } from '../../../src/protocol/config/env.js';

const NEXUS_ENV = { SPIKE_NEXUS_KEEPER_PEERS: 'https://k1:8443,https://k2:8443,https://k3:8443', SPIKE_NEXUS_SHAMIR_SHARES: '3', SPIKE_NEXUS_SHAMIR_THRESHOLD: '2' };

describe('cipher format', () => {
  it('has upstream values', () => {
    expect(format.CIPHER_FORMAT_VERSION).toBe(1);
    expect(format.CIPHER_NONCE_BYTES).toBe(12);
    expect(format.CIPHER_TAG_BYTES).toBe(16);
    expect(format.CIPHER_STREAM_HEADER_BYTES).toBe(13);
    expect(format.CIPHER_STREAM_CONTENT_TYPE).toBe('application/octet-stream');
    expect(format.DEFAULT_MAX_CIPHERTEXT_SIZE).toBe(65536);
    expect(format.readMaxCiphertextSize({})).toBe(65536);
    expect(format.maxPlaintextSize(65536)).toBe(65520);
    expect(format.maxPlaintextSize(10)).toBe(0);
  });

  it('the client library re-exports the same values', () => {
    expect(client.CIPHER_FORMAT_VERSION).toBe(format.CIPHER_FORMAT_VERSION);
    expect(client.CIPHER_STREAM_HEADER_BYTES).toBe(format.CIPHER_STREAM_HEADER_BYTES);
    expect(client.CIPHER_STREAM_CONTENT_TYPE).toBe(format.CIPHER_STREAM_CONTENT_TYPE);
  });

  it('Nexus and the Pilot read the same cap from the same variable, with the same bounds', () => {
    for (const v of [undefined, '1', '100', '200000', String(64 * 1024 * 1024)]) {
      const env = v === undefined ? {} : { SPIKE_NEXUS_CRYPTO_MAX_CIPHERTEXT_SIZE: v };
      const nexus = loadNexusConfig({ ...NEXUS_ENV, ...env }).maxCiphertextSize;
      const pilot = cipherLimits(env);
      expect(pilot.ciphertext).toBe(nexus);
      expect(pilot.plaintext).toBe(format.maxPlaintextSize(nexus));
      expect(pilot.stream).toBe(nexus + 13);
    }
    for (const bad of ['0', String(64 * 1024 * 1024 + 1), 'x']) {
      expect(() => format.readMaxCiphertextSize({ SPIKE_NEXUS_CRYPTO_MAX_CIPHERTEXT_SIZE: bad })).toThrow(ConfigError);
      expect(() => loadNexusConfig({ ...NEXUS_ENV, SPIKE_NEXUS_CRYPTO_MAX_CIPHERTEXT_SIZE: bad })).toThrow(/SPIKE_NEXUS_CRYPTO_MAX_CIPHERTEXT_SIZE/);
      expect(() => cipherLimits({ SPIKE_NEXUS_CRYPTO_MAX_CIPHERTEXT_SIZE: bad })).toThrow(/^Invalid configuration: SPIKE_NEXUS_CRYPTO_MAX_CIPHERTEXT_SIZE/);
    }
  });
});
