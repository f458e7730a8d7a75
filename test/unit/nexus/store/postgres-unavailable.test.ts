// Which PostgreSQL failures mean "the database cannot be reached now"
// (StoreUnavailableError, Nexus answers 503) and which are faults of the call
// (StoreError 'io', 500). SQLSTATEs from PostgreSQL's error code table
// (Appendix A of its manual: class 08 connection exception, 57P01
// admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now, 53300
// too_many_connections; 42601 syntax_error, 23505 unique_violation, 40001
// serialization_failure); Node's socket error codes; pg's own messages for a
// lost connection and a query timeout.
import { describe, expect, it } from 'vitest';
import { StoreError, StoreUnavailableError } from '../../../../src/nexus/store/index.js';
import { asStoreError, isConnectionFailure } from '../../../../src/nexus/store/postgres/tx.js';

function pgError(message: string, code?: string): Error {
  return Object.assign(new Error(message), code === undefined ? {} : { code });
}

describe('isConnectionFailure / asStoreError', () => {
  it.each([
    ['socket refused', pgError('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['socket file gone', pgError('connect ENOENT /tmp/pg/.s.PGSQL.5432', 'ENOENT')],
    ['reset', pgError('read ECONNRESET', 'ECONNRESET')],
    ['connection failure', pgError('connection failure', '08006')],
    ['admin shutdown', pgError('terminating connection due to administrator command', '57P01')],
    ['crash shutdown', pgError('terminating connection because of crash of another server process', '57P02')],
    ['starting up', pgError('the database system is starting up', '57P03')],
    ['no slot', pgError('sorry, too many clients already', '53300')],
    ['lost', pgError('Connection terminated unexpectedly')],
    ['pool connect timeout', pgError('timeout exceeded when trying to connect')],
    ['query timeout', pgError('Query read timeout')],
  ])('%s → StoreUnavailableError (code io, one line)', (_name, e) => {
    expect(isConnectionFailure(e)).toBe(true);
    const s = asStoreError(e);
    expect(s).toBeInstanceOf(StoreUnavailableError);
    expect(s.code).toBe('io');
    expect(s.message).not.toContain('\n');
  });

  it.each([
    ['syntax error', pgError('syntax error at or near "SELEC"', '42601')],
    ['unique violation', pgError('duplicate key value violates unique constraint', '23505')],
    ['serialization failure', pgError('could not serialize access', '40001')],
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'x')")],
  ])('%s → StoreError io, not unavailable', (_name, e) => {
    expect(isConnectionFailure(e)).toBe(false);
    const s = asStoreError(e);
    expect(s).not.toBeInstanceOf(StoreUnavailableError);
    expect(s.code).toBe('io');
  });

  it("the store's own errors pass as they are", () => {
    const own = new StoreError('not_found', 'x');
    expect(asStoreError(own)).toBe(own);
    const gone = new StoreUnavailableError('PostgreSQL: gone');
    expect(isConnectionFailure(gone)).toBe(true);
    expect(asStoreError(gone)).toBe(gone);
  });
});
