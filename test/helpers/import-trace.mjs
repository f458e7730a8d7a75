// Records every module URL a Node process resolves, one per line, in the file
// named by IMPORT_TRACE_FILE. Load it with NODE_OPTIONS="--import <this file>".
// The same file is the hooks module (run by Node in its loader thread) and the
// registration (run in the main thread by --import). CommonJS require()s,
// which the hooks do not see on Node 20, are recorded from the main thread.
import { appendFileSync } from 'node:fs';
import Module, { register } from 'node:module';
import { pathToFileURL } from 'node:url';
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
  const file = process.env.IMPORT_TRACE_FILE;
  register(import.meta.url, { data: { file } });
  const load = Module._load;
  Module._load = function (request, parent, isMain) {
    const resolved = Module._resolveFilename(request, parent, isMain);
    appendFileSync(file, `${Module.isBuiltin(resolved) ? `node:${resolved.replace(/^node:/, '')}` : pathToFileURL(resolved).href}\n`);
    return load.apply(this, arguments);
  };
}
