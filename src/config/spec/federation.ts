import { z } from "zod";
import { Duration } from "./common";
import { secretRef } from "./secret-ref";
import { name } from "./text";
import { ldapUrls } from "./urls";

/** Directory names and attributes live in the provider's config (a text column): identifiers without a length limit. */
const ldapName = (what: string) => name(what, undefined).min(1);

const LdapGroupMapper = z
  .object({
    groupsDn: ldapName("DN"),
    nameAttribute: ldapName("LDAP attribute").default("cn"),
    objectClasses: z.array(ldapName("object class")).default(["groupOfNames"]),
    membershipAttribute: ldapName("LDAP attribute").default("member"),
    membershipAttributeType: z.enum(["DN", "UID"]).default("DN"),
    mode: z.enum(["READ_ONLY", "LDAP_ONLY", "IMPORT"]).default("READ_ONLY"),
  })
  .strict();

/** LDAP or Active Directory as a user store for the realm. */
export const LdapFederationSpec = z
  .object({
    /** COMPONENT.NAME is a column of 255. */
    name: name("user federation name").min(1),
    enabled: z.boolean().default(true),
    vendor: z.enum(["ad", "other", "rhds", "tivoli", "edirectory"]).default("other"),
    connectionUrl: ldapUrls(),
    bindDn: ldapName("DN"),
    bindCredential: secretRef(),
    usersDn: ldapName("DN"),
    editMode: z.enum(["READ_ONLY", "WRITABLE", "UNSYNCED"]).default("READ_ONLY"),
    usernameAttribute: ldapName("LDAP attribute").optional(),
    rdnAttribute: ldapName("LDAP attribute").optional(),
    uuidAttribute: ldapName("LDAP attribute").optional(),
    userObjectClasses: z.array(ldapName("object class")).optional(),
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
