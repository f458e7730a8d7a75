// What a policy file holds (upstream's data.PolicySpec) and the error its
// YAML decoder throws: shared by file.ts, which reads the file, and
// file-yaml.ts, which file.ts loads with `await import()`. Kept apart so
// that neither imports the other's module for a type (one-way graph).

/** The SDK's data.PolicySpec: the four fields a policy file sets. */
export interface PolicySpec {
  name: string;
  spiffeidPattern: string;
  pathPattern: string;
  permissions: string[];
}

/** A policy file that does not decode; the message starts `line <n>: `. */
export class PolicyFileError extends Error {
  override readonly name = 'PolicyFileError';
}
