// Typed errors of the Shamir module. Messages name what is wrong, never a value.
export type ShamirErrorCode =
  | 'invalid_threshold'
  | 'root_key_invalid'
  | 'value_out_of_range'
  | 'invalid_id'
  | 'duplicate_id'
  | 'not_enough_shares'
  | 'zero_result';

export class ShamirError extends Error {
  override readonly name = 'ShamirError';
  constructor(
    readonly code: ShamirErrorCode,
    message: string,
  ) {
    super(message);
  }
}
