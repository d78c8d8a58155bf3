import * as keycloak from "@pulumi/keycloak";
import type * as pulumi from "@pulumi/pulumi";
import type { ProtocolMapper } from "../config/spec/scopes";
import type { ClientIndex } from "./clients";
import type { RealmScope } from "./scope";

/** A mapper belongs to a client or to a client scope (internal ids). */
export type MapperOwner = { clientId: pulumi.Input<string> } | { clientScopeId: pulumi.Input<string> };

/**
 * One protocol mapper, named `<owner resource name>/<mapper name>`. A mapper that names a client
 * (audience, client roles) refers to it by clientId, a plain string, so it waits for that client
 * explicitly: Keycloak checks the client exists.
 */
export function declareMapper({ realm, parent }: RealmScope, clients: ClientIndex, owner: MapperOwner, ownerName: string, mapper: ProtocolMapper): pulumi.CustomResource {
  const name = `${ownerName}/${mapper.name}`;
  const common = { realmId: realm.id, name: mapper.name, ...owner };
  const opts = { parent, dependsOn: "client" in mapper && mapper.client ? clients.resource(mapper.client) : undefined };
  switch (mapper.type) {
    case "groups":
      return new keycloak.openid.GroupMembershipProtocolMapper(name, { ...common, claimName: mapper.claim, fullPath: mapper.fullPath }, opts);
    case "audience":
      return new keycloak.openid.AudienceProtocolMapper(name, { ...common, includedClientAudience: mapper.client }, opts);
    case "realmRoles":
      return new keycloak.openid.UserRealmRoleProtocolMapper(name, { ...common, claimName: mapper.claim, multivalued: true }, opts);
    case "clientRoles":
      return new keycloak.openid.UserClientRoleProtocolMapper(
        name,
        { ...common, claimName: mapper.claim, multivalued: true, clientIdForRoleMappings: mapper.client },
        opts,
      );
    case "userAttribute":
      return new keycloak.openid.UserAttributeProtocolMapper(name, { ...common, userAttribute: mapper.attribute, claimName: mapper.claim }, opts);
  }
}
