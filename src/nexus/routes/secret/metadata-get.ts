// Secret metadata get (POST /v1/store/secrets/metadata?action=get): the
// requested version (0 = current) must be readable as for get (else 404),
// then every version — deleted ones too — and the metadata:
// `{"versions":{"<n>":{"createdTime","version","deletedTime"}},"metadata":{…}}`.
// Versions keep their real numbers (upstream SQLite collapses them to "0").
import { secretMetadataResponse, type SecretVersionInfo } from '../../../protocol/messages.js';
import { API_BAD_REQUEST } from '../../../protocol/errors.js';
import type { NexusRoute, Reply, RouteDeps, RouteRequest } from '../route.js';
import { storeCall } from '../store-call.js';
import type { ValidGet } from './get-guard.js';
import { guardMetadataGet } from './metadata-get-guard.js';

export function handleMetadataGet(g: ValidGet, deps: RouteDeps): Promise<Reply> {
  return storeCall(deps, { route: 'secretMetadataGet', event: 'secret_metadata_get', caller: g.caller, fields: { path: g.path, version: g.version } }, async (store) => {
    const m = await store.getSecretMetadata(g.path, g.version);
    const versions = new Map<number, SecretVersionInfo>();
    for (const [n, v] of m.versions) versions.set(n, { createdTime: v.createdTime, version: v.version, deletedTime: v.deletedTime });
    const md = m.metadata;
    const body = secretMetadataResponse.encode({
      versions,
      metadata: {
        currentVersion: md.currentVersion,
        oldestVersion: md.oldestVersion,
        createdTime: md.createdTime,
        updatedTime: md.updatedTime,
        maxVersions: md.maxVersions,
      },
      err: '',
    });
    return { status: 200, body };
  });
}

export function getSecretMetadataRoute(deps: RouteDeps): NexusRoute {
  return {
    name: 'secretMetadataGet',
    badRequest: () => secretMetadataResponse.error(API_BAD_REQUEST),
    handle: async (req: RouteRequest) => {
      const g = await guardMetadataGet(req, deps);
      return g.ok ? handleMetadataGet(g.value, deps) : g.reply;
    },
  };
}
