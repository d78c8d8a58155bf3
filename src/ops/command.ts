// The shape of one fleet command: its usage line, its flags and what it does. commands.ts lists
// them; cli.ts parses argv with node:util's parseArgs against `options`, so every command
// refuses unknown flags.

export type OptionSpec = { type: "string" | "boolean"; multiple?: boolean };

export interface CommandArgs {
  /** Words after the command's own, e.g. the stack names of `clone FROM TO`. */
  positionals: string[];
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  /** The command's usage line, for hints about flags the command itself requires. */
  usage: string;
}

export interface Command {
  /** One line, e.g. "clone FROM TO [--set KEY=VALUE ...] [--new-secrets]". */
  usage: string;
  /** What it does, one line. */
  summary: string;
  options?: Record<string, OptionSpec>;
  /** How many positionals it takes (exactly, or [min, max]). */
  positionals?: number | [number, number];
  /** Resolves to the exit code: 0 by default; 2 where the command reports differences. */
  run(args: CommandArgs): Promise<number | void>;
}

/** The value of a string flag, or undefined. */
export const stringFlag = (args: CommandArgs, name: string) => args.values[name] as string | undefined;
/** The values of a repeatable string flag. */
export const listFlag = (args: CommandArgs, name: string) => (args.values[name] as string[] | undefined) ?? [];
