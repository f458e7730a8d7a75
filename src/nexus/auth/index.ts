// Nexus authorization: policies (regex on SPIFFE ID and path), permissions,
// the reserved spike/system/* rule, and the per-route decision.
export { PERMISSIONS, type Permission, isPermission, grants } from './permissions.js';
export { PatternError, type Pattern, compilePattern, compileFullMatch, MAX_PATTERN_LENGTH } from './pattern.js';
export { RESERVED_PATHS, PATH_SYSTEM_ACL, PATH_SYSTEM_SECRET, PATH_SYSTEM_CIPHER_EXEC, isReservedPath, mayReachReserved, reservedViolation } from './reserved.js';
export { compilePolicy, type CompiledPolicy } from './compiled-policy.js';
export { PolicyIndex } from './policy-index.js';
export { checkPolicyAccess } from './access.js';
export { authorizedCaller, type AuthorizeDeps } from './authorize.js';
