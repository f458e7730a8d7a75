// Fetches one X.509-SVID from a Workload API socket (the dev agent) and turns
// it into the PEM that Node's `tls` takes, for the bench's own mTLS clients
// and the echo server. The private key stays in memory (never argv/env/disk).
import { X509Certificate, createPrivateKey } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { fromJSON } from '@grpc/proto-loader';
import { Buffer } from 'node:buffer';

// The SPIFFE Workload API, X.509 part (same descriptor as src/spiffe/proto.ts).
const descriptor = {
  nested: {
    X509SVIDRequest: { fields: {} },
    X509SVIDResponse: {
      fields: {
        svids: { rule: 'repeated', type: 'X509SVID', id: 1 },
        crl: { rule: 'repeated', type: 'bytes', id: 2 },
        federated_bundles: { keyType: 'string', type: 'bytes', id: 3 },
      },
    },
    X509SVID: {
      fields: {
        spiffe_id: { type: 'string', id: 1 },
        x509_svid: { type: 'bytes', id: 2 },
        x509_svid_key: { type: 'bytes', id: 3 },
        bundle: { type: 'bytes', id: 4 },
        hint: { type: 'string', id: 5 },
      },
    },
    SpiffeWorkloadAPI: {
      methods: { FetchX509SVID: { requestType: 'X509SVIDRequest', responseType: 'X509SVIDResponse', responseStream: true } },
    },
  },
};

/** Splits DER certificates placed end to end (short/long-form SEQUENCE lengths). */
function splitDer(buf) {
  const out = [];
  let off = 0;
  while (off < buf.length) {
    if (buf[off] !== 0x30) throw new Error('malformed DER chain');
    let len = buf[off + 1];
    let hdr = 2;
    if (len & 0x80) {
      const n = len & 0x7f;
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + buf[off + 2 + i];
      hdr += n;
    }
    out.push(buf.subarray(off, off + hdr + len));
    off += hdr + len;
  }
  return out;
}

const pemChain = (der) => splitDer(der).map((d) => new X509Certificate(d).toString()).join('');

/** { id, cert (PEM chain), key (PEM PKCS#8), ca (PEM bundle) } from `unix://<socket>`, within `timeoutMs`. */
export function fetchSvid(socketPath, timeoutMs = 20_000) {
  const pkg = grpc.loadPackageDefinition(fromJSON(descriptor, { keepCase: true, defaults: true }));
  const client = new pkg.SpiffeWorkloadAPI(`unix://${socketPath}`, grpc.credentials.createInsecure());
  const md = new grpc.Metadata({ waitForReady: true });
  md.set('workload.spiffe.io', 'true');
  return new Promise((resolve, reject) => {
    const call = client.FetchX509SVID({}, md, { deadline: Date.now() + timeoutMs });
    let done = false;
    const finish = (f) => {
      if (done) return;
      done = true;
      call.cancel();
      client.close();
      f();
    };
    call.on('data', (msg) => {
      const s = msg.svids?.[0];
      if (!s) return;
      const keyDer = Buffer.from(s.x509_svid_key);
      const key = createPrivateKey({ key: keyDer, format: 'der', type: 'pkcs8' }).export({ format: 'pem', type: 'pkcs8' });
      keyDer.fill(0);
      s.x509_svid_key.fill(0);
      finish(() => resolve({ id: s.spiffe_id, cert: pemChain(s.x509_svid), key, ca: pemChain(s.bundle) }));
    });
    call.on('error', (e) => finish(() => reject(new Error(`Workload API ${socketPath}: ${e.message}`))));
    call.on('end', () => finish(() => reject(new Error(`Workload API ${socketPath}: stream ended without an SVID`))));
  });
}

/** A `checkServerIdentity` that accepts exactly one SPIFFE ID (URI SAN) and ignores host names, as SPIFFE mTLS does. */
export function pinSpiffeId(expected) {
  return (_host, cert) => {
    const sans = (cert.subjectaltname ?? '').split(', ');
    return sans.includes(`URI:${expected}`) ? undefined : new Error(`server is not ${expected}`);
  };
}
