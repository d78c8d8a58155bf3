import { z } from "zod";

/** A list whose entries must be unique by `key`; the duplicate is reported at its own index. */
export function uniqueBy<T extends z.ZodType>(item: T, key: (entry: z.output<T>) => string, what: string) {
  return z.array(item).superRefine((entries, ctx) => {
    const seen = new Map<string, number>();
    entries.forEach((entry, index) => {
      const id = key(entry);
      const first = seen.get(id);
      if (first === undefined) seen.set(id, index);
      else
        ctx.addIssue({
          code: "custom",
          path: [index],
          message: `duplicate ${what} "${id}" (already declared at index ${first}); hint: each ${what} may appear once`,
        });
    });
  });
}

/** Longest quote of a received value in a message; longer ones are cut and their length given. */
const QUOTE_MAX = 60;

/**
 * What the user wrote, quoted for an error message (never used for secret fields): invisible
 * characters spelled out as \u{202E} so the message shows what is really there, and long values
 * cut (a 300,000-character value would otherwise fill the terminal).
 */
export function received(value: unknown): string {
  if (value === undefined) return "nothing";
  const quoted = visible(JSON.stringify(value) ?? String(value));
  const chars = [...quoted];
  if (chars.length <= QUOTE_MAX) return quoted;
  const length = typeof value === "string" ? `${[...value].length} characters` : `${chars.length} characters of JSON`;
  return `${chars.slice(0, QUOTE_MAX).join("")}… (${length})`;
}

/** Spells out characters that do not show (controls, formatting, odd spaces) as \u{XXXX}. */
export function visible(text: string): string {
  return text.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\p{Co}]|(?! )\p{Zs}/gu, (char) => `\\u{${char.codePointAt(0)!.toString(16).toUpperCase()}}`);
}

/**
 * A whole number from `min` to `max` (or at least `min`); the message names the range and the
 * unit, which zod's own "Too small" does not.
 */
export function wholeNumber(min: number, max?: number, unit = "") {
  const range = `a whole number ${max === undefined ? `of at least ${min}` : `from ${min} to ${max}`}${unit ? ` ${unit}` : ""}`;
  const error = (iss: { input?: unknown }) => `expected ${range}, got ${received(iss.input)}`;
  const atLeast = z.number({ error }).int({ error }).min(min, { error });
  return max === undefined ? atLeast : atLeast.max(max, { error });
}
