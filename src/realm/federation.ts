import * as keycloak from "@pulumi/keycloak";
import { seconds } from "../config/spec/common";
import { ldapAttributes, type LdapFederationSpec } from "../config/spec/federation";
import type { RealmScope } from "./scope";

/**
 * LDAP / Active Directory user federation, named `<realm>/ldap/<name>`. Only the realm id forces
 * a replacement; everything else updates in place. Replacing or deleting the provider deletes
 * the users it imported, so it is protected unless the spec says `protect: false`.
 */
export function declareUserFederation(scope: RealmScope, specs: LdapFederationSpec[]): void {
  const { name, realm, parent, secrets } = scope;
  for (const spec of specs) {
    const attributes = ldapAttributes(spec);
    const federation = new keycloak.ldap.UserFederation(
      `${name}/ldap/${spec.name}`,
      {
        realmId: realm.id,
        name: spec.name,
        enabled: spec.enabled,
        vendor: spec.vendor.toUpperCase(),
        connectionUrl: spec.connectionUrl,
        bindDn: spec.bindDn,
        bindCredential: secrets.get(spec.bindCredential.config),
        usersDn: spec.usersDn,
        editMode: spec.editMode,
        usernameLdapAttribute: attributes.usernameAttribute,
        rdnLdapAttribute: attributes.rdnAttribute,
        uuidLdapAttribute: attributes.uuidAttribute,
        userObjectClasses: attributes.userObjectClasses,
        searchScope: spec.searchScope,
        importEnabled: spec.importUsers,
        fullSyncPeriod: spec.fullSyncPeriod ? seconds(spec.fullSyncPeriod) : -1,
        changedSyncPeriod: spec.changedSyncPeriod ? seconds(spec.changedSyncPeriod) : -1,
      },
      { parent, protect: spec.protect, additionalSecretOutputs: ["bindCredential"] },
    );
    const groups = spec.groupMapper;
    if (groups)
      new keycloak.ldap.GroupMapper(
        `${name}/ldap/${spec.name}/groups`,
        {
          realmId: realm.id,
          ldapUserFederationId: federation.id,
          name: "groups",
          ldapGroupsDn: groups.groupsDn,
          groupNameLdapAttribute: groups.nameAttribute,
          groupObjectClasses: groups.objectClasses,
          membershipLdapAttribute: groups.membershipAttribute,
          membershipAttributeType: groups.membershipAttributeType,
          membershipUserLdapAttribute: attributes.usernameAttribute,
          mode: groups.mode,
        },
        { parent },
      );
  }
}
