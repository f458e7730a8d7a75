// The `err` codes our Nexus and Keepers put in response bodies: the codes of
// spike-sdk-go's error catalogue (errors/sentinel.go) that upstream's servers
// send, spelled as there so that any SPIKE client reads them.

/** ErrAPIBadRequest: bad request */
export const API_BAD_REQUEST = 'api_bad_request' as const;
/** ErrAPIInternal: internal error */
export const API_INTERNAL_ERROR = 'api_internal_error' as const;
/** ErrAPINotFound: not found */
export const API_NOT_FOUND = 'api_not_found' as const;
/** ErrStateNotReady: not ready */
export const STATE_NOT_READY = 'state_not_ready' as const;
/** ErrAccessUnauthorized: unauthorized */
export const ACCESS_UNAUTHORIZED = 'access_unauthorized' as const;

/**
 * spike-ts only: `/v1/operator/rotate` on a Nexus whose backend keeps no
 * root-key-encrypted store (`memory`: no root key at all; `lite`: nothing
 * stored to re-encrypt). 400.
 */
export const ROTATION_UNSUPPORTED = 'rotation_unsupported' as const;
