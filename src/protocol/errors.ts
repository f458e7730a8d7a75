// Error codes of the SPIKE wire protocol: the `err` strings of response bodies
// and the SDK catalogue (spike-sdk-go errors/sentinel.go,
// v0.19.9). Generated from that catalogue; keep the
// names equal to the upper-cased codes.

/** ErrGeneralFailure: general failure */
export const GEN_GENERAL_FAILURE = 'gen_general_failure' as const;
/** ErrNilContext: nil context */
export const GEN_NIL_CONTEXT = 'gen_nil_context' as const;
/** ErrK8sReconciliationFailed: reconciliation failed */
export const K8S_RECONCILIATION_FAILED = 'k8s_reconciliation_failed' as const;
/** ErrK8sClientFailed: failed to create Kubernetes client */
export const K8S_CLIENT_FAILED = 'k8s_client_failed' as const;
/** ErrK8sResourceLookupFailed: failed to lookup Kubernetes resource */
export const K8S_LOOKUP_FAILED = 'k8s_lookup_failed' as const;
/** ErrAPIBadRequest: bad request */
export const API_BAD_REQUEST = 'api_bad_request' as const;
/** ErrAPIEmptyPayload: empty payload */
export const API_EMPTY_PAYLOAD = 'api_empty_payload' as const;
/** ErrAPIFound: found */
export const API_FOUND = 'api_found' as const;
/** ErrAPIInternal: internal error */
export const API_INTERNAL_ERROR = 'api_internal_error' as const;
/** ErrAPINotFound: not found */
export const API_NOT_FOUND = 'api_not_found' as const;
/** ErrAPIPostFailed: post failed */
export const API_POST_FAILED = 'api_post_failed' as const;
/** ErrAPIResponseCodeInvalid: invalid API response code */
export const API_RESPONSE_CODE_INVALID = 'api_response_code_invalid' as const;
/** ErrAPIServerFault: server fault */
export const API_SERVER_FAULT = 'api_server_fault' as const;
/** ErrEntityCreationFailed: creation failed */
export const OBJECT_CREATION_FAILED = 'object_creation_failed' as const;
/** ErrEntityDeleted: entity marked as deleted */
export const ENTITY_DELETED = 'entity_deleted' as const;
/** ErrEntityDeletionFailed: deletion failed */
export const OBJECT_DELETION_FAILED = 'object_deletion_failed' as const;
/** ErrEntityExists: entity already exists */
export const ENTITY_EXISTS = 'entity_exists' as const;
/** ErrEntityInvalid: entity is invalid */
export const ENTITY_INVALID = 'entity_invalid' as const;
/** ErrEntityLoadFailed: failed to load entity */
export const ENTITY_LOAD_FAILED = 'entity_load_failed' as const;
/** ErrEntityNotFound: entity not found */
export const ENTITY_NOT_FOUND = 'entity_not_found' as const;
/** ErrEntityQueryFailed: failed to query entities */
export const ENTITY_QUERY_FAILED = 'entity_query_failed' as const;
/** ErrEntitySaveFailed: failed to save entity */
export const ENTITY_SAVE_FAILED = 'entity_save_failed' as const;
/** ErrEntityVersionInvalid: invalid version */
export const ENTITY_VERSION_INVALID = 'entity_version_invalid' as const;
/** ErrEntityVersionNotFound: version not found */
export const ENTITY_VERSION_NOT_FOUND = 'entity_version_not_found' as const;
/** ErrEntityUndeletionFailed: undeletion failed */
export const OBJECT_UNDELETION_FAILED = 'object_undeletion_failed' as const;
/** ErrStateAlreadyInitialized: already initialized */
export const STATE_ALREADY_INITIALIZED = 'state_already_initialized' as const;
/** ErrStateInitializationFailed: initialization failed */
export const STATE_INITIALIZATION_FAILED = 'state_initialization_failed' as const;
/** ErrStateNotAlive: not alive */
export const STATE_NOT_ALIVE = 'state_not_alive' as const;
/** ErrStateNotReady: not ready */
export const STATE_NOT_READY = 'state_not_ready' as const;
/** ErrStateIntegrityCheck: state integrity check failed */
export const STATE_INTEGRITY_CHECK = 'state_integrity_check' as const;
/** ErrAccessInvalidPermission: invalid permission */
export const ACCESS_INVALID_PERMISSION = 'access_invalid_permission' as const;
/** ErrAccessUnauthorized: unauthorized */
export const ACCESS_UNAUTHORIZED = 'access_unauthorized' as const;
/** ErrRootKeyEmpty: root key empty */
export const ROOT_KEY_EMPTY = 'root_key_empty' as const;
/** ErrRootKeyMissing: root key missing */
export const ROOT_KEY_MISSING = 'root_key_missing' as const;
/** ErrRootKeyNotEmpty: root key not empty */
export const ROOT_KEY_NOT_EMPTY = 'root_key_not_empty' as const;
/** ErrRootKeySkipCreationForInMemoryMode: root key skip creation for in memory mode */
export const ROOT_KEY_SKIP_CREATION_FOR_IN_MEMORY_MODE = 'root_key_skip_creation_for_in_memory_mode' as const;
/** ErrRootKeyUpdateSkippedKeyEmpty: root key update skipped key empty */
export const ROOT_KEY_UPDATE_SKIPPED_KEY_EMPTY = 'root_key_update_skipped_key_empty' as const;
/** ErrShamirDuplicateIndex: shamir duplicate index */
export const SHAMIR_DUPLICATE_INDEX = 'shamir_duplicate_index' as const;
/** ErrShamirEmptyShard: shamir empty shard */
export const SHAMIR_EMPTY_SHARD = 'shamir_empty_shard' as const;
/** ErrShamirInvalidIndex: shamir invalid index */
export const SHAMIR_INVALID_INDEX = 'shamir_invalid_index' as const;
/** ErrShamirNilShard: shamir nil shard */
export const SHAMIR_NIL_SHARD = 'shamir_nil_shard' as const;
/** ErrShamirNotEnoughShards: shamir not enough shards */
export const SHAMIR_NOT_ENOUGH_SHARDS = 'shamir_not_enough_shards' as const;
/** ErrShamirReconstructionFailed: shamir reconstruction failed */
export const SHAMIR_RECONSTRUCTION_FAILED = 'shamir_reconstruction_failed' as const;
/** ErrShamirNotEnoughKeepers: not enough keepers for shamir shares */
export const SHAMIR_NOT_ENOUGH_KEEPERS = 'shamir_not_enough_keepers' as const;
/** ErrCryptoCipherNotAvailable: cipher not available */
export const CRYPTO_CIPHER_NOT_AVAILABLE = 'crypto_cipher_not_available' as const;
/** ErrCryptoCipherVerificationFailed: cipher verification failed */
export const CRYPTO_CIPHER_VERIFICATION_FAILED = 'crypto_cipher_verification_failed' as const;
/** ErrCryptoDecryptionFailed: decryption failed */
export const CRYPTO_DECRYPTION_FAILED = 'crypto_decryption_failed' as const;
/** ErrCryptoEncryptionFailed: encryption failed */
export const CRYPTO_ENCRYPTION_FAILED = 'crypto_encryption_failed' as const;
/** ErrCryptoFailedToCreateCipher: failed to create cipher */
export const CRYPTO_FAILED_TO_CREATE_CIPHER = 'crypto_failed_to_create_cipher' as const;
/** ErrCryptoFailedToCreateGCM: failed to create GCM */
export const CRYPTO_FAILED_TO_CREATE_GCM = 'crypto_failed_to_create_gcm' as const;
/** ErrCryptoFailedToReadNonce: failed to read nonce */
export const CRYPTO_FAILED_TO_READ_NONCE = 'crypto_failed_to_read_nonce' as const;
/** ErrCryptoFailedToReadVersion: failed to read version */
export const CRYPTO_FAILED_TO_READ_VERSION = 'crypto_failed_to_read_version' as const;
/** ErrCryptoInvalidEncryptionKeyLength: invalid encryption key length */
export const CRYPTO_INVALID_ENCRYPTION_KEY_LENGTH = 'crypto_invalid_encryption_key_length' as const;
/** ErrCryptoLowEntropy: low entropy */
export const CRYPTO_LOW_ENTROPY = 'crypto_low_entropy' as const;
/** ErrCryptoNonceGenerationFailed: nonce generation failed */
export const CRYPTO_NONCE_GENERATION_FAILED = 'crypto_nonce_generation_failed' as const;
/** ErrCryptoNonceSizeMismatch: nonce size mismatch */
export const CRYPTO_NONCE_SIZE_MISMATCH = 'crypto_nonce_size_mismatch' as const;
/** ErrCryptoRandomGenerationFailed: random generation failed */
export const CRYPTO_RANDOM_GENERATION_FAILED = 'crypto_random_generation_failed' as const;
/** ErrCryptoUnsupportedCipherVersion: unsupported crypto version */
export const CRYPTO_UNSUPPORTED_VERSION = 'crypto_unsupported_version' as const;
/** ErrStoreCloseFailed: backing store close failed */
export const STORE_CLOSE_FAILED = 'store_close_failed' as const;
/** ErrStoreInvalidConfiguration: invalid store configuration */
export const STORE_INVALID_CONFIGURATION = 'store_invalid_configuration' as const;
/** ErrStoreInvalidEncryptionKey: invalid store encryption key */
export const STORE_INVALID_ENCRYPTION_KEY = 'store_invalid_encryption_key' as const;
/** ErrFSDirectoryCreationFailed: directory creation failed */
export const FS_DIRECTORY_CREATION_FAILED = 'fs_directory_creation_failed' as const;
/** ErrFSDirectoryDoesNotExist: directory does not exist */
export const FS_DIRECTORY_DOES_NOT_EXIST = 'fs_directory_does_not_exist' as const;
/** ErrFSFailedToCheckDirectory: failed to check directory */
export const FS_FAILED_TO_CHECK_DIRECTORY = 'fs_failed_to_check_directory' as const;
/** ErrFSFailedToCreateDirectory: failed to create directory */
export const FS_FAILED_TO_CREATE_DIRECTORY = 'fs_failed_to_create_directory' as const;
/** ErrFSFailedToResolvePath: failed to resolve filesystem path */
export const FS_FAILED_TO_RESOLVE_PATH = 'fs_failed_to_resolve_path' as const;
/** ErrFSFileCloseFailed: file close failed */
export const FS_FILE_CLOSE_FAILED = 'fs_file_close_failed' as const;
/** ErrFSFileIsNotADirectory: file is not a directory */
export const FS_FILE_IS_NOT_A_DIRECTORY = 'fs_file_is_not_a_directory' as const;
/** ErrFSFileOpenFailed: file open failed */
export const FS_FILE_OPEN_FAILED = 'fs_file_open_failed' as const;
/** ErrFSInvalidDirectory: invalid directory */
export const FS_INVALID_DIRECTORY = 'fs_invalid_directory' as const;
/** ErrFSParentDirectoryDoesNotExist: parent directory does not exist */
export const FS_PARENT_DIRECTORY_DOES_NOT_EXIST = 'fs_parent_directory_does_not_exist' as const;
/** ErrFSPathCannotBeEmpty: filesystem path cannot be empty */
export const FS_PATH_CANNOT_BE_EMPTY = 'fs_path_cannot_be_empty' as const;
/** ErrFSPathRestricted: filesystem path is restricted for security reasons */
export const FS_PATH_RESTRICTED = 'fs_path_restricted' as const;
/** ErrFSStreamCloseFailed: stream close failed */
export const FS_STREAM_CLOSE_FAILED = 'fs_stream_close_failed' as const;
/** ErrFSStreamReadFailed: stream read failed */
export const FS_STREAM_READ_FAILED = 'fs_stream_read_failed' as const;
/** ErrFSStreamWriteFailed: stream write failed */
export const STREAM_WRITE_FAILED = 'stream_write_failed' as const;
/** ErrFSStreamOpenFailed: stream open failed */
export const FS_STREAM_OPEN_FAILED = 'fs_stream_open_failed' as const;
/** ErrDataInvalidInput: invalid input */
export const DATA_INVALID_INPUT = 'data_invalid_input' as const;
/** ErrDataMarshalFailure: failed to marshal response body */
export const DATA_MARSHAL_FAILURE = 'data_marshal_failure' as const;
/** ErrDataParseFailure: failed to parse request body */
export const DATA_PARSE_FAILURE = 'data_parse_failure' as const;
/** ErrDataReadFailure: failed to read request body */
export const DATA_READ_FAILURE = 'data_read_failure' as const;
/** ErrDataUnmarshalFailure: failed to unmarshal request body */
export const DATA_UNMARSHAL_FAILURE = 'data_unmarshal_failure' as const;
/** ErrStringEmptyCharacterClass: empty character class */
export const STRING_EMPTY_CHARACTER_CLASS = 'string_empty_character_class' as const;
/** ErrStringEmptyCharacterSet: character class resulted in empty set */
export const STRING_EMPTY_CHARACTER_SET = 'string_empty_character_set' as const;
/** ErrStringInvalidLength: invalid length specification */
export const STRING_INVALID_LENGTH = 'string_invalid_length' as const;
/** ErrStringInvalidRange: invalid character range */
export const STRING_INVALID_RANGE = 'string_invalid_range' as const;
/** ErrStringNegativeLength: length cannot be negative */
export const STRING_NEGATIVE_LENGTH = 'string_negative_length' as const;
/** ErrNetPeerConnection: problem connecting to peer */
export const NET_PEER_CONNECTION = 'net_peer_connection' as const;
/** ErrNetReadingRequestBody: problem reading request body */
export const NET_READING_REQUEST_BODY = 'net_reading_request_body' as const;
/** ErrNetReadingResponseBody: problem reading response body */
export const NET_READING_RESPONSE_BODY = 'net_reading_response_body' as const;
/** ErrNetURLJoinPathFailed: failed to join URL path */
export const NET_URL_JOIN_PATH_FAILED = 'net_url_join_path_failed' as const;
/** ErrTransactionBeginFailed: failed to begin transaction */
export const TRANSACTION_BEGIN_FAILED = 'transaction_begin_failed' as const;
/** ErrTransactionCommitFailed: failed to commit transaction */
export const TRANSACTION_COMMIT_FAILED = 'transaction_commit_failed' as const;
/** ErrTransactionFailed: transaction failed */
export const TRANSACTION_FAILED = 'transaction_failed' as const;
/** ErrTransactionRollbackFailed: failed to rollback transaction */
export const TRANSACTION_ROLLBACK_FAILED = 'transaction_rollback_failed' as const;
/** ErrRecoveryFailed: recovery failed */
export const RECOVERY_FAILED = 'recovery_failed' as const;
/** ErrRecoveryRetryFailed: recovery retry failed */
export const RECOVERY_RETRY_FAILED = 'recovery_retry_failed' as const;
/** ErrRecoveryRetryLimitReached: recovery retry limit reached */
export const RECOVERY_RETRY_LIMIT_REACHED = 'recovery_retry_limit_reached' as const;
/** ErrRetryContextCanceled: retry canceled due to context cancellation */
export const RETRY_CONTEXT_CANCELED = 'retry_context_canceled' as const;
/** ErrRetryMaxElapsedTimeReached: maximum elapsed time for retries reached */
export const RETRY_MAX_ELAPSED_TIME_REACHED = 'retry_max_elapsed_time_reached' as const;
/** ErrRetryOperationFailed: retry operation failed */
export const RETRY_OPERATION_FAILED = 'retry_operation_failed' as const;
/** ErrRetryMaximumAttemptsReached: maximum retry attempts reached */
export const RETRY_MAXIMUM_ATTEMPTS_REACHED = 'retry_maximum_attempts_reached' as const;
/** ErrBootstrapKeeperUnreachable: keeper unreachable */
export const BOOTSTRAP_KEEPER_UNREACHABLE = 'bootstrap_keeper_unreachable' as const;
/** ErrSPIFFEEmptyTrustDomain: empty trust domain */
export const SPIFFE_EMPTY_TRUST_DOMAIN = 'spiffe_empty_trust_domain' as const;
/** ErrSPIFFEFailedToCloseX509Source: failed to close X509Source */
export const SPIFFE_FAILED_TO_CLOSE_SOURCE = 'spiffe_failed_to_close_source' as const;
/** ErrSPIFFEFailedToExtractX509SVID: failed to extract X509 SVID */
export const SPIFFE_FAILED_TO_EXTRACT_X509_SVID = 'spiffe_failed_to_extract_x509_svid' as const;
/** ErrSPIFFEInvalidSPIFFEID: invalid SPIFFE ID */
export const SPIFFE_INVALID_SPIFFE_ID = 'spiffe_invalid_spiffe_id' as const;
/** ErrSPIFFEInvalidTrustDomain: invalid trust domain */
export const SPIFFE_INVALID_TRUST_DOMAIN = 'spiffe_invalid_trust_domain' as const;
/** ErrSPIFFEMultipleTrustDomains: provide a single trust domain */
export const SPIFFE_MULTIPLE_TRUST_DOMAINS = 'spiffe_multiple_trust_domains' as const;
/** ErrSPIFFENilX509Source: nil X509Source */
export const SPIFFE_NIL_X509_SOURCE = 'spiffe_nil_x509_source' as const;
/** ErrSPIFFENoPeerCertificates: no peer certificates */
export const SPIFFE_NO_PEER_CERTIFICATES = 'spiffe_no_peer_certificates' as const;
/** ErrSPIFFEUnableToFetchX509Source: unable to fetch X509Source */
export const SPIFFE_UNABLE_TO_FETCH_X509_SOURCE = 'spiffe_unable_to_fetch_x509_source' as const;
/** ErrSystemMemLockFailed: failed to lock memory */
export const SYSTEM_MEM_LOCK_FAILED = 'system_mem_lock_failed' as const;

interface CodeInfo {
  /** The Go sentinel's name (for documentation and logs). */
  readonly sentinel: string;
  /** The SDK's default message. */
  readonly message: string;
}

/** Every code of the SDK catalogue, with its sentinel and default message. */
export const ERROR_CATALOGUE: Readonly<Record<string, CodeInfo>> = Object.freeze({
  [GEN_GENERAL_FAILURE]: { sentinel: 'ErrGeneralFailure', message: 'general failure' },
  [GEN_NIL_CONTEXT]: { sentinel: 'ErrNilContext', message: 'nil context' },
  [K8S_RECONCILIATION_FAILED]: { sentinel: 'ErrK8sReconciliationFailed', message: 'reconciliation failed' },
  [K8S_CLIENT_FAILED]: { sentinel: 'ErrK8sClientFailed', message: 'failed to create Kubernetes client' },
  [K8S_LOOKUP_FAILED]: { sentinel: 'ErrK8sResourceLookupFailed', message: 'failed to lookup Kubernetes resource' },
  [API_BAD_REQUEST]: { sentinel: 'ErrAPIBadRequest', message: 'bad request' },
  [API_EMPTY_PAYLOAD]: { sentinel: 'ErrAPIEmptyPayload', message: 'empty payload' },
  [API_FOUND]: { sentinel: 'ErrAPIFound', message: 'found' },
  [API_INTERNAL_ERROR]: { sentinel: 'ErrAPIInternal', message: 'internal error' },
  [API_NOT_FOUND]: { sentinel: 'ErrAPINotFound', message: 'not found' },
  [API_POST_FAILED]: { sentinel: 'ErrAPIPostFailed', message: 'post failed' },
  [API_RESPONSE_CODE_INVALID]: { sentinel: 'ErrAPIResponseCodeInvalid', message: 'invalid API response code' },
  [API_SERVER_FAULT]: { sentinel: 'ErrAPIServerFault', message: 'server fault' },
  [OBJECT_CREATION_FAILED]: { sentinel: 'ErrEntityCreationFailed', message: 'creation failed' },
  [ENTITY_DELETED]: { sentinel: 'ErrEntityDeleted', message: 'entity marked as deleted' },
  [OBJECT_DELETION_FAILED]: { sentinel: 'ErrEntityDeletionFailed', message: 'deletion failed' },
  [ENTITY_EXISTS]: { sentinel: 'ErrEntityExists', message: 'entity already exists' },
  [ENTITY_INVALID]: { sentinel: 'ErrEntityInvalid', message: 'entity is invalid' },
  [ENTITY_LOAD_FAILED]: { sentinel: 'ErrEntityLoadFailed', message: 'failed to load entity' },
  [ENTITY_NOT_FOUND]: { sentinel: 'ErrEntityNotFound', message: 'entity not found' },
  [ENTITY_QUERY_FAILED]: { sentinel: 'ErrEntityQueryFailed', message: 'failed to query entities' },
  [ENTITY_SAVE_FAILED]: { sentinel: 'ErrEntitySaveFailed', message: 'failed to save entity' },
  [ENTITY_VERSION_INVALID]: { sentinel: 'ErrEntityVersionInvalid', message: 'invalid version' },
  [ENTITY_VERSION_NOT_FOUND]: { sentinel: 'ErrEntityVersionNotFound', message: 'version not found' },
  [OBJECT_UNDELETION_FAILED]: { sentinel: 'ErrEntityUndeletionFailed', message: 'undeletion failed' },
  [STATE_ALREADY_INITIALIZED]: { sentinel: 'ErrStateAlreadyInitialized', message: 'already initialized' },
  [STATE_INITIALIZATION_FAILED]: { sentinel: 'ErrStateInitializationFailed', message: 'initialization failed' },
  [STATE_NOT_ALIVE]: { sentinel: 'ErrStateNotAlive', message: 'not alive' },
  [STATE_NOT_READY]: { sentinel: 'ErrStateNotReady', message: 'not ready' },
  [STATE_INTEGRITY_CHECK]: { sentinel: 'ErrStateIntegrityCheck', message: 'state integrity check failed' },
  [ACCESS_INVALID_PERMISSION]: { sentinel: 'ErrAccessInvalidPermission', message: 'invalid permission' },
  [ACCESS_UNAUTHORIZED]: { sentinel: 'ErrAccessUnauthorized', message: 'unauthorized' },
  [ROOT_KEY_EMPTY]: { sentinel: 'ErrRootKeyEmpty', message: 'root key empty' },
  [ROOT_KEY_MISSING]: { sentinel: 'ErrRootKeyMissing', message: 'root key missing' },
  [ROOT_KEY_NOT_EMPTY]: { sentinel: 'ErrRootKeyNotEmpty', message: 'root key not empty' },
  [ROOT_KEY_SKIP_CREATION_FOR_IN_MEMORY_MODE]: { sentinel: 'ErrRootKeySkipCreationForInMemoryMode', message: 'root key skip creation for in memory mode' },
  [ROOT_KEY_UPDATE_SKIPPED_KEY_EMPTY]: { sentinel: 'ErrRootKeyUpdateSkippedKeyEmpty', message: 'root key update skipped key empty' },
  [SHAMIR_DUPLICATE_INDEX]: { sentinel: 'ErrShamirDuplicateIndex', message: 'shamir duplicate index' },
  [SHAMIR_EMPTY_SHARD]: { sentinel: 'ErrShamirEmptyShard', message: 'shamir empty shard' },
  [SHAMIR_INVALID_INDEX]: { sentinel: 'ErrShamirInvalidIndex', message: 'shamir invalid index' },
  [SHAMIR_NIL_SHARD]: { sentinel: 'ErrShamirNilShard', message: 'shamir nil shard' },
  [SHAMIR_NOT_ENOUGH_SHARDS]: { sentinel: 'ErrShamirNotEnoughShards', message: 'shamir not enough shards' },
  [SHAMIR_RECONSTRUCTION_FAILED]: { sentinel: 'ErrShamirReconstructionFailed', message: 'shamir reconstruction failed' },
  [SHAMIR_NOT_ENOUGH_KEEPERS]: { sentinel: 'ErrShamirNotEnoughKeepers', message: 'not enough keepers for shamir shares' },
  [CRYPTO_CIPHER_NOT_AVAILABLE]: { sentinel: 'ErrCryptoCipherNotAvailable', message: 'cipher not available' },
  [CRYPTO_CIPHER_VERIFICATION_FAILED]: { sentinel: 'ErrCryptoCipherVerificationFailed', message: 'cipher verification failed' },
  [CRYPTO_DECRYPTION_FAILED]: { sentinel: 'ErrCryptoDecryptionFailed', message: 'decryption failed' },
  [CRYPTO_ENCRYPTION_FAILED]: { sentinel: 'ErrCryptoEncryptionFailed', message: 'encryption failed' },
  [CRYPTO_FAILED_TO_CREATE_CIPHER]: { sentinel: 'ErrCryptoFailedToCreateCipher', message: 'failed to create cipher' },
  [CRYPTO_FAILED_TO_CREATE_GCM]: { sentinel: 'ErrCryptoFailedToCreateGCM', message: 'failed to create GCM' },
  [CRYPTO_FAILED_TO_READ_NONCE]: { sentinel: 'ErrCryptoFailedToReadNonce', message: 'failed to read nonce' },
  [CRYPTO_FAILED_TO_READ_VERSION]: { sentinel: 'ErrCryptoFailedToReadVersion', message: 'failed to read version' },
  [CRYPTO_INVALID_ENCRYPTION_KEY_LENGTH]: { sentinel: 'ErrCryptoInvalidEncryptionKeyLength', message: 'invalid encryption key length' },
  [CRYPTO_LOW_ENTROPY]: { sentinel: 'ErrCryptoLowEntropy', message: 'low entropy' },
  [CRYPTO_NONCE_GENERATION_FAILED]: { sentinel: 'ErrCryptoNonceGenerationFailed', message: 'nonce generation failed' },
  [CRYPTO_NONCE_SIZE_MISMATCH]: { sentinel: 'ErrCryptoNonceSizeMismatch', message: 'nonce size mismatch' },
  [CRYPTO_RANDOM_GENERATION_FAILED]: { sentinel: 'ErrCryptoRandomGenerationFailed', message: 'random generation failed' },
  [CRYPTO_UNSUPPORTED_VERSION]: { sentinel: 'ErrCryptoUnsupportedCipherVersion', message: 'unsupported crypto version' },
  [STORE_CLOSE_FAILED]: { sentinel: 'ErrStoreCloseFailed', message: 'backing store close failed' },
  [STORE_INVALID_CONFIGURATION]: { sentinel: 'ErrStoreInvalidConfiguration', message: 'invalid store configuration' },
  [STORE_INVALID_ENCRYPTION_KEY]: { sentinel: 'ErrStoreInvalidEncryptionKey', message: 'invalid store encryption key' },
  [FS_DIRECTORY_CREATION_FAILED]: { sentinel: 'ErrFSDirectoryCreationFailed', message: 'directory creation failed' },
  [FS_DIRECTORY_DOES_NOT_EXIST]: { sentinel: 'ErrFSDirectoryDoesNotExist', message: 'directory does not exist' },
  [FS_FAILED_TO_CHECK_DIRECTORY]: { sentinel: 'ErrFSFailedToCheckDirectory', message: 'failed to check directory' },
  [FS_FAILED_TO_CREATE_DIRECTORY]: { sentinel: 'ErrFSFailedToCreateDirectory', message: 'failed to create directory' },
  [FS_FAILED_TO_RESOLVE_PATH]: { sentinel: 'ErrFSFailedToResolvePath', message: 'failed to resolve filesystem path' },
  [FS_FILE_CLOSE_FAILED]: { sentinel: 'ErrFSFileCloseFailed', message: 'file close failed' },
  [FS_FILE_IS_NOT_A_DIRECTORY]: { sentinel: 'ErrFSFileIsNotADirectory', message: 'file is not a directory' },
  [FS_FILE_OPEN_FAILED]: { sentinel: 'ErrFSFileOpenFailed', message: 'file open failed' },
  [FS_INVALID_DIRECTORY]: { sentinel: 'ErrFSInvalidDirectory', message: 'invalid directory' },
  [FS_PARENT_DIRECTORY_DOES_NOT_EXIST]: { sentinel: 'ErrFSParentDirectoryDoesNotExist', message: 'parent directory does not exist' },
  [FS_PATH_CANNOT_BE_EMPTY]: { sentinel: 'ErrFSPathCannotBeEmpty', message: 'filesystem path cannot be empty' },
  [FS_PATH_RESTRICTED]: { sentinel: 'ErrFSPathRestricted', message: 'filesystem path is restricted for security reasons' },
  [FS_STREAM_CLOSE_FAILED]: { sentinel: 'ErrFSStreamCloseFailed', message: 'stream close failed' },
  [FS_STREAM_READ_FAILED]: { sentinel: 'ErrFSStreamReadFailed', message: 'stream read failed' },
  [STREAM_WRITE_FAILED]: { sentinel: 'ErrFSStreamWriteFailed', message: 'stream write failed' },
  [FS_STREAM_OPEN_FAILED]: { sentinel: 'ErrFSStreamOpenFailed', message: 'stream open failed' },
  [DATA_INVALID_INPUT]: { sentinel: 'ErrDataInvalidInput', message: 'invalid input' },
  [DATA_MARSHAL_FAILURE]: { sentinel: 'ErrDataMarshalFailure', message: 'failed to marshal response body' },
  [DATA_PARSE_FAILURE]: { sentinel: 'ErrDataParseFailure', message: 'failed to parse request body' },
  [DATA_READ_FAILURE]: { sentinel: 'ErrDataReadFailure', message: 'failed to read request body' },
  [DATA_UNMARSHAL_FAILURE]: { sentinel: 'ErrDataUnmarshalFailure', message: 'failed to unmarshal request body' },
  [STRING_EMPTY_CHARACTER_CLASS]: { sentinel: 'ErrStringEmptyCharacterClass', message: 'empty character class' },
  [STRING_EMPTY_CHARACTER_SET]: { sentinel: 'ErrStringEmptyCharacterSet', message: 'character class resulted in empty set' },
  [STRING_INVALID_LENGTH]: { sentinel: 'ErrStringInvalidLength', message: 'invalid length specification' },
  [STRING_INVALID_RANGE]: { sentinel: 'ErrStringInvalidRange', message: 'invalid character range' },
  [STRING_NEGATIVE_LENGTH]: { sentinel: 'ErrStringNegativeLength', message: 'length cannot be negative' },
  [NET_PEER_CONNECTION]: { sentinel: 'ErrNetPeerConnection', message: 'problem connecting to peer' },
  [NET_READING_REQUEST_BODY]: { sentinel: 'ErrNetReadingRequestBody', message: 'problem reading request body' },
  [NET_READING_RESPONSE_BODY]: { sentinel: 'ErrNetReadingResponseBody', message: 'problem reading response body' },
  [NET_URL_JOIN_PATH_FAILED]: { sentinel: 'ErrNetURLJoinPathFailed', message: 'failed to join URL path' },
  [TRANSACTION_BEGIN_FAILED]: { sentinel: 'ErrTransactionBeginFailed', message: 'failed to begin transaction' },
  [TRANSACTION_COMMIT_FAILED]: { sentinel: 'ErrTransactionCommitFailed', message: 'failed to commit transaction' },
  [TRANSACTION_FAILED]: { sentinel: 'ErrTransactionFailed', message: 'transaction failed' },
  [TRANSACTION_ROLLBACK_FAILED]: { sentinel: 'ErrTransactionRollbackFailed', message: 'failed to rollback transaction' },
  [RECOVERY_FAILED]: { sentinel: 'ErrRecoveryFailed', message: 'recovery failed' },
  [RECOVERY_RETRY_FAILED]: { sentinel: 'ErrRecoveryRetryFailed', message: 'recovery retry failed' },
  [RECOVERY_RETRY_LIMIT_REACHED]: { sentinel: 'ErrRecoveryRetryLimitReached', message: 'recovery retry limit reached' },
  [RETRY_CONTEXT_CANCELED]: { sentinel: 'ErrRetryContextCanceled', message: 'retry canceled due to context cancellation' },
  [RETRY_MAX_ELAPSED_TIME_REACHED]: { sentinel: 'ErrRetryMaxElapsedTimeReached', message: 'maximum elapsed time for retries reached' },
  [RETRY_OPERATION_FAILED]: { sentinel: 'ErrRetryOperationFailed', message: 'retry operation failed' },
  [RETRY_MAXIMUM_ATTEMPTS_REACHED]: { sentinel: 'ErrRetryMaximumAttemptsReached', message: 'maximum retry attempts reached' },
  [BOOTSTRAP_KEEPER_UNREACHABLE]: { sentinel: 'ErrBootstrapKeeperUnreachable', message: 'keeper unreachable' },
  [SPIFFE_EMPTY_TRUST_DOMAIN]: { sentinel: 'ErrSPIFFEEmptyTrustDomain', message: 'empty trust domain' },
  [SPIFFE_FAILED_TO_CLOSE_SOURCE]: { sentinel: 'ErrSPIFFEFailedToCloseX509Source', message: 'failed to close X509Source' },
  [SPIFFE_FAILED_TO_EXTRACT_X509_SVID]: { sentinel: 'ErrSPIFFEFailedToExtractX509SVID', message: 'failed to extract X509 SVID' },
  [SPIFFE_INVALID_SPIFFE_ID]: { sentinel: 'ErrSPIFFEInvalidSPIFFEID', message: 'invalid SPIFFE ID' },
  [SPIFFE_INVALID_TRUST_DOMAIN]: { sentinel: 'ErrSPIFFEInvalidTrustDomain', message: 'invalid trust domain' },
  [SPIFFE_MULTIPLE_TRUST_DOMAINS]: { sentinel: 'ErrSPIFFEMultipleTrustDomains', message: 'provide a single trust domain' },
  [SPIFFE_NIL_X509_SOURCE]: { sentinel: 'ErrSPIFFENilX509Source', message: 'nil X509Source' },
  [SPIFFE_NO_PEER_CERTIFICATES]: { sentinel: 'ErrSPIFFENoPeerCertificates', message: 'no peer certificates' },
  [SPIFFE_UNABLE_TO_FETCH_X509_SOURCE]: { sentinel: 'ErrSPIFFEUnableToFetchX509Source', message: 'unable to fetch X509Source' },
  [SYSTEM_MEM_LOCK_FAILED]: { sentinel: 'ErrSystemMemLockFailed', message: 'failed to lock memory' }
});

/** The codes Nexus and Keeper put in `err` fields (spike-sdk-go errors/sentinel.go). */
export type WireErrorCode =
  | typeof API_BAD_REQUEST
  | typeof API_NOT_FOUND
  | typeof API_INTERNAL_ERROR
  | typeof ACCESS_UNAUTHORIZED
  | typeof STATE_NOT_READY;

export function isKnownErrorCode(code: string): boolean {
  return Object.prototype.hasOwnProperty.call(ERROR_CATALOGUE, code);
}

/** Go `errors.FromCode`: a known code as is, anything else `gen_general_failure`. */
export function fromCode(code: string): string {
  return isKnownErrorCode(code) ? code : GEN_GENERAL_FAILURE;
}

/** The SDK's default message for a code (unknown codes get the general-failure message). */
export function messageFor(code: string): string {
  return (ERROR_CATALOGUE[fromCode(code)] as CodeInfo).message;
}

/** HTTP status → the code the Go SDK reports (spike-sdk-go net/post.go); 200 → undefined. */
export function codeForStatus(status: number): string | undefined {
  switch (status) {
    case 200:
      return undefined;
    case 400:
      return API_BAD_REQUEST;
    case 401:
      return ACCESS_UNAUTHORIZED;
    case 404:
      return API_NOT_FOUND;
    case 503:
      return STATE_NOT_READY;
    default:
      return NET_PEER_CONNECTION;
  }
}
