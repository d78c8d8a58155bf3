import type { z } from "zod";
import type { RoleRefs } from "./common";
import { flattenGroups, groupPath } from "./groups";
import { BUILT_IN_USER_ATTRIBUTES } from "./user-profile";
import type { RealmSpecFields } from "./realm";

/** What Keycloak creates in every realm, and may therefore be referred to without declaring it. */
const BUILT_IN_REALM_ROLES = ["offline_access", "uma_authorization", "admin", "create-realm"];
const BUILT_IN_CLIENTS = ["realm-management", "account", "account-console", "broker", "admin-cli", "security-admin-console"];
const BUILT_IN_SCOPES = [
  "acr", "address", "basic", "email", "microprofile-jwt", "offline_access", "organization", "phone", "profile", "role_list", "roles", "saml_organization", "web-origins", "service_account",
];

type Path = (string | number)[];

/** Every reference between parts of a realm spec must name something that exists. */
export function checkReferences(spec: RealmSpecFields, ctx: z.RefinementCtx): void {
  const problem = (path: Path, message: string) => ctx.addIssue({ code: "custom", path, message });
  const realmRoles = new Set([...spec.roles.map((r) => r.name), ...BUILT_IN_REALM_ROLES, `default-roles-${spec.realm}`]);
  const clientRoles = new Map<string, Set<string>>();
  for (const c of spec.clients) if (!clientRoles.has(c.clientId)) clientRoles.set(c.clientId, new Set(c.roles.map((r) => r.name))); // a duplicate is reported on its own
  const groups = new Set(flattenGroups(spec.groups).map((g) => g.path));
  const scopes = new Set([...spec.clientScopes.map((s) => s.name), ...BUILT_IN_SCOPES]);
  const isClient = (clientId: string) => clientRoles.has(clientId) || BUILT_IN_CLIENTS.includes(clientId);

  const checkClient = (path: Path, clientId: string) => {
    if (!isClient(clientId))
      problem(path, `client "${clientId}" is not declared in this realm; hint: declared clients are ${list([...clientRoles.keys()])}`);
  };
  const checkRoles = (path: Path, refs: z.output<typeof RoleRefs> | undefined) => {
    refs?.realm.forEach((role, i) => {
      if (!realmRoles.has(role)) problem([...path, "realm", i], `realm role "${role}" does not exist; hint: declare it under roles (declared: ${list(spec.roles.map((r) => r.name))})`);
    });
    for (const [clientId, roles] of Object.entries(refs?.clients ?? {})) {
      const declared = clientRoles.get(clientId);
      if (!declared) checkClient([...path, "clients", clientId], clientId);
      else
        roles.forEach((role, i) => {
          if (!declared.has(role)) problem([...path, "clients", clientId, i], `client "${clientId}" has no role "${role}"; hint: declare it under that client's roles (declared: ${list([...declared])})`);
        });
    }
  };
  const checkGroup = (path: Path, reference: string) => {
    if (!groups.has(groupPath(reference))) problem(path, `group "${reference}" does not exist; hint: declared groups are ${list([...groups])}`);
  };
  const checkScopes = (path: Path, names: string[] | undefined) =>
    names?.forEach((name, i) => {
      if (!scopes.has(name)) problem([...path, i], `client scope "${name}" does not exist; hint: declare it under clientScopes`);
    });

  spec.clients.forEach((client, i) => {
    if (BUILT_IN_CLIENTS.includes(client.clientId))
      problem(["clients", i, "clientId"], `client "${client.clientId}" is built into every Keycloak realm and cannot be declared; hint: choose another clientId`);
  });
  spec.roles.forEach((role, i) => checkRoles(["roles", i, "composites"], role.composites));
  checkRoles(["defaultRoles"], spec.defaultRoles);
  // The provider sets a realm's default roles from realm roles only (the composites/realm list of
  // Keycloak's default role): a client role there would fail the update half-way.
  if (Object.keys(spec.defaultRoles?.clients ?? {}).length > 0)
    problem(["defaultRoles", "clients"], "expected realm roles only: default roles are set from realm roles; hint: declare a realm role with the client roles as composites and list that role under defaultRoles.realm");
  spec.clients.forEach((client, i) => {
    client.roles.forEach((role, j) => checkRoles(["clients", i, "roles", j, "composites"], role.composites));
    checkRoles(["clients", i, "serviceAccountRoles"], client.serviceAccountRoles);
    checkScopes(["clients", i, "defaultScopes"], client.defaultScopes);
    checkScopes(["clients", i, "optionalScopes"], client.optionalScopes);
    client.mappers.forEach((m, j) => "client" in m && m.client && checkClient(["clients", i, "mappers", j, "client"], m.client));
  });
  spec.clientScopes.forEach((scope, i) =>
    scope.mappers.forEach((m, j) => "client" in m && m.client && checkClient(["clientScopes", i, "mappers", j, "client"], m.client)),
  );
  checkGroupRoles(spec.groups, ["groups"], checkRoles);
  spec.defaultGroups.forEach((g, i) => checkGroup(["defaultGroups", i], g));
  spec.users.forEach((user, i) => user.groups.forEach((g, j) => checkGroup(["users", i, "groups", j], g)));
  const attributes = new Set(spec.userProfile?.attributes.map((a) => a.name));
  spec.userProfile?.attributes.forEach((a, i) => {
    if (BUILT_IN_USER_ATTRIBUTES.includes(a.name)) problem(["userProfile", "attributes", i, "name"], `"${a.name}" is a built-in user field; hint: set it on the user directly`);
  });
  spec.users.forEach((user, i) =>
    Object.keys(user.attributes ?? {}).forEach((name) => {
      if (!attributes.has(name))
        problem(["users", i, "attributes", name], `attribute "${name}" is not declared; hint: add it to userProfile.attributes (Keycloak drops undeclared attributes)`);
    }),
  );
  const otp = spec.authentication.requireOtp;
  if (otp && "groups" in otp) otp.groups.forEach((g, i) => checkGroup(["authentication", "requireOtp", "groups", i], g));
  spec.identityProviders.forEach((idp, i) =>
    idp.mappers.forEach((m, j) => {
      if ("group" in m) checkGroup(["identityProviders", i, "mappers", j, "group"], m.group);
      if ("role" in m && !realmRoles.has(m.role)) problem(["identityProviders", i, "mappers", j, "role"], `realm role "${m.role}" does not exist`);
    }),
  );
}

function checkGroupRoles(groups: RealmSpecFields["groups"], path: Path, checkRoles: (path: Path, refs: RealmSpecFields["defaultRoles"]) => void): void {
  groups.forEach((group, i) => {
    checkRoles([...path, i, "roles"], group.roles);
    checkGroupRoles(group.subGroups, [...path, i, "subGroups"], checkRoles);
  });
}

const list = (names: string[]) => (names.length ? names.map((n) => `"${n}"`).join(", ") : "none");
