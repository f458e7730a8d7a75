// What a client call ended with, for tests: 200, the HTTP status of an error
// answer, or the ClientError kind (transport, identity, timeout, decode).
import { ClientError } from '../../src/client/errors.js';

export function statusOfError(e: unknown): number | string {
  if (e instanceof ClientError) return e.status ?? e.kind;
  throw e;
}

export async function statusOf(p: Promise<unknown>): Promise<number | string> {
  try {
    await p;
    return 200;
  } catch (e) {
    return statusOfError(e);
  }
}
