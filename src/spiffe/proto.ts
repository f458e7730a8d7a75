// Our own definition of the SPIFFE Workload API (X.509 profile), written from
// the SPIFFE Workload API standard's workload.proto.
// The wire contract is the service name (no proto `package`, so paths are
// `/SpiffeWorkloadAPI/<Method>`), the message names, field names and numbers.
//
// Bundle-safe: no .proto file is read at run time. The same definition is
// given twice, as proto text (`workloadApiProto`, for documentation and for
// anyone who wants a .proto file) and as a protobufjs JSON descriptor that
// @grpc/proto-loader's `fromJSON` loads; a unit test checks the two agree.
import * as grpc from '@grpc/grpc-js';
import { fromJSON, type Options } from '@grpc/proto-loader';

/** gRPC metadata key every Workload API call must carry, with the value `true`. */
export const WORKLOAD_API_HEADER = 'workload.spiffe.io';
export const WORKLOAD_API_HEADER_VALUE = 'true';

export const WORKLOAD_API_SERVICE = 'SpiffeWorkloadAPI';

/** The Workload API, X.509 profile (JWT and WIT RPCs are not offered; grpc-js answers UNIMPLEMENTED for them). */
export const workloadApiProto = `syntax = "proto3";

// No package line: the service's full name is SpiffeWorkloadAPI.

message X509SVIDRequest {}

message X509SVIDResponse {
  repeated X509SVID svids = 1;
  repeated bytes crl = 2;
  map<string, bytes> federated_bundles = 3;
}

message X509SVID {
  string spiffe_id = 1;
  bytes x509_svid = 2;
  bytes x509_svid_key = 3;
  bytes bundle = 4;
  string hint = 5;
}

message X509BundlesRequest {}

message X509BundlesResponse {
  repeated bytes crl = 1;
  map<string, bytes> bundles = 2;
}

service SpiffeWorkloadAPI {
  rpc FetchX509SVID(X509SVIDRequest) returns (stream X509SVIDResponse);
  rpc FetchX509Bundles(X509BundlesRequest) returns (stream X509BundlesResponse);
}
`;

/** The same definition as a protobufjs JSON descriptor (what `fromJSON` takes). */
export const workloadApiDescriptor = {
  nested: {
    X509SVIDRequest: { fields: {} },
    X509SVIDResponse: {
      fields: {
        svids: { rule: 'repeated', type: 'X509SVID', id: 1 },
        crl: { rule: 'repeated', type: 'bytes', id: 2 },
        federated_bundles: { keyType: 'string', type: 'bytes', id: 3 },
      },
    },
    X509SVID: {
      fields: {
        spiffe_id: { type: 'string', id: 1 },
        x509_svid: { type: 'bytes', id: 2 },
        x509_svid_key: { type: 'bytes', id: 3 },
        bundle: { type: 'bytes', id: 4 },
        hint: { type: 'string', id: 5 },
      },
    },
    X509BundlesRequest: { fields: {} },
    X509BundlesResponse: {
      fields: {
        crl: { rule: 'repeated', type: 'bytes', id: 1 },
        bundles: { keyType: 'string', type: 'bytes', id: 2 },
      },
    },
    SpiffeWorkloadAPI: {
      methods: {
        FetchX509SVID: { requestType: 'X509SVIDRequest', responseType: 'X509SVIDResponse', responseStream: true },
        FetchX509Bundles: { requestType: 'X509BundlesRequest', responseType: 'X509BundlesResponse', responseStream: true },
      },
    },
  },
} as const;

/** proto-loader options: proto field names (snake_case), defaults filled in, bytes as Buffer. */
export const protoLoaderOptions: Options = { keepCase: true, defaults: true, longs: String, enums: String, oneofs: true };

// ---- Message shapes as grpc-js hands them over (keepCase, defaults: true). ----
// On the sending side every field is optional; on the receiving side
// `defaults: true` fills them in, but code reading them still validates.

export interface X509SvidMessage {
  spiffe_id?: string;
  x509_svid?: Uint8Array;
  x509_svid_key?: Uint8Array;
  bundle?: Uint8Array;
  hint?: string;
}

export interface X509SvidResponseMessage {
  svids?: X509SvidMessage[];
  crl?: Uint8Array[];
  federated_bundles?: Record<string, Uint8Array>;
}

export type X509SvidRequestMessage = Record<string, never>;

export interface X509BundlesResponseMessage {
  crl?: Uint8Array[];
  bundles?: Record<string, Uint8Array>;
}

export type X509BundlesRequestMessage = Record<string, never>;

/** Handlers a Workload API server implements; register them with `addWorkloadApiService`. */
export interface WorkloadApiHandlers {
  FetchX509SVID: grpc.handleServerStreamingCall<X509SvidRequestMessage, X509SvidResponseMessage>;
  FetchX509Bundles?: grpc.handleServerStreamingCall<X509BundlesRequestMessage, X509BundlesResponseMessage>;
}

/** Client stub methods we use. */
export interface WorkloadApiClient extends grpc.Client {
  FetchX509SVID(
    request: X509SvidRequestMessage,
    metadata: grpc.Metadata,
    options?: Partial<grpc.CallOptions>,
  ): grpc.ClientReadableStream<X509SvidResponseMessage>;
  FetchX509Bundles(
    request: X509BundlesRequestMessage,
    metadata: grpc.Metadata,
    options?: Partial<grpc.CallOptions>,
  ): grpc.ClientReadableStream<X509BundlesResponseMessage>;
}

export type WorkloadApiClientConstructor = new (
  address: string,
  credentials: grpc.ChannelCredentials,
  options?: grpc.ChannelOptions,
) => WorkloadApiClient;

let loaded: grpc.ServiceClientConstructor | undefined;

function serviceConstructor(): grpc.ServiceClientConstructor {
  if (loaded === undefined) {
    // The descriptor is a plain literal; proto-loader's parameter type is protobufjs' INamespace.
    const def = fromJSON(workloadApiDescriptor as unknown as Parameters<typeof fromJSON>[0], protoLoaderOptions);
    const pkg = grpc.loadPackageDefinition(def);
    loaded = pkg[WORKLOAD_API_SERVICE] as grpc.ServiceClientConstructor;
  }
  return loaded;
}

/** The service definition for `grpc.Server.addService` (method paths `/SpiffeWorkloadAPI/...`). */
export function workloadApiService(): grpc.ServiceDefinition {
  return serviceConstructor().service;
}

/**
 * Registers the handlers on a grpc-js server. RPCs without a handler
 * (FetchX509Bundles when omitted, and every JWT/WIT RPC) answer UNIMPLEMENTED.
 */
export function addWorkloadApiService(server: grpc.Server, handlers: WorkloadApiHandlers): void {
  const impl: grpc.UntypedServiceImplementation = { FetchX509SVID: handlers.FetchX509SVID };
  if (handlers.FetchX509Bundles) impl['FetchX509Bundles'] = handlers.FetchX509Bundles;
  const service = workloadApiService();
  const def: Record<string, grpc.MethodDefinition<object, object>> = {};
  for (const name of Object.keys(impl)) {
    const m = service[name];
    if (m) def[name] = m;
  }
  server.addService(def, impl);
}

/** The generated client constructor. */
export function workloadApiClientConstructor(): WorkloadApiClientConstructor {
  return serviceConstructor() as unknown as WorkloadApiClientConstructor;
}

/** Metadata carrying the security header (fresh object per call: grpc-js may mutate it). */
export function workloadApiMetadata(opts: { waitForReady?: boolean } = {}): grpc.Metadata {
  const md = new grpc.Metadata(opts.waitForReady ? { waitForReady: true } : undefined);
  md.set(WORKLOAD_API_HEADER, WORKLOAD_API_HEADER_VALUE);
  return md;
}

/** True when call metadata carries exactly one `workload.spiffe.io: true` (what SPIRE accepts). */
export function hasWorkloadApiHeader(md: grpc.Metadata): boolean {
  const values = md.get(WORKLOAD_API_HEADER);
  return values.length === 1 && values[0] === WORKLOAD_API_HEADER_VALUE;
}
