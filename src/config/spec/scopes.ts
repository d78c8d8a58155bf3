import { z } from "zod";
import { uniqueBy } from "../schema-helpers";
import { Name } from "./common";
import { name as identifier, text } from "./text";

/** Claim names live in the mapper's config (a text column, unbounded), but are identifiers in tokens. */
const claimName = identifier("claim name", undefined).min(1);
const claim = (fallback: string) => claimName.default(fallback);
/** Every mapper may be named (PROTOCOL_MAPPER.NAME, 255); the default name comes from what it maps. */
const name = identifier("mapper name").optional();

/** The protocol mappers people need in tokens, by what they put there. */
export const ProtocolMapper = z
  .discriminatedUnion(
    "type",
    [
      z.object({ name, type: z.literal("groups"), claim: claim("groups"), fullPath: z.boolean().default(false) }).strict(),
      z.object({ name, type: z.literal("audience"), client: z.string() }).strict(),
      z.object({ name, type: z.literal("realmRoles"), claim: claim("realm_access.roles") }).strict(),
      z.object({ name, type: z.literal("clientRoles"), client: z.string().optional(), claim: claim("resource_access.${client_id}.roles") }).strict(),
      z.object({ name, type: z.literal("userAttribute"), attribute: identifier("user attribute name", undefined), claim: claimName }).strict(),
    ],
    { error: () => 'expected a mapper type: "groups", "audience", "realmRoles", "clientRoles" or "userAttribute"' },
  )
  .transform((mapper) => ({ ...mapper, name: mapper.name ?? defaultMapperName(mapper) }));
export type ProtocolMapper = z.output<typeof ProtocolMapper>;

function defaultMapperName(mapper: { type: string; client?: string }): string {
  return mapper.client ? `${mapper.type} ${mapper.client}` : mapper.type;
}

export const ClientScopeSpec = z
  .object({
    name: Name("client scope name"),
    description: text("client scope description").optional(),
    includeInToken: z.boolean().default(true),
    mappers: uniqueBy(ProtocolMapper, (m) => m.name, "mapper name").default([]),
  })
  .strict();
export type ClientScopeSpec = z.output<typeof ClientScopeSpec>;
