import { z } from "zod";
import { received } from "../schema-helpers";
import { article, checkString, COLUMN, lengthSchema, stringProblems, type StringRule } from "./text";

/** Durations as people write them: 30s, 5m, 10h, 7d. */
export const Duration = z.string().regex(/^\d+(s|m|h|d)$/, {
  error: (iss) => `expected a duration such as "30s", "5m", "10h" or "7d", got ${received(iss.input)}`,
});

export function seconds(duration: string): number {
  const unit = { s: 1, m: 60, h: 3600, d: 86400 }[duration.slice(-1) as "s" | "m" | "h" | "d"];
  return Number(duration.slice(0, -1)) * unit;
}

/** The Go-style duration the Keycloak provider expects for realm lifespans. */
export function goDuration(duration: string): string {
  return `${seconds(duration)}s`;
}

/** Attributes of a group: names and values each in a column of 255 (GROUP_ATTRIBUTE). */
export const Attributes = z.record(z.string(), z.union([z.string(), z.array(z.string())])).superRefine((attributes, ctx) => {
  const check = (value: string, rule: StringRule, path: (string | number)[]) => {
    for (const message of stringProblems(value, rule)) ctx.addIssue({ code: "custom", path, message });
  };
  for (const [key, value] of Object.entries(attributes)) {
    check(key, { what: "attribute name", max: COLUMN, kind: "name" }, [key]);
    if (Array.isArray(value)) value.forEach((item, i) => check(item, { what: "attribute value", max: COLUMN, kind: "text" }, [key, i]));
    else check(value, { what: "attribute value", max: COLUMN, kind: "text" }, [key]);
  }
});

/** The name of a role, group or client scope: an identifier without "/" (group paths use it). */
export const Name = (what: string) =>
  z
    .string()
    .superRefine((value, ctx) => {
      if (value === "") ctx.addIssue({ code: "custom", message: `expected ${article(what)}, got an empty one` });
      else if (value.includes("/")) ctx.addIssue({ code: "custom", message: `expected ${article(what)} without "/", got ${received(value)}` });
      else checkString(value, { what, max: COLUMN, kind: "name" }, ctx);
    })
    .meta({ ...lengthSchema(COLUMN), pattern: "^[^/]+$" });

/** Role references: realm roles by name, client roles by clientId. */
export const RoleRefs = z
  .object({
    realm: z.array(z.string()).default([]),
    clients: z.record(z.string(), z.array(z.string())).default({}),
  })
  .strict();
export type RoleRefs = z.output<typeof RoleRefs>;
