// The cipher routes, sharing one key source (the memory backend's process
// key must be the same for encrypt and decrypt): the one nexus.ts made (it
// zeroes it at close), else one of their own.
import { cipherKeys } from '../../cipher/keys.js';
import type { NexusRoute, RouteDeps } from '../route.js';
import { decryptRoute } from './decrypt.js';
import { encryptRoute } from './encrypt.js';

export function cipherRoutes(deps: RouteDeps): NexusRoute[] {
  const keys = deps.cipherKeys ?? cipherKeys(deps.state, deps.backend);
  return [encryptRoute(deps, keys), decryptRoute(deps, keys)];
}
