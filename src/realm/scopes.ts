import * as keycloak from "@pulumi/keycloak";
import type { ClientScopeSpec } from "../config/spec/scopes";
import type { ClientSpec } from "../config/spec/clients";
import { keycloakSet } from "./keycloak-set";
import type { ClientIndex } from "./clients";
import { declareMapper } from "./mappers";
import type { RealmScope } from "./scope";

/** Client scopes with their mappers, named `<realm>/scope/<name>`. */
export function declareClientScopes(scope: RealmScope, clients: ClientIndex, specs: ClientScopeSpec[]): Map<string, keycloak.openid.ClientScope> {
  const { name, realm, parent } = scope;
  return new Map(
    specs.map((spec) => {
      const resourceName = `${name}/scope/${spec.name}`;
      const clientScope = new keycloak.openid.ClientScope(
        resourceName,
        { realmId: realm.id, name: spec.name, description: spec.description, includeInTokenScope: spec.includeInToken },
        { parent },
      );
      spec.mappers.forEach((mapper) => declareMapper(scope, clients, { clientScopeId: clientScope.id }, resourceName, mapper));
      return [spec.name, clientScope];
    }),
  );
}

/** Default and optional scopes of the clients that list them (the lists are exhaustive). */
export function declareScopeAssignments(
  { name, realm, parent }: RealmScope,
  clients: ClientIndex,
  scopes: Map<string, keycloak.openid.ClientScope>,
  specs: ClientSpec[],
): void {
  for (const spec of specs) {
    const client = clients.oidc.get(spec.clientId);
    if (!client) continue;
    const dependsOn = (names: string[]) => names.flatMap((n) => scopes.get(n) ?? []);
    if (spec.defaultScopes)
      new keycloak.openid.ClientDefaultScopes(
        `${name}/${spec.clientId}/default-scopes`,
        { realmId: realm.id, clientId: client.id, defaultScopes: keycloakSet(spec.defaultScopes) },
        { parent, dependsOn: dependsOn(spec.defaultScopes) },
      );
    if (spec.optionalScopes)
      new keycloak.openid.ClientOptionalScopes(
        `${name}/${spec.clientId}/optional-scopes`,
        { realmId: realm.id, clientId: client.id, optionalScopes: keycloakSet(spec.optionalScopes) },
        { parent, dependsOn: dependsOn(spec.optionalScopes) },
      );
  }
}
