// Request and response codecs for every SPIKE route, byte-compatible with
// upstream's Go structs (spike-sdk-go api/entity/v1/reqres;
// docs/design.md § Wire compatibility): one module per group of routes under
// messages/, re-exported here.
//
// Encoders return the exact bytes Go's json.Marshal writes: fields in
// declaration order, `err` omitted when empty (except Keeper's `Err`), error
// bodies carrying the type's zero fields (`{"data":null,"err":"api_not_found"}`).
// Decoders follow Go's json.Unmarshal (src/gocompat/json) and throw
// DecodeError with messages that never include values. Shard-carrying
// decoders return Uint8Arrays the caller must zero.
export * from './messages/codec.js';
export * from './messages/operator.js';
export * from './messages/keeper.js';
export * from './messages/bootstrap.js';
export * from './messages/secret.js';
export * from './messages/policy.js';
export * from './messages/cipher.js';
export * from './messages/errors.js';
