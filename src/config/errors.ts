import type { core } from "zod";
import { visible } from "./schema-helpers";

/** One thing wrong with the input: where (file and field), what was expected, and a hint. */
export interface Problem {
  file: string;
  field: string;
  message: string;
  /** Set when the problem is only that this secret (key without namespace) is not set yet. */
  missingSecret?: string;
}

/** One problem as every refusal prints it: "file:line: field: message". */
export const formatProblem = (p: Problem) => `${p.file}: ${p.field}: ${p.message}`;

/**
 * Bad stack config or realm spec. The engine prints it as a Pulumi RunError: the message alone,
 * without a stack trace, failing the update before the program declares any resource.
 */
export class ConfigError extends Error {
  /**
   * How the Pulumi SDK recognises a RunError (RunError.isInstance, made to work across copies of
   * the SDK in one process). Marked rather than extending RunError so that validation, and with
   * it `fleet check`, runs without loading the SDK (seconds). test/unit/config.test.ts pins it.
   */
  readonly __pulumiRunError = true;

  constructor(readonly problems: Problem[]) {
    super(
      [
        `keycloak-fleet refused the configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}); nothing was deployed:`,
        ...problems.map((p) => `  ${formatProblem(p)}`),
      ].join("\n"),
    );
    this.name = "ConfigError";
    // The SDK also formats the error with util.inspect, which reads `stack`: computed lazily, it
    // maps every frame through the loaded source maps, and under tsx that took 15-20 s of CPU
    // (mostly garbage collection) before a refusal appeared. A refusal's frames help nobody.
    this.stack = `${this.name}: ${this.message}`;
  }
}

/** Keys that name a list entry in messages, so `clients[2]` reads `clients[2] (grafana)`. */
const ENTRY_KEYS = ["alias", "clientId", "username", "name", "realm"];

/** Longest name shown in a field path; the message quotes the whole value where it matters. */
const LABEL_MAX = 40;

/** A name as a field path shows it: invisible characters spelled out (an RTL override would reorder the line), long ones cut. */
function label(name: string): string {
  const chars = [...visible(name)];
  return chars.length > LABEL_MAX ? `${chars.slice(0, LABEL_MAX).join("")}…` : chars.join("");
}

/** Renders a zod path as `clients[0] (jupyterhub).redirectUris[1]`, naming entries by their key. */
export function fieldPath(path: readonly PropertyKey[], input: unknown, prefix = ""): string {
  let rendered = prefix;
  let node: unknown = input;
  for (const segment of path) {
    if (typeof segment === "number") {
      rendered += `[${segment}]`;
      node = Array.isArray(node) ? node[segment] : undefined;
      const key = ENTRY_KEYS.find((k) => typeof (node as Record<string, unknown>)?.[k] === "string");
      if (key) rendered += ` (${label((node as Record<string, string>)[key])})`;
    } else {
      rendered += rendered && !rendered.endsWith(":") ? `.${label(String(segment))}` : label(String(segment));
      node = node && typeof node === "object" ? (node as Record<string, unknown>)[String(segment)] : undefined;
    }
  }
  return rendered || "(top level)";
}

/** Turns zod issues into problems of one file. */
export function problemsFromIssues(file: string, issues: core.$ZodIssue[], input: unknown, prefix = ""): Problem[] {
  return issues.map((issue) => ({ file, field: fieldPath(issue.path, input, prefix), message: issue.message }));
}
