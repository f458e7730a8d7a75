// SPIFFE library: IDs, X.509-SVIDs and bundles, the Workload API client, mTLS.
// No SPIKE knowledge. Import single modules where start-up time matters
// (id.ts has no dependencies; workloadapi.ts and proto.ts load grpc-js;
// fetch.ts is the light one-shot Workload API client for short-lived CLIs).
export * from './id.js';
export * from './der.js';
export * from './certext.js';
export * from './bundle.js';
export * from './x509svid.js';
export * from './address.js';
export * from './proto.js';
export * from './x509context.js';
export * from './pbdecode.js';
export * from './fetch.js';
export * from './workloadapi.js';
export * from './authorizer.js';
export * from './tlsconfig.js';
