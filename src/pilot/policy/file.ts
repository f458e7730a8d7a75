// `spike policy apply --file`: reads a policy file as upstream does (query.go
// readPolicyFromFile: yaml.Unmarshal into data.PolicySpec, then the
// required-field checks). The YAML itself is decoded by file-yaml.ts
// with yaml.v3's rules; that module and the `yaml` package are loaded here
// with `await import()`, so that no other command pays for them at start-up.
import { readFileSync, statSync } from 'node:fs';
import { CliError, ExitCode } from '../output/exit.js';
import { PolicyFileError, type PolicySpec } from './file-types.js';

const MAX_FILE_BYTES = 64 * 1024;

/** Reads and checks a policy file; failures are CliErrors with upstream's `Error reading policy file:` prefix. */
export async function readPolicyFile(path: string): Promise<PolicySpec> {
  const prefix = 'Error reading policy file:';
  let bytes: Buffer;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new CliError(ExitCode.filesystem, `${prefix} failed to read file ${path} (not a regular file)`);
    if (st.size > MAX_FILE_BYTES) throw new CliError(ExitCode.usage, `${prefix} failed to read file ${path} (larger than ${MAX_FILE_BYTES} bytes)`);
    bytes = readFileSync(path);
  } catch (e) {
    if (e instanceof CliError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CliError(ExitCode.usage, `${prefix} file ${path} does not exist`);
    throw new CliError(ExitCode.filesystem, `${prefix} failed to read file ${path} (${code ?? 'error'})`);
  }
  const { parsePolicyYaml } = await import('./file-yaml.js');
  let raw: Partial<PolicySpec>;
  try {
    raw = parsePolicyYaml(bytes);
  } catch (e) {
    if (e instanceof PolicyFileError) throw new CliError(ExitCode.usage, `${prefix} failed to parse YAML file ${path}: ${e.message}`);
    throw e;
  }
  // Upstream's required-field texts, in its order.
  if (!raw.name) throw new CliError(ExitCode.usage, `${prefix} policy name is required in YAML file`);
  if (!raw.spiffeidPattern) throw new CliError(ExitCode.usage, `${prefix} spiffeidPattern is required in YAML file`);
  if (!raw.pathPattern) throw new CliError(ExitCode.usage, `${prefix} pathPattern is required in YAML file`);
  if (!raw.permissions || raw.permissions.length === 0) throw new CliError(ExitCode.usage, `${prefix} permissions are required in YAML file`);
  return { name: raw.name, spiffeidPattern: raw.spiffeidPattern, pathPattern: raw.pathPattern, permissions: raw.permissions };
}
