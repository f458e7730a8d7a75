// Kept only for src/nexus/routes/operator/status-guard.ts (another owner's
// file): every other route uses src/protocol/messages.ts directly. Delete
// this file once status-guard imports `recoverRequest` and `DecodeError`
// from messages.ts.
import { DecodeError, recoverRequest } from '../protocol/messages.js';

export { DecodeError as WireDecodeError };

/** reqres.RecoverRequest: any JSON object or `null`; empty or non-object bodies are refused. */
export function decodeRecoverRequest(body: Uint8Array | undefined): void {
  recoverRequest.decode(body);
}
