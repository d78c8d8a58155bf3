import { isIP } from "node:net";
import { z } from "zod";
import { received } from "./schema-helpers";

/** The Pulumi config namespace of this project (the `name` in Pulumi.yaml). */
export const NAMESPACE = "keycloak-fleet";

export const PLATFORMS = ["local", "external", "kubernetes"] as const;

const Port = z.number().int().min(1024).max(65535);

const LocalPlatform = z
  .object({
    /** Loopback port of the local Keycloak; `npm run dev:up` picks a free one when unset. */
    port: Port,
  })
  .strict();

const ExternalPlatform = z
  .object({
    /** Base URL of a running Keycloak, e.g. https://id.example.com. */
    url: z.url({
      protocol: /^https?$/,
      error: (iss) => `expected the Keycloak base URL such as "https://id.example.com", got ${received(iss.input)}`,
    }),
  })
  .strict();

/** The non-secret stack config. Secrets are read separately, see load.ts. */
export const StackConfig = z
  .object({
    platform: z.enum(PLATFORMS),
    /** Realm spec files, relative to the project directory. */
    realms: z
      .array(
        z.string().regex(/\.ya?ml$/, { error: (iss) => `expected a path to a .yaml file, got ${received(iss.input)}` }),
      )
      .min(1, { error: "expected at least one realm spec file; hint: list files such as stacks/realms/platform.yaml" }),
    /** The master-realm client the realm layer authenticates with (client-credentials grant). */
    adminClientId: z.string().min(1).default("keycloak-fleet"),
    /** The human administrator Keycloak is bootstrapped with (local platform). */
    adminUsername: z.string().min(1).default("admin"),
    local: LocalPlatform.optional(),
    external: ExternalPlatform.optional(),
  })
  // Other keys may be secrets that realm specs refer to; load.ts reports the rest as unknown.
  .superRefine((config, ctx) => {
    if (!config[config.platform])
      ctx.addIssue({
        code: "custom",
        path: [config.platform],
        message: `platform "${config.platform}" needs its section ${NAMESPACE}:${config.platform}; hint: see Pulumi.yaml for its fields`,
      });
  });

export type StackConfig = z.output<typeof StackConfig>;
