import * as keycloak from "@pulumi/keycloak";
import type * as pulumi from "@pulumi/pulumi";
import { userPasswordPurpose } from "../config/secrets";
import { groupPath } from "../config/spec/groups";
import type { UserSpec } from "../config/spec/users";
import { keycloakSet } from "./keycloak-set";
import type { GroupIndex } from "./groups";
import type { RealmScope } from "./scope";

/** Seed users and their group memberships, named `<realm>/user/<username>`. */
export function declareUsers(
  scope: RealmScope,
  groups: GroupIndex,
  specs: UserSpec[],
  profile: pulumi.Resource | undefined,
): Record<string, { initialPassword: pulumi.Output<string> }> {
  const generated: Record<string, { initialPassword: pulumi.Output<string> }> = {};
  for (const spec of specs) {
    const password = spec.password && initialPassword(scope, spec);
    if (password && spec.password && "generate" in spec.password) generated[spec.username] = { initialPassword: password };
    declareUser(scope, groups, spec, password, profile);
  }
  return generated;
}

function declareUser(scope: RealmScope, groups: GroupIndex, spec: UserSpec, password: pulumi.Output<string> | undefined, profile: pulumi.Resource | undefined): void {
  const { name, realm, parent } = scope;
  const user = new keycloak.User(
    `${name}/user/${spec.username}`,
    {
      realmId: realm.id,
      username: spec.username,
      email: spec.email,
      emailVerified: spec.emailVerified,
      firstName: spec.firstName,
      lastName: spec.lastName,
      enabled: spec.enabled,
      requiredActions: spec.requiredActions,
      attributes: spec.attributes,
      // Keycloak applies the initial password at creation only; users change it afterwards.
      initialPassword: password && { value: password, temporary: spec.password?.temporary ?? true },
    },
    // Required actions are one-shot: Keycloak adds UPDATE_PASSWORD for a temporary password and
    // clears each action once the user has done it. Applying them again on every `up` would
    // undo that, so they are set when the user is created and left to Keycloak afterwards.
    // Keycloak keeps only attributes its user profile declares, so the profile comes first.
    { parent, ignoreChanges: ["requiredActions"], dependsOn: profile },
  );
  if (spec.groups.length > 0)
    new keycloak.UserGroups(
      `${name}/user/${spec.username}/groups`,
      { realmId: realm.id, userId: user.id, groupIds: keycloakSet(spec.groups.map((g) => groups.get(groupPath(g))!.id)), exhaustive: true },
      { parent },
    );
}

function initialPassword({ realmName, secrets }: RealmScope, spec: UserSpec): pulumi.Output<string> | undefined {
  if (!spec.password) return undefined;
  return "config" in spec.password ? secrets.get(spec.password.config) : secrets.derive(userPasswordPurpose(realmName, spec.username));
}
