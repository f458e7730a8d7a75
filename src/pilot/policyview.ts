// Policy name resolution shared by `policy get` and `policy delete` (upstream
// get.go / filter.go), and the renderings of a policy and of a policy list
// (upstream format.go; the commands print them with Println, hence the extra
// trailing newline).
import { goTimeText } from '../protocol/gojson.js';
import type { Policy } from '../protocol/messages.js';
import { CliError, ExitCode } from './exit.js';
import type { OutputFormat } from './format.js';
import { formatRfc3339, formatRfc3339Nano, isZeroTime } from './gotime.js';
import { goMarshalIndent, obj } from './jsonindent.js';
import type { PilotNexusApi } from './nexusapi.js';
import { checkPolicyName } from './policyinput.js';
import { y, yamlMarshal } from './yaml.js';

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
export async function requirePolicyExists(api: PilotNexusApi, name: string): Promise<void> {
  const all = await api.listPolicies({ spiffeidPattern: '', pathPattern: '' });
  if (!all.some((p) => p.name === name)) throw new CliError(ExitCode.nexus, 'Entity not found.');
}

const time = (v: Policy['createdAt']): string => formatRfc3339Nano(goTimeText(v));

export function renderPolicy(p: Policy, format: OutputFormat): string {
  if (format === 'json') {
    const doc = obj([
      ['id', p.id],
      ['name', p.name],
      ['spiffiedPattern', p.spiffeidPattern],
      ['pathPattern', p.pathPattern],
      ['permissions', p.permissions],
      ['createdAt', time(p.createdAt)],
      ['updatedAt', time(p.updatedAt)],
    ]);
    return `${goMarshalIndent(doc, '  ')}\n`;
  }
  if (format === 'yaml') {
    const doc = y.map([
      ['id', y.str(p.id)],
      ['name', y.str(p.name)],
      ['spiffeidpattern', y.str(p.spiffeidPattern)],
      ['pathpattern', y.str(p.pathPattern)],
      ['permissions', y.seq((p.permissions ?? []).map((x) => y.str(x)))],
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
    `SPIFFE ID Pattern: ${p.spiffeidPattern}\n` +
    `Path Pattern: ${p.pathPattern}\n` +
    `Permissions: ${(p.permissions ?? []).join(', ')}\n` +
    `Created At: ${formatRfc3339(time(p.createdAt))}\n`;
  if (!isZeroTime(time(p.updatedAt))) out += `Updated At: ${formatRfc3339(time(p.updatedAt))}\n`;
  return `${out}\n`;
}

/** The list items upstream prints (data.PolicyListItem: id, name), in Nexus's order. */
export function renderPolicyList(policies: readonly Policy[], format: OutputFormat): string {
  if (format === 'json') {
    if (policies.length === 0) return '[]\n';
    return `${goMarshalIndent(policies.map((p) => obj([['id', p.id], ['name', p.name]])), '  ')}\n`;
  }
  if (format === 'yaml') {
    if (policies.length === 0) return '[]\n';
    return `${yamlMarshal(y.seq(policies.map((p) => y.map([['id', y.str(p.id)], ['name', y.str(p.name)]]))))}\n`;
  }
  if (policies.length === 0) return 'No policies found.\n';
  return `POLICIES\n========\n\n${policies.map((p) => `Name: ${p.name}\n--------\n\n`).join('')}\n`;
}
