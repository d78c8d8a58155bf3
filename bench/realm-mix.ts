// The content the bench converges: one realm in a realistic mix, scaled to about N objects, and
// the same content in each tool's own terms (a keycloak-fleet realm spec, an OpenTofu
// configuration for the upstream provider the project bridges, a Keycloak realm representation
// for its own import). At about 1,000 objects: 100 realm roles, 100 OIDC clients with 2 client
// roles and a groups mapper each, 4 client scopes with a mapper each, 50 groups with role
// mappings, 300 users with 400 group memberships.
import { stringify } from "yaml";

export interface BenchRealm {
  realm: string;
  roles: string[];
  clients: { clientId: string; roles: string[] }[];
  scopes: string[];
  groups: { name: string; realmRoles: string[]; clientRole: { clientId: string; role: string } }[];
  users: { username: string; groups: string[] }[];
  /** The field the one-field change edits: the first realm role's description. */
  firstRoleDescription: string;
}

/** At about 1,000 objects; smaller mixes scale every count down, keeping at least one of each. */
const AT_1000 = { roles: 100, clients: 100, scopes: 4, groups: 50, users: 300, memberships: 400 };
const pad = (n: number) => String(n).padStart(4, "0");

export function benchRealm(realm: string, objects: number): BenchRealm {
  const scale = (n: number) => Math.max(1, Math.round((n * objects) / 1000));
  const roles = Array.from({ length: scale(AT_1000.roles) }, (_, i) => `role-${pad(i)}`);
  const clients = Array.from({ length: scale(AT_1000.clients) }, (_, i) => ({ clientId: `app-${pad(i)}`, roles: ["reader", "writer"] }));
  const scopes = Array.from({ length: scale(AT_1000.scopes) }, (_, i) => `scope-${pad(i)}`);
  const groups = Array.from({ length: scale(AT_1000.groups) }, (_, i) => ({
    name: `team-${pad(i)}`,
    realmRoles: [roles[i % roles.length], roles[(i + 1) % roles.length]].filter((r, k, all) => all.indexOf(r) === k),
    clientRole: { clientId: clients[i % clients.length].clientId, role: "reader" },
  }));
  const userCount = scale(AT_1000.users);
  // Memberships beyond one per user go to the first users, a second group each.
  const seconds = Math.min(scale(AT_1000.memberships) - userCount, groups.length > 1 ? userCount : 0);
  const users = Array.from({ length: userCount }, (_, i) => ({
    username: `user-${pad(i)}`,
    groups: i < seconds ? [groups[i % groups.length].name, groups[(i + 1) % groups.length].name] : [groups[i % groups.length].name],
  }));
  return { realm, roles, clients, scopes, groups, users, firstRoleDescription: "the first role" };
}

/** Keycloak objects in the realm (memberships counted one each), for the table. */
export function objectCount(r: BenchRealm): number {
  const memberships = r.users.reduce((n, u) => n + u.groups.length, 0);
  return 1 + r.roles.length + r.clients.length * 4 + r.scopes.length * 2 + r.groups.length * 2 + r.users.length + memberships;
}

/** The realm as a keycloak-fleet realm spec (YAML). */
export function fleetSpec(r: BenchRealm): string {
  return stringify({
    realm: r.realm,
    roles: r.roles.map((name, i) => ({ name, description: i === 0 ? r.firstRoleDescription : undefined })),
    clients: r.clients.map(({ clientId, roles }) => ({
      clientId,
      redirectUris: [`https://${clientId}.example.com/callback`],
      roles,
      mappers: [{ type: "groups", claim: "groups" }],
    })),
    clientScopes: r.scopes.map((name) => ({ name, mappers: [{ type: "groups", claim: "groups" }] })),
    groups: r.groups.map(({ name, realmRoles, clientRole }) => ({ name, roles: { realm: realmRoles, clients: { [clientRole.clientId]: [clientRole.role] } } })),
    users: r.users.map(({ username, groups }) => ({ username, email: `${username}@example.com`, firstName: "Bench", lastName: username, groups })),
  });
}

/** Where and as whom OpenTofu's provider logs in (the automation client, as keycloak-fleet does). */
export interface ProviderLogin {
  url: string;
  clientId: string;
  clientSecret: string;
}

/**
 * The realm as an OpenTofu configuration (JSON syntax) for terraform-provider-keycloak, one
 * resource per object as its documentation writes them.
 */
export function terraformConfig(r: BenchRealm, login: ProviderLogin): Record<string, unknown> {
  const realmId = "${keycloak_realm.bench.id}";
  const id = (type: string, name: string) => `\${${type}.${name}.id}`;
  const tf = (name: string) => name.replace(/[^A-Za-z0-9_]/g, "_");
  const groupsMapper = (owner: Record<string, string>) => ({ realm_id: realmId, name: "groups", claim_name: "groups", full_path: false, ...owner });
  const clientRoles = r.clients.flatMap(({ clientId, roles }) =>
    roles.map((role) => [tf(`${clientId}_${role}`), { realm_id: realmId, client_id: id("keycloak_openid_client", tf(clientId)), name: role }]),
  );
  return {
    terraform: { required_providers: { keycloak: { source: "keycloak/keycloak" } } },
    provider: { keycloak: { url: login.url, realm: "master", client_id: login.clientId, client_secret: login.clientSecret } },
    resource: {
      keycloak_realm: { bench: { realm: r.realm, enabled: true } },
      keycloak_role: Object.fromEntries([
        ...r.roles.map((name, i) => [tf(name), { realm_id: realmId, name, description: i === 0 ? r.firstRoleDescription : undefined }]),
        ...clientRoles,
      ]),
      keycloak_openid_client: Object.fromEntries(
        r.clients.map(({ clientId }) => [
          tf(clientId),
          { realm_id: realmId, client_id: clientId, access_type: "CONFIDENTIAL", standard_flow_enabled: true, valid_redirect_uris: [`https://${clientId}.example.com/callback`] },
        ]),
      ),
      keycloak_openid_client_scope: Object.fromEntries(r.scopes.map((name) => [tf(name), { realm_id: realmId, name }])),
      keycloak_openid_group_membership_protocol_mapper: Object.fromEntries([
        ...r.clients.map(({ clientId }) => [tf(clientId), groupsMapper({ client_id: id("keycloak_openid_client", tf(clientId)) })]),
        ...r.scopes.map((name) => [tf(name), groupsMapper({ client_scope_id: id("keycloak_openid_client_scope", tf(name)) })]),
      ]),
      keycloak_group: Object.fromEntries(r.groups.map(({ name }) => [tf(name), { realm_id: realmId, name }])),
      keycloak_group_roles: Object.fromEntries(
        r.groups.map(({ name, realmRoles, clientRole }) => [
          tf(name),
          {
            realm_id: realmId,
            group_id: id("keycloak_group", tf(name)),
            role_ids: [...realmRoles.map((role) => id("keycloak_role", tf(role))), id("keycloak_role", tf(`${clientRole.clientId}_${clientRole.role}`))],
          },
        ]),
      ),
      keycloak_user: Object.fromEntries(
        r.users.map(({ username }) => [tf(username), { realm_id: realmId, username, email: `${username}@example.com`, first_name: "Bench", last_name: username }]),
      ),
      keycloak_user_groups: Object.fromEntries(
        r.users.map(({ username, groups }) => [
          tf(username),
          { realm_id: realmId, user_id: id("keycloak_user", tf(username)), group_ids: groups.map((g) => id("keycloak_group", tf(g))) },
        ]),
      ),
    },
  };
}

const groupsMapperRepresentation = { name: "groups", protocol: "openid-connect", protocolMapper: "oidc-group-membership-mapper", config: { "claim.name": "groups", "full.path": "false", "id.token.claim": "true", "access.token.claim": "true", "userinfo.token.claim": "true" } };

/**
 * The realm as Keycloak's own representation: `realm` (with its client scopes, which partial
 * import does not take) to create, and `partial`, the rest, for the realm's partialImport.
 */
export function realmRepresentation(r: BenchRealm): { realm: Record<string, unknown>; partial: Record<string, unknown> } {
  return {
    realm: { realm: r.realm, enabled: true, clientScopes: r.scopes.map((name) => ({ name, protocol: "openid-connect", protocolMappers: [groupsMapperRepresentation] })) },
    partial: {
      ifResourceExists: "FAIL",
      roles: {
        realm: r.roles.map((name, i) => ({ name, description: i === 0 ? r.firstRoleDescription : undefined })),
        client: Object.fromEntries(r.clients.map(({ clientId, roles }) => [clientId, roles.map((name) => ({ name }))])),
      },
      clients: r.clients.map(({ clientId }) => ({
        clientId,
        protocol: "openid-connect",
        publicClient: false,
        standardFlowEnabled: true,
        redirectUris: [`https://${clientId}.example.com/callback`],
        protocolMappers: [groupsMapperRepresentation],
      })),
      groups: r.groups.map(({ name, realmRoles, clientRole }) => ({ name, path: `/${name}`, realmRoles, clientRoles: { [clientRole.clientId]: [clientRole.role] } })),
      users: r.users.map(({ username, groups }) => ({
        username,
        email: `${username}@example.com`,
        firstName: "Bench",
        lastName: username,
        enabled: true,
        groups: groups.map((g) => `/${g}`),
      })),
    },
  };
}
