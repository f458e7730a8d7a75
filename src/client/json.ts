// Reading the `err` code of any SPIKE answer, whatever its status (Go's SDK
// never reads non-200 bodies; we do, for precise errors). Go key matching:
// `err` and `Err` (ShardGetResponse) both count; the last one wins.
import { parseGoJson } from '../protocol/gojson.js';

export function errCodeOf(body: Uint8Array): string | undefined {
  try {
    const node = parseGoJson(body);
    if (node.kind !== 'object') return undefined;
    let code: string | undefined;
    for (const [k, v] of node.entries) {
      if (k.toLowerCase() === 'err' && v.kind === 'string') code = v.value;
    }
    return code !== undefined && code !== '' && code.length <= 128 && /^[a-z0-9_]+$/.test(code) ? code : undefined;
  } catch {
    return undefined;
  }
}
