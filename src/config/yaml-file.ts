// YAML files as the loader reads them (realm specs, Pulumi.<stack>.yaml): with a line for every
// node, and refusing what would exhaust the program instead of configuring it.
import * as fs from "node:fs";
import { isAlias, LineCounter, parseDocument, visit, type Document } from "yaml";
import type { Problem } from "./errors";

/**
 * How many times aliases (*name) may be expanded in one file: generous for the anchors people
 * use to repeat a list, far below a "billion laughs" file (aliases of aliases, each doubling the
 * document), which would otherwise exhaust memory or crash the program with a stack trace.
 */
export const MAX_ALIAS_EXPANSIONS = 100;

export interface YamlFile {
  doc: Document;
  lines: LineCounter;
  /** The file's content as plain values. */
  value: unknown;
  /** The line of the deepest node on `path` that the document has. */
  lineOf(path: readonly PropertyKey[]): number;
}

/** Reads a YAML file; `file` is its name in messages. Returns the problems when it cannot be read. */
export function readYamlFile(fullPath: string, file: string): YamlFile | { problems: Problem[] } {
  const lines = new LineCounter();
  const doc = parseDocument(fs.readFileSync(fullPath, "utf8"), { lineCounter: lines });
  if (doc.errors.length > 0)
    return {
      problems: doc.errors.map((e) => ({ file: `${file}:${e.linePos?.[0].line ?? "?"}`, field: "(yaml)", message: `not valid YAML: ${e.message.split("\n")[0]}` })),
    };
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_EXPANSIONS });
  } catch (error) {
    if (!/alias/i.test((error as Error).message)) throw error;
    return {
      problems: [
        {
          file: `${file}:${firstAliasLine(doc, lines)}`,
          field: "(yaml)",
          message: `refused: its aliases (*name) expand to more than ${MAX_ALIAS_EXPANSIONS} copies, the shape of a "billion laughs" attack; hint: write the values out, or use fewer aliases of aliases`,
        },
      ],
    };
  }
  const lineOf = (path: readonly PropertyKey[]) => {
    for (let depth = path.length; depth >= 0; depth--) {
      const node = doc.getIn(path.slice(0, depth) as (string | number)[], true) as { range?: [number] } | undefined;
      if (node?.range) return lines.linePos(node.range[0]).line;
    }
    return 1;
  };
  return { doc, lines, value, lineOf };
}

function firstAliasLine(doc: Document, lines: LineCounter): number {
  let line = 1;
  visit(doc, {
    Alias(_, node) {
      if (isAlias(node) && node.range) line = lines.linePos(node.range[0]).line;
      return visit.BREAK;
    },
  });
  return line;
}
