import * as keycloak from "@pulumi/keycloak";
import { flattenGroups, groupPath, type GroupSpec } from "../config/spec/groups";
import { keycloakSet } from "./keycloak-set";
import type { RoleIndex } from "./roles";
import type { RealmScope } from "./scope";

/** Groups by path ("/admin/platform"), parents declared before their subgroups. */
export type GroupIndex = Map<string, keycloak.Group>;

/** Groups (nested), their attributes and role mappings, named `<realm>/<group path>`. */
export function declareGroups(scope: RealmScope, roles: RoleIndex, specs: GroupSpec[]): GroupIndex {
  const { name, realm, parent } = scope;
  const groups: GroupIndex = new Map();
  for (const { path, parentPath, group } of flattenGroups(specs)) {
    const resource = new keycloak.Group(
      `${name}${path}`,
      {
        realmId: realm.id,
        name: group.name,
        parentId: parentPath ? groups.get(parentPath)!.id : undefined,
        attributes: group.attributes && joinAttributes(group.attributes),
      },
      { parent },
    );
    groups.set(path, resource);
    if (group.roles)
      new keycloak.GroupRoles(
        `${name}${path}/roles`,
        { realmId: realm.id, groupId: resource.id, roleIds: keycloakSet(roles.ids(group.roles)), exhaustive: true },
        { parent },
      );
  }
  return groups;
}

/** Keycloak's provider takes multi-valued attributes joined with "##". */
function joinAttributes(attributes: Record<string, string | string[]>): Record<string, string> {
  return Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, Array.isArray(v) ? v.join("##") : v]));
}

/** Groups every new user joins. */
export function declareDefaultGroups({ name, realm, parent }: RealmScope, groups: GroupIndex, paths: string[]): void {
  if (paths.length === 0) return;
  new keycloak.DefaultGroups(
    `${name}/default-groups`,
    { realmId: realm.id, groupIds: keycloakSet(paths.map((p) => groups.get(groupPath(p))!.id)) },
    { parent },
  );
}
