// SPIKE API client: mTLS transport (transport.ts), SVID-backed client (http.ts), typed calls (api.ts).
export { ClientError, isClientError, type ClientErrorKind } from './errors.js';
export { createHttpsJsonClient, DEFAULT_MAX_RESPONSE_BYTES, type CallOptions, type HttpResponse, type SpikeHttpClient, type HttpsJsonClientOptions } from './transport.js';
export { createSpikeHttpClient, type SpikeHttpClientOptions } from './http.js';
export * from './api.js';
export { createFailoverClient, type FailoverClient } from './failover.js';
export * from './cipher.js';
