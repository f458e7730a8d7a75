// The package entry of spike-ts as a library (`import { SpikeClient } from 'spike-ts'`):
// the SPIKE Nexus client for Node workloads, its option and result types and
// its typed errors. Nothing of the apps (CLI, Nexus, Keeper, …) is exported.
export {
  SpikeClient,
  type CipherOptions,
  type EncryptedData,
  type GetSecretOptions,
  type ListPoliciesOptions,
  type Policy,
  type PolicyPermission,
  type PolicySpec,
  type RequestOptions,
  type Secret,
  type SecretMetadata,
  type SecretVersionInfo,
  type SecretVersionsOptions,
  type SpikeClientOptions,
  type WorkloadIdentity,
} from '../client/spike-client.js';
export type { SecretInput } from '../client/sdk-values.js';
export { DEFAULT_SDK_CONNECT_TIMEOUT_MS, DEFAULT_SDK_TIMEOUT_MS } from '../client/sdk-options.js';
export {
  SpikeBadRequestError,
  SpikeClosedError,
  SpikeError,
  SpikeIdentityError,
  SpikeNotFoundError,
  SpikeNotReadyError,
  SpikeServerError,
  SpikeTimeoutError,
  SpikeTransportError,
  SpikeUnauthorizedError,
  SpikeWorkloadApiError,
  type SpikeErrorDetails,
  type SpikeErrorKind,
} from '../client/sdk-errors.js';
export type { X509SvidSource } from '../spiffe/x509context.js';
