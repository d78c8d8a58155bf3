import { z } from "zod";
import { received } from "../schema-helpers";

/**
 * A secret the spec refers to but never holds: the name of a stack config key (namespace
 * keycloak-fleet) set with `pulumi config set --secret`.
 */
export const SecretRef = z
  .object({
    config: z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]*$/, {
      error: (iss) => `expected a stack config key name such as "githubClientSecret", got ${received(iss.input)}`,
    }),
  })
  .strict();
export type SecretRef = z.output<typeof SecretRef>;

/** A secret supplied through stack config, or generated (derived from the stack's secretSeed). */
export const SecretSource = z.union([SecretRef, z.object({ generate: z.literal(true) }).strict()], {
  error: () => 'expected {config: <stack config key>} or {generate: true}',
});
export type SecretSource = z.output<typeof SecretSource>;

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

export const Attributes = z.record(z.string(), z.union([z.string(), z.array(z.string())]));

export const Name = (what: string) =>
  z.string().regex(/^[^/\s][^/]{0,254}$/, { error: (iss) => `expected a ${what} without "/", got ${received(iss.input)}` });

/** Role references: realm roles by name, client roles by clientId. */
export const RoleRefs = z
  .object({
    realm: z.array(z.string()).default([]),
    clients: z.record(z.string(), z.array(z.string())).default({}),
  })
  .strict();
export type RoleRefs = z.output<typeof RoleRefs>;
