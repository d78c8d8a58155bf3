import { z } from "zod";
import { received } from "../schema-helpers";
import { Duration, SecretRef } from "./common";

const LdapGroupMapper = z
  .object({
    groupsDn: z.string(),
    nameAttribute: z.string().default("cn"),
    objectClasses: z.array(z.string()).default(["groupOfNames"]),
    membershipAttribute: z.string().default("member"),
    membershipAttributeType: z.enum(["DN", "UID"]).default("DN"),
    mode: z.enum(["READ_ONLY", "LDAP_ONLY", "IMPORT"]).default("READ_ONLY"),
  })
  .strict();

/** LDAP or Active Directory as a user store for the realm. */
export const LdapFederationSpec = z
  .object({
    name: z.string().min(1),
    enabled: z.boolean().default(true),
    vendor: z.enum(["ad", "other", "rhds", "tivoli", "edirectory"]).default("other"),
    connectionUrl: z.string().regex(/^ldaps?:\/\/[^\s]+$/, { error: (iss) => `expected an ldap:// or ldaps:// URL, got ${received(iss.input)}` }),
    bindDn: z.string().min(1),
    bindCredential: SecretRef,
    usersDn: z.string().min(1),
    editMode: z.enum(["READ_ONLY", "WRITABLE", "UNSYNCED"]).default("READ_ONLY"),
    usernameAttribute: z.string().optional(),
    rdnAttribute: z.string().optional(),
    uuidAttribute: z.string().optional(),
    userObjectClasses: z.array(z.string()).optional(),
    searchScope: z.enum(["ONE_LEVEL", "SUBTREE"]).default("ONE_LEVEL"),
    importUsers: z.boolean().default(true),
    /** Periodic synchronisation; omit to sync on demand only. */
    fullSyncPeriod: Duration.optional(),
    changedSyncPeriod: Duration.optional(),
    groupMapper: LdapGroupMapper.optional(),
    /**
     * Deleting the provider deletes every user it imported, so Pulumi refuses to delete or
     * replace it unless this is set to false first.
     */
    protect: z.boolean().default(true),
  })
  .strict();
export type LdapFederationSpec = z.output<typeof LdapFederationSpec>;

/** Attribute defaults that differ between Active Directory and other directories. */
export function ldapAttributes(spec: LdapFederationSpec) {
  const ad = spec.vendor === "ad";
  return {
    usernameAttribute: spec.usernameAttribute ?? (ad ? "sAMAccountName" : "uid"),
    rdnAttribute: spec.rdnAttribute ?? (ad ? "cn" : "uid"),
    uuidAttribute: spec.uuidAttribute ?? (ad ? "objectGUID" : "entryUUID"),
    userObjectClasses: spec.userObjectClasses ?? (ad ? ["person", "organizationalPerson", "user"] : ["inetOrgPerson", "organizationalPerson"]),
  };
}
