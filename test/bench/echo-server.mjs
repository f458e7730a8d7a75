// A bare Node https mTLS echo server: the baseline for Nexus throughput.
// Forked by run.mjs with an IPC channel; the SVID (PEM cert, key, bundle)
// arrives as an IPC message (never argv/env). It requires a client
// certificate from the bundle, checks the client's SPIFFE ID as Nexus does,
// and answers every POST with its body as JSON. Answers `{ port }` on IPC.
import https from 'node:https';
import { Buffer } from 'node:buffer';

process.once('message', ({ cert, key, ca, clientId }) => {
  const server = https.createServer({ cert, key, ca, requestCert: true, rejectUnauthorized: true, keepAliveTimeout: 60_000 }, (req, res) => {
    const peer = req.socket.getPeerCertificate();
    if (!(peer.subjectaltname ?? '').split(', ').includes(`URI:${clientId}`)) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"err":"access_unauthorized"}');
      return;
    }
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length }).end(body);
    });
  });
  server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
  process.on('disconnect', () => process.exit(0));
});
