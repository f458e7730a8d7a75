// Workload API endpoint addresses (SPIFFE_Workload_Endpoint.md §4):
// `unix:///abs/path` or `unix:/abs/path` (no query, fragment or userinfo;
// `unix://name[/more]`, which go-spiffe's address rules accept, names the
// relative socket path `name[/more]`), and
// `tcp://<IP>:<port>` (IP literal, port, nothing else). Turned into a grpc-js
// target: `unix:/abs/path`, `ipv4:IP:PORT` or `ipv6:[IP]:PORT` (no DNS lookup;
// grpc-js does not understand `tcp://`).
import { isIP } from 'node:net';
import { escapeForMessage, quoteForMessage } from '../util/quote-for-message.js';

export class WorkloadApiAddressError extends Error {
  override readonly name = 'WorkloadApiAddressError';
}

export interface WorkloadApiAddress {
  /** grpc-js channel target. */
  target: string;
  /** The address as given, for messages: its control, line-breaking and bidi characters escaped (escapeForMessage). */
  display: string;
  kind: 'unix' | 'tcp';
  /** Channel options this address needs (TCP: no HTTP proxy). */
  channelOptions: Record<string, number>;
}

function bad(addr: string, why: string): WorkloadApiAddressError {
  return new WorkloadApiAddressError(`invalid Workload API address ${quoteForMessage(addr)}: ${why}`);
}

export function parseWorkloadApiAddress(addr: string): WorkloadApiAddress {
  if (typeof addr !== 'string' || addr.trim() === '') throw bad(String(addr), 'empty');
  let url: URL;
  try {
    url = new URL(addr);
  } catch {
    throw bad(addr, 'not a URI (expected unix:///path/to/socket or tcp://IP:PORT)');
  }
  if (url.username !== '' || url.password !== '') throw bad(addr, 'userinfo is not allowed');
  if (url.search !== '' || addr.includes('?')) throw bad(addr, 'a query is not allowed');
  if (url.hash !== '' || addr.includes('#')) throw bad(addr, 'a fragment is not allowed');

  switch (url.protocol) {
    case 'unix:': {
      let path: string;
      try {
        // go-spiffe accepts `unix://foo` (authority, no path): the socket path is then relative, `foo`.
        path = decodeURIComponent(url.host + url.pathname);
      } catch {
        throw bad(addr, 'bad percent-encoding in the path');
      }
      if (path === '' || path === '/') throw bad(addr, 'a unix address must include the socket path');
      if (url.host === '' && !path.startsWith('/')) throw bad(addr, 'the socket path must be absolute (use unix:///absolute/path)');
      if (path.includes('\0')) throw bad(addr, 'the socket path contains a NUL byte');
      if (Buffer.byteLength(path) > 107) throw bad(addr, 'the socket path is longer than 107 bytes');
      return { target: `unix:${path}`, display: escapeForMessage(addr), kind: 'unix', channelOptions: {} };
    }
    case 'tcp:': {
      const host = url.hostname.startsWith('[') && url.hostname.endsWith(']') ? url.hostname.slice(1, -1) : url.hostname;
      const family = isIP(host);
      if (family === 0) throw bad(addr, 'the host of a tcp address must be an IP address');
      if (url.port === '') throw bad(addr, 'a tcp address must include a port');
      if (url.port === '0') throw bad(addr, 'port 0 is not a valid port');
      if (url.pathname !== '' && url.pathname !== '/') throw bad(addr, 'a tcp address must not have a path');
      if (/^tcp:\/\/[^/]+\/$/i.test(addr)) throw bad(addr, 'a tcp address must not have a path');
      const target = family === 4 ? `ipv4:${host}:${url.port}` : `ipv6:[${host}]:${url.port}`;
      return { target, display: escapeForMessage(addr), kind: 'tcp', channelOptions: { 'grpc.enable_http_proxy': 0 } };
    }
    default:
      throw bad(addr, `unsupported scheme ${quoteForMessage(url.protocol.replace(/:$/, ''))} (expected unix or tcp)`);
  }
}
