// Reading the `err` code of any SPIKE answer, whatever its status (Go's SDK
// never reads non-200 bodies; we do, for precise errors). Decoded as Go
// would decode `struct{ Err string }`: `err` and `Err` (ShardGetResponse)
// both match, the last one wins, other keys are ignored.
import { goString } from '../gocompat/json/decode.js';
import { decodeGoStruct, field } from '../gocompat/json/struct.js';

const errOnly = { err: field('err', goString, () => '') };
const ERR_CODE = /^[a-z0-9_]{1,128}$/;

/** The answer's well-formed `err` code, or undefined (none, empty, malformed body or code). */
export function errCodeOf(body: Uint8Array): string | undefined {
  try {
    const { err } = decodeGoStruct(body, errOnly, 'error answer');
    return ERR_CODE.test(err) ? err : undefined;
  } catch {
    return undefined;
  }
}
