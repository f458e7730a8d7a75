// Forwarding a restore call to the collecting replica (docs/design.md §
// Restore through any replica): the operator's body as received, over mTLS
// with this replica's own SVID, to a server that must present Nexus's ID,
// with FORWARDED_CALLER_HEADER naming the operator. The collector's answer
// (status, body, Retry-After) goes back to the operator unchanged. Nothing is
// logged here: the body holds a shard.
import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import { mtlsClientOptions } from '../../spiffe/tlsconfig.js';
import type { X509SvidSource } from '../../spiffe/x509context.js';
import type { Authorizer } from '../../spiffe/authorizer.js';
import { FORWARDED_CALLER_HEADER } from './forward-guard.js';
import { ACTION_RESET, PATH_OPERATOR_RESTORE, PATH_OPERATOR_STATUS, urlFor } from '../../protocol/paths.js';
import { quoteForMessage } from '../../util/quote-for-message.js';

/**
 * What is forwarded to the collector (collectors are Nexus replicas of the
 * same version): a shard, the reset of the collection, or the status call
 * (whose restore fields are the collector's).
 */
export type ForwardedCall = 'restore' | 'reset' | 'status';

function targetOf(base: URL, call: ForwardedCall): URL {
  if (call === 'status') return urlFor(base, PATH_OPERATOR_STATUS);
  return urlFor(base, PATH_OPERATOR_RESTORE, call === 'reset' ? ACTION_RESET : undefined);
}
/** Restore answers are a few hundred bytes; anything much larger is not one. */
const MAX_ANSWER_BYTES = 64 * 1024;

export interface ForwardedAnswer {
  readonly status: number;
  readonly body: Buffer;
  readonly retryAfter?: string;
}

export interface RestoreForwarderOptions {
  readonly source: X509SvidSource;
  /** Authorizes the collector's SVID: Nexus's ID only. */
  readonly collectorAuthorizer: Authorizer;
  readonly timeoutMs: number;
}

export type RestoreForwarder = (collectorUrl: string, body: Uint8Array, caller: string, call?: ForwardedCall) => Promise<ForwardedAnswer>;

export class ForwardError extends Error {
  override readonly name = 'ForwardError';
}

export function createRestoreForwarder(opts: RestoreForwarderOptions): RestoreForwarder {
  return (collectorUrl, body, caller, call = 'restore') =>
    new Promise<ForwardedAnswer>((resolve, reject) => {
      let target: URL;
      try {
        target = targetOf(new URL(collectorUrl), call);
      } catch {
        reject(new ForwardError(`not a URL: ${quoteForMessage(collectorUrl)}`));
        return;
      }
      if (target.protocol !== 'https:') {
        reject(new ForwardError(`the collector's URL is not https: ${target.origin}`));
        return;
      }
      const where = target.origin;
      const req = https.request(target, {
        method: 'POST',
        agent: false,
        ...mtlsClientOptions(opts.source, opts.collectorAuthorizer),
        rejectUnauthorized: true,
        timeout: opts.timeoutMs,
        headers: {
          'content-type': 'application/json',
          'content-length': String(body.byteLength),
          accept: 'application/json',
          [FORWARDED_CALLER_HEADER]: caller,
        },
      });
      const timer = setTimeout(() => req.destroy(new ForwardError(`no answer from the collector ${where} within ${opts.timeoutMs} ms`)), opts.timeoutMs);
      req.on('error', (e) => {
        clearTimeout(timer);
        reject(e instanceof ForwardError ? e : new ForwardError(`cannot reach the collector ${where}: ${e.message.split('\n')[0] ?? e.name}`, { cause: e }));
      });
      req.on('response', (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_ANSWER_BYTES) {
            req.destroy(new ForwardError(`the collector ${where} answered more than ${MAX_ANSWER_BYTES} bytes`));
            return;
          }
          chunks.push(c);
        });
        res.on('end', () => {
          clearTimeout(timer);
          const retryAfter = res.headers['retry-after'];
          resolve({ status: res.statusCode ?? 502, body: Buffer.concat(chunks), ...(typeof retryAfter === 'string' ? { retryAfter } : {}) });
        });
        res.on('error', (e) => req.destroy(e));
      });
      req.end(body);
    });
}

/** What the restore route needs to route a call through the collector (absent: one replica, or SQLite). */
export interface RestoreForwarding {
  /** Who collects now (takes the collector lock when it is free). */
  resolve(): Promise<import('./collector-election.js').CollectorRole>;
  /** Who collects now, without taking the lock (`none`: nobody). */
  peek(): Promise<import('./collector-election.js').CollectorRole | { readonly kind: 'none' }>;
  /** This replica's name (what answers call the collector). */
  readonly name: string;
  /** This replica holds the collector lock. */
  readonly holds: boolean;
  readonly forward: RestoreForwarder;
}
