// How the commands talk to a person: progress on stderr, results on stdout, and errors that
// say what went wrong and what to do, without a stack trace.

/** A failure the user can act on: printed as "error: <message>" and "hint: <hint>", exit code 1. */
export class CommandError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = "CommandError";
  }
}

/** A line of progress, on stderr so that stdout stays the command's result. */
export function progress(message: string): void {
  process.stderr.write(`==> ${message}\n`);
}

/** "1 resource", "3 resources". */
export const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;
