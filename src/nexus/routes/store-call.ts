// Runs one store operation for a route and maps its outcome to upstream's
// answers (upstream's JSON route pipeline): NotFoundError → 404
// `api_not_found`, anything else → 500 `api_internal_error` (logged without
// values). Every outcome is audit-logged with the caller and path, never
// with secret values.
import { API_INTERNAL_ERROR, API_NOT_FOUND } from '../../protocol/errors.js';
import { errorBodyFor } from '../../protocol/messages.js';
import type { NexusRouteName } from '../../protocol/paths.js';
import { describeError } from '../../common/log.js';
import { NotFoundError } from '../store/index.js';
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

export function storeCall(deps: RouteDeps, ctx: StoreCallContext, op: (store: SecretsStore) => Reply): Reply {
  const audit = (outcome: string): void => deps.log.audit(ctx.event, { caller: ctx.caller, ...ctx.fields, outcome });
  const store = deps.state.store();
  try {
    if (store === undefined) throw new Error('store is not open');
    const reply = op(store);
    audit(reply.status === 200 ? 'ok' : `status_${reply.status}`);
    return reply;
  } catch (e) {
    if (e instanceof NotFoundError) {
      audit('not_found');
      return { status: 404, body: errorBodyFor(ctx.route, API_NOT_FOUND) };
    }
    deps.log.error(`${ctx.event} failed`, { ...ctx.fields, error: describeError(e) });
    audit('internal_error');
    return { status: 500, body: errorBodyFor(ctx.route, API_INTERNAL_ERROR) };
  }
}
