// The one error src/gocompat/json throws for input Go's encoding/json would
// refuse. Messages name the problem and the byte or field, never a value.

/** A JSON document or value that does not decode as the Go type would. */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
}
