/** Minimal flag parsing for the CLI: `--name value`, `--flag`, positionals. */
export interface ParsedArgs {
  positionals: string[];
  values: Map<string, string>;
  flags: Set<string>;
}

export class UsageError extends Error {}

export function parseArgs(args: string[], spec: { values?: string[]; flags?: string[] }): ParsedArgs {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  const positionals: string[] = [];
  for (let n = 0; n < args.length; n++) {
    const arg = args[n];
    if (arg.startsWith('--')) {
      const [key, inline] = arg.slice(2).split('=', 2);
      if (spec.values?.includes(key)) {
        const value = inline ?? args[++n];
        if (value === undefined) throw new UsageError(`--${key} needs a value`);
        values.set(key, value);
      } else if (spec.flags?.includes(key)) {
        flags.add(key);
      } else {
        throw new UsageError(`unknown option --${key}`);
      }
    } else {
      positionals.push(arg);
    }
  }
  return { positionals, values, flags };
}
