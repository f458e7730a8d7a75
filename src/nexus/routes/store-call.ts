// Runs one store operation for a route (storeCall: reads; storeWrite: group-
// committed writes; both awaited) and maps its outcome to upstream's
// answers (upstream's JSON route pipeline): NotFoundError → 404
// `api_not_found`, the database out of reach (StoreUnavailableError, the
// postgres backend) → 503 `state_not_ready`, as any answer of a Nexus not
// ready to serve, anything else → 500 `api_internal_error` (logged without
// values). Every outcome is audit-logged with the caller and path, never
// with secret values.
import { API_INTERNAL_ERROR, API_NOT_FOUND, STATE_NOT_READY } from '../../protocol/errors.js';
import { errorBodyFor } from '../../protocol/messages.js';
import type { NexusRouteName } from '../../protocol/paths.js';
import { describeError } from '../../common/log.js';
import { NotFoundError, StoreUnavailableError } from '../store/index.js';
import type { SecretsStore } from '../state/store-interface.js';
import type { Reply, RouteDeps } from './route.js';

export interface StoreCallContext {
  route: NexusRouteName;
  /** Audit event name, e.g. `secret_delete`. */
  event: string;
  caller: string;
  /** Extra audit fields (path, policy name; never values). */
  fields: Record<string, unknown>;
}

function auditor(deps: RouteDeps, ctx: StoreCallContext): (outcome: string) => void {
  return (outcome) => deps.log.audit(ctx.event, { caller: ctx.caller, ...ctx.fields, outcome });
}

function answered(audit: (outcome: string) => void, reply: Reply): Reply {
  audit(reply.status === 200 ? 'ok' : `status_${reply.status}`);
  return reply;
}

function failed(deps: RouteDeps, ctx: StoreCallContext, audit: (outcome: string) => void, e: unknown): Reply {
  if (e instanceof NotFoundError) {
    audit('not_found');
    return { status: 404, body: errorBodyFor(ctx.route, API_NOT_FOUND) };
  }
  if (e instanceof StoreUnavailableError) {
    // The gate's health tracker logged the state change; one debug line per call.
    deps.log.debug(`${ctx.event} failed: database unavailable`, { ...ctx.fields, error: describeError(e) });
    audit('unavailable');
    return { status: 503, body: errorBodyFor(ctx.route, STATE_NOT_READY) };
  }
  deps.log.error(`${ctx.event} failed`, { ...ctx.fields, error: describeError(e) });
  audit('internal_error');
  return { status: 500, body: errorBodyFor(ctx.route, API_INTERNAL_ERROR) };
}

/** Runs `op` on the open store, audits its outcome and maps a failure to its answer. */
async function runStoreOp(deps: RouteDeps, ctx: StoreCallContext, op: (store: SecretsStore) => Promise<Reply>): Promise<Reply> {
  const audit = auditor(deps, ctx);
  const store = deps.state.store();
  try {
    if (store === undefined) throw new Error('store is not open');
    return answered(audit, await op(store));
  } catch (e) {
    return failed(deps, ctx, audit, e);
  }
}

/** A read: `op` awaits the store's answer (docs/design.md § Async store). */
export function storeCall(deps: RouteDeps, ctx: StoreCallContext, op: (store: SecretsStore) => Promise<Reply>): Promise<Reply> {
  return runStoreOp(deps, ctx, op);
}

/**
 * A write through the store's group commit (`store.grouped`): `op`'s promise
 * settles once the transaction holding the write is durable, so the reply
 * (and its audit line) never comes before that.
 */
export function storeWrite(deps: RouteDeps, ctx: StoreCallContext, op: (store: SecretsStore) => Promise<Reply>): Promise<Reply> {
  return runStoreOp(deps, ctx, op);
}
