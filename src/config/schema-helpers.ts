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

/** What the user wrote, quoted for an error message (never used for secret fields). */
export function received(value: unknown): string {
  return value === undefined ? "nothing" : JSON.stringify(value);
}
