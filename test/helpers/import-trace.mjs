// Records every module URL a Node process resolves, one per line, in the file
// named by IMPORT_TRACE_FILE. Load it with NODE_OPTIONS="--import <this file>".
// The same file is the hooks module (run by Node in its loader thread) and the
// registration (run in the main thread by --import).
import { appendFileSync } from 'node:fs';
import { register } from 'node:module';
import { isMainThread } from 'node:worker_threads';

let traceFile;

/** Loader thread: receives the file name from register(). */
export function initialize(data) {
  traceFile = data.file;
}

/** Loader thread: every resolution, after Node resolved it. */
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  appendFileSync(traceFile, `${r.url}\n`);
  return r;
}

if (isMainThread && process.env.IMPORT_TRACE_FILE) {
  register(import.meta.url, { data: { file: process.env.IMPORT_TRACE_FILE } });
}
