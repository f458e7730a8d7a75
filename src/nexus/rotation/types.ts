// What the rotation engine uses of the store (src/nexus/store's StoreRotation,
// docs/design.md § Root-key rotation), as the engine sees it.
export type RotationPhase = 'reencrypting' | 'pushing';

export interface RotationStatus {
  readonly phase: RotationPhase;
  readonly startedAt: Date;
  /** SPIFFE ID of the caller that began it (audit only). */
  readonly startedBy: string;
  /** Rows gone over so far. */
  readonly done: number;
  /** Rows counted at begin. */
  readonly total: number;
  /** Rows neither key opens (left as they are). */
  readonly unreadable: number;
}

export interface StoreRotation {
  status(): RotationStatus | undefined;
  begin(newKey: Uint8Array, startedBy: string): RotationStatus;
  reencryptBatch(maxRows: number, hooks?: { beforeCommit?: () => void }): RotationStatus;
  finish(): void;
  withSealingKey<T>(fn: (key: Buffer) => T): T;
  withPreviousKey<T>(fn: (key: Buffer) => T): T | undefined;
}

/** The rotation API of an open store, if it has one (SQLite: yes; memory, lite: no). */
export function rotationOf(store: object | undefined): StoreRotation | undefined {
  return (store as { rotation?: StoreRotation } | undefined)?.rotation;
}
