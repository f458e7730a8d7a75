// Policy name resolution shared by `policy get` and `policy delete` (upstream
// get.go / filter.go), and the renderings of a policy and of a policy list
// (upstream format.go; the commands print them with Println, hence the extra
// trailing newline).
import type { GoJsonWriter } from '../../gocompat/json/encode.js';
import { goMarshalIndent } from '../../gocompat/json/indent.js';
import { formatRfc3339, type GoTime, isZeroTime, toGoTime } from '../../gocompat/time.js';
import { y, yamlMarshal } from '../../gocompat/yaml.js';
import type { Policy } from '../../protocol/messages.js';
import { CliError, ExitCode } from '../output/exit.js';
import type { OutputFormat } from '../output/format.js';
import type { PilotNexusApi } from '../nexusapi.js';
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
export async function requirePolicyExists(api: PilotNexusApi, name: string): Promise<void> {
  const all = await api.listPolicies({ spiffeidPattern: '', pathPattern: '' });
  if (!all.some((p) => p.name === name)) throw new CliError(ExitCode.nexus, 'Entity not found.');
}

const time = (v: Policy['createdAt']): GoTime => toGoTime(v);

export function renderPolicy(p: Policy, format: OutputFormat): string {
  if (format === 'json') {
    // json.MarshalIndent(data.Policy, "", "  ").
    const doc = goMarshalIndent(
      (w) =>
        w.object([
          ['id', (x) => x.string(p.id)],
          ['name', (x) => x.string(p.name)],
          ['spiffiedPattern', (x) => x.string(p.spiffeidPattern)],
          ['pathPattern', (x) => x.string(p.pathPattern)],
          ['permissions', (x) => x.array(p.permissions, (z, s) => z.string(s))],
          ['createdAt', (x) => x.time(p.createdAt)],
          ['updatedAt', (x) => x.time(p.updatedAt)],
        ]),
      '',
      '  ',
    );
    return `${doc}\n`;
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
    const list = (w: GoJsonWriter): void => {
      w.array(policies, (x, p) => x.object([['id', (z) => z.string(p.id)], ['name', (z) => z.string(p.name)]]));
    };
    return `${goMarshalIndent(list, '', '  ')}\n`;
  }
  if (format === 'yaml') {
    if (policies.length === 0) return '[]\n';
    return `${yamlMarshal(y.seq(policies.map((p) => y.map([['id', y.str(p.id)], ['name', y.str(p.name)]]))))}\n`;
  }
  if (policies.length === 0) return 'No policies found.\n';
  return `POLICIES\n========\n\n${policies.map((p) => `Name: ${p.name}\n--------\n\n`).join('')}\n`;
}
