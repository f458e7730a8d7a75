// Policy permissions (spike-sdk-go data.PolicyPermission) and upstream's
// grant rule (validation.ValidatePolicyPermissions): `super` grants
// everything, otherwise every wanted permission must be held.

export const PERMISSIONS = ['read', 'write', 'list', 'execute', 'super'] as const;
export type Permission = (typeof PERMISSIONS)[number];

export function isPermission(p: string): p is Permission {
  return (PERMISSIONS as readonly string[]).includes(p);
}

/** True when `have` grants every permission in `wants`. */
export function grants(have: readonly string[], wants: readonly Permission[]): boolean {
  if (have.includes('super')) return true;
  return wants.every((w) => have.includes(w));
}
