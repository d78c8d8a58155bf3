// Pulumi.<stack>.yaml as written in the project: where each config key is (the program gets its
// values from the engine, without lines; the file gives them), and its values as the engine
// would hand them over, for `check`, which runs without the engine.
import * as fs from "node:fs";
import * as path from "node:path";
import { isMap, isPair, isScalar, isSeq, type Node, type Pair } from "yaml";
import type { Problem } from "./errors";
import type { ConfigSource } from "./validate";
import { readYamlFile, type YamlFile } from "./yaml-file";

export const stackFileName = (stack: string) => `Pulumi.${stack}.yaml`;

/** What `check` reads: the config source, or the problems of a file that cannot be read. */
export type StackFileRead = { source: ConfigSource } | { problems: Problem[] };

/**
 * The stack's config as the engine hands it to the program: plain values as text (structured
 * ones as JSON), and the keys of encrypted values (`secure:`), which count as secrets that are
 * set; they are not decrypted, so their values here are placeholders no check looks at.
 */
export function readStackConfig(projectDir: string, stack: string): StackFileRead {
  const file = stackFileName(stack);
  const yaml = readYamlFile(path.join(projectDir, file), file);
  if ("problems" in yaml) return yaml;
  const config = (yaml.value as { config?: unknown } | null)?.config ?? {};
  if (typeof config !== "object" || Array.isArray(config))
    return { problems: [{ file: `${file}:${yaml.lineOf(["config"])}`, field: "config", message: "expected a map of config keys; hint: pulumi config set writes it" }] };
  const values: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [key, value] of Object.entries(config as Record<string, unknown>)) {
    if (holdsSecure(value)) secretKeys.push(key);
    values[key] = typeof value === "string" ? value : isSecure(value) ? "(encrypted)" : JSON.stringify(value ?? "");
  }
  return { source: { stack, projectDir, values, secretKeys } };
}

const isSecure = (value: unknown) => !!value && typeof value === "object" && !Array.isArray(value) && Object.keys(value).join() === "secure";
const holdsSecure = (value: unknown): boolean =>
  isSecure(value) || (!!value && typeof value === "object" && Object.values(value as object).some(holdsSecure));

/**
 * Gives the problems of the stack file the line of the key they are about (or of the deepest
 * part of it the file has), when the file exists; other problems pass unchanged.
 */
export function withStackFileLines(problems: Problem[], projectDir: string, stack: string): Problem[] {
  const file = stackFileName(stack);
  const fullPath = path.join(projectDir, file);
  if (!problems.some((p) => p.file === file) || !fs.existsSync(fullPath)) return problems;
  const yaml = readYamlFile(fullPath, file);
  if ("problems" in yaml) return problems;
  return problems.map((p) => (p.file === file ? { ...p, file: `${file}:${lineOfField(yaml, p.field)}` } : p));
}

/**
 * The line of a field as messages render it ("keycloak-fleet:kubernetes.ingress.from.podLabels",
 * "keycloak-fleet:realms[1]"), found by walking the file: at each map the longest key that
 * starts the rest of the field, so keys that contain dots (label names) are found too.
 */
export function lineOfField(yaml: YamlFile, field: string): number {
  const config = isMap(yaml.doc.contents) ? yaml.doc.contents.items.find((pair) => isScalar(pair.key) && pair.key.value === "config") : undefined;
  let node: unknown = config?.value;
  let line = lineOfNode(yaml, config?.key as Node | undefined) ?? 1;
  let rest = field;
  while (rest !== "" && node) {
    if (isMap(node)) {
      const pair = longestKeyStarting(node.items, rest);
      if (!pair) break;
      const key = String((pair.key as { value: unknown }).value);
      line = lineOfNode(yaml, pair.key as Node) ?? line;
      node = pair.value;
      rest = rest.slice(key.length).replace(/^\./, "");
    } else if (isSeq(node)) {
      const index = /^\[(\d+)\]( \([^)]*\))?\.?/.exec(rest);
      if (!index) break;
      node = node.items[Number(index[1])];
      line = lineOfNode(yaml, node as Node) ?? line;
      rest = rest.slice(index[0].length);
    } else break;
  }
  return line;
}

function longestKeyStarting(items: Pair<unknown, unknown>[], rest: string): Pair<unknown, unknown> | undefined {
  const matches = items.filter((pair) => {
    if (!isPair(pair) || !isScalar(pair.key)) return false;
    const key = String(pair.key.value);
    return rest === key || rest.startsWith(`${key}.`) || rest.startsWith(`${key}[`);
  });
  return matches.sort((a, b) => String((b.key as { value: unknown }).value).length - String((a.key as { value: unknown }).value).length)[0];
}

function lineOfNode(yaml: YamlFile, node: Node | undefined): number | undefined {
  return node?.range ? yaml.lines.linePos(node.range[0]).line : undefined;
}
