// A list call whose HTTP 404 means "none": upstream's SDK list calls
// (ListSecretKeys, ListPolicies) return an empty list when Nexus answers 404
// (net.Post's ErrAPINotFound), and an error for anything else — a 200 answer
// carrying an `err` code too. Shared by SpikeClient and the Pilot.
import { isClientError } from './errors.js';

/** The list `list` resolves to, or [] when it failed with an HTTP 404 answer. */
export async function emptyIfNotFound<T>(list: Promise<T[]>): Promise<T[]> {
  try {
    return await list;
  } catch (e) {
    if (isClientError(e) && e.kind === 'status' && e.status === 404) return [];
    throw e;
  }
}
