// Policy name resolution shared by `policy get` and `policy delete` (upstream
// get.go / filter.go), and the renderings of a policy and of a policy list
// (upstream format.go; the commands print them with Println, hence the extra
// trailing newline).
import { goJsonDocument } from '../output/json.js';
import { formatRfc3339, type GoTime, isZeroTime, toGoTime } from '../../gocompat/time.js';
import { y, yamlMarshal } from '../../gocompat/yaml.js';
import { listPolicies, type PolicyAnswer } from '../../client/api.js';
import type { SpikeHttpClient } from '../../client/transport.js';
import { CliError, ExitCode } from '../output/exit.js';
import type { OutputFormat } from '../output/format.js';
import { emptyIfNotFound } from '../nexus/calls.js';
import { checkPolicyName } from './input.js';

/** The policy name: the argument, else `--name`; both or neither → exit 2. */
export function resolvePolicyName(arg: string | undefined, flag: string | undefined): string {
  if (arg !== undefined && flag !== undefined && flag !== '') {
    throw new CliError(ExitCode.usage, 'Give the policy name either as an argument or with --name, not both.');
  }
  const name = arg ?? flag ?? '';
  if (name === '') throw new CliError(ExitCode.usage, 'A policy name is required (as an argument or with --name).');
  checkPolicyName(name);
  return name;
}

/** upstream findPolicyByName: the name must be among the listed policies (`Error: Entity not found.`). */
export async function requirePolicyExists(client: SpikeHttpClient, nexus: URL, name: string): Promise<void> {
  const names = await emptyIfNotFound(listPolicies(client, nexus));
  if (!names.includes(name)) throw new CliError(ExitCode.nexus, 'Entity not found.');
}

const time = (v: PolicyAnswer['createdAt']): GoTime => toGoTime(v);

/** `id` is always "" (upstream's data shapes; api.ts does not carry it). */
export function renderPolicy(p: PolicyAnswer, format: OutputFormat): string {
  if (format === 'json') {
    // json.MarshalIndent(data.Policy, "", "  "), printed with Println.
    return goJsonDocument((w) =>
        w.object([
          ['id', (x) => x.string('')],
          ['name', (x) => x.string(p.name)],
          ['spiffiedPattern', (x) => x.string(p.spiffeIdPattern)],
          ['pathPattern', (x) => x.string(p.pathPattern)],
          ['permissions', (x) => x.array(p.permissions, (z, s) => z.string(s))],
          ['createdAt', (x) => x.time(p.createdAt)],
          ['updatedAt', (x) => x.time(p.updatedAt)],
        ]),
    );
  }
  if (format === 'yaml') {
    const doc = y.map([
      ['id', y.str('')],
      ['name', y.str(p.name)],
      ['spiffeidpattern', y.str(p.spiffeIdPattern)],
      ['pathpattern', y.str(p.pathPattern)],
      ['permissions', y.seq(p.permissions.map((x) => y.str(x)))],
      ['createdat', y.time(time(p.createdAt))],
      ['updatedat', y.time(time(p.updatedAt))],
      ['idregex', y.null()],
      ['pathregex', y.null()],
    ]);
    return `${yamlMarshal(doc)}\n`;
  }
  let out =
    'POLICY DETAILS\n=============\n\n' +
    `Name: ${p.name}\n` +
    `SPIFFE ID Pattern: ${p.spiffeIdPattern}\n` +
    `Path Pattern: ${p.pathPattern}\n` +
    `Permissions: ${p.permissions.join(', ')}\n` +
    `Created At: ${formatRfc3339(time(p.createdAt))}\n`;
  if (!isZeroTime(time(p.updatedAt))) out += `Updated At: ${formatRfc3339(time(p.updatedAt))}\n`;
  return `${out}\n`;
}

/** The list items upstream prints (data.PolicyListItem: `id` always "", name), in Nexus's order. */
export function renderPolicyList(names: readonly string[], format: OutputFormat): string {
  if (format === 'json') {
    // Upstream prints `[]` for none (Go would print null).
    return goJsonDocument((w) => w.array(names, (x, name) => x.object([['id', (z) => z.string('')], ['name', (z) => z.string(name)]])));
  }
  if (format === 'yaml') {
    if (names.length === 0) return '[]\n';
    return `${yamlMarshal(y.seq(names.map((name) => y.map([['id', y.str('')], ['name', y.str(name)]]))))}\n`;
  }
  if (names.length === 0) return 'No policies found.\n';
  return `POLICIES\n========\n\n${names.map((name) => `Name: ${name}\n--------\n\n`).join('')}\n`;
}
