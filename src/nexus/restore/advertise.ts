// The default of SPIKE_NEXUS_ADVERTISE_URL (docs/postgres.md § Restore through
// any replica): a listener bound to one address is reached at that address; a
// wildcard one (no host, 0.0.0.0, ::) by the machine's host name.
const WILDCARDS = new Set(['', '0.0.0.0', '::']);

export function defaultAdvertiseUrl(listenHost: string | undefined, port: number, hostName: string): string {
  const bound = listenHost?.replace(/^\[(.*)\]$/, '$1');
  const host = bound === undefined || WILDCARDS.has(bound) ? hostName : bound;
  return `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
