import * as keycloak from "@pulumi/keycloak";
import type { GroupSpec } from "../config/realm-spec";
import type { RealmScope } from "./scope";

/** Top-level groups of a realm, each named `<realm>/<group name>`. */
export function declareGroups({ name, realm, parent }: RealmScope, groups: GroupSpec[]): keycloak.Group[] {
  return groups.map((spec) => new keycloak.Group(`${name}/${spec.name}`, { realmId: realm.id, name: spec.name }, { parent }));
}
