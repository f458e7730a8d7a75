// Who may use the cipher routes (upstream spike-sdk-go predicate/cipher.go,
// AllowSPIFFEIDForCipherEncrypt/Decrypt): the Pilot superuser, any lite
// workload (spike/workload/role/lite under SPIKE_TRUST_ROOT_LITE_WORKLOAD),
// or a caller a policy grants `execute` on the reserved path
// spike/system/cipher/exec.
import { isLiteWorkload, isWellFormedPeerId } from '../../../protocol/roles.js';
import { authorizedCaller } from '../../auth/authorize.js';
import { PATH_SYSTEM_CIPHER_EXEC } from '../../auth/reserved.js';
import type { RouteDeps } from '../route.js';

/** The caller's SPIFFE ID when it may encrypt and decrypt, else undefined. */
export async function cipherCaller(peerId: string | undefined, deps: RouteDeps): Promise<string | undefined> {
  if (peerId !== undefined && isWellFormedPeerId(peerId) && isLiteWorkload(peerId, deps.roots.liteWorkload)) return peerId;
  return authorizedCaller(peerId, PATH_SYSTEM_CIPHER_EXEC, ['execute'], deps.state.store(), deps);
}
