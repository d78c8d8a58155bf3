// What the realm spec calls a resource of the Pulumi graph ("client jupyterhub in realm
// platform", "role mappings of group /admin in realm platform"), read back from its URN, type
// and inputs: src/realm/ names every child `<realm>/<spec key>` under the realm's Realm
// component. For reports a person reads (drift), never parsed again.

/** A resource as the engine's events describe it. */
export interface ResourceRef {
  urn: string;
  type: string;
  /** The parent's URN: the Realm component for everything a realm holds. */
  parent?: string;
  inputs: Record<string, unknown>;
}

const REALM_COMPONENT = "keycloak-fleet:realm:Realm";

/** The engine's placeholder for a value known only once the update runs. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** The name the program gave a resource: everything after the URN's type. */
export function urnName(urn: string): string {
  return urn.split("::").slice(3).join("::");
}

/** The URN's type, with its parents' types: "keycloak-fleet:realm:Realm$keycloak:index/group:Group". */
function urnType(urn: string): string {
  return urn.split("::")[2] ?? "";
}

/** The realm a resource belongs to: the name of its Realm component, which is the spec's `realm`. */
export function realmOf(resource: ResourceRef): string | undefined {
  if (resource.parent && urnType(resource.parent).endsWith(REALM_COMPONENT)) return urnName(resource.parent);
  return undefined;
}

/** "client jupyterhub in realm platform"; resources outside realms by type and name. */
export function specName(resource: ResourceRef): string {
  const realm = realmOf(resource);
  if (resource.type === "keycloak:index/realm:Realm") return `realm ${known(resource.inputs.realm) ?? realm ?? urnName(resource.urn)}`;
  if (realm === undefined) {
    const provider = resource.type.match(/^pulumi:providers:(.+)$/);
    return provider ? `${provider[1]} provider ${urnName(resource.urn)} (how Pulumi reaches Keycloak)` : `${resource.type} ${urnName(resource.urn)}`;
  }
  const local = localName(resource, realm);
  const namer = NAMERS[resource.type] ?? (/ProtocolMapper:/.test(resource.type) ? protocolMapper : undefined);
  return `${namer ? namer(local, resource.inputs) : `${resource.type} ${local}`} in realm ${realm}`;
}

/**
 * The resource's name within its realm: for a role "notebook-user" (realm role) or
 * "grafana/grafana_editor" (client role, the spec's own `defaultRoles` syntax), for a group its
 * path without the leading slash ("admin/platform").
 */
export function realmLocalName(resource: ResourceRef): string {
  const realm = realmOf(resource);
  return realm === undefined ? urnName(resource.urn) : localName(resource, realm);
}

/** The resource's name without its realm prefix: "jupyterhub", "admin/platform/roles". */
function localName(resource: ResourceRef, realm: string): string {
  const name = urnName(resource.urn);
  return name.startsWith(realm) ? name.slice(realm.length).replace(/^\//, "") : name;
}

/** A plain string input, or undefined when absent or not known before the update. */
function known(value: unknown): string | undefined {
  return typeof value === "string" && value !== UNKNOWN ? value : undefined;
}

const withoutPrefix = (text: string, prefix: string) => (text.startsWith(prefix) ? text.slice(prefix.length) : text);
const withoutSuffix = (text: string, suffix: string) => (text.endsWith(suffix) ? text.slice(0, -suffix.length) : text);

/** Names one type of resource from its realm-local name and its inputs. */
type Namer = (local: string, inputs: Record<string, unknown>) => string;

const client: Namer = (local, inputs) => `client ${known(inputs.clientId) ?? local}`;

const identityProvider: Namer = (local, inputs) => `identity provider ${known(inputs.alias) ?? withoutPrefix(local, "idp/")}`;

/** `<clientId>/service-account/<role>` or `<clientId>/service-account/<other clientId>/<role>`. */
const serviceAccountRole: Namer = (local) => {
  const at = local.indexOf("/service-account/");
  return `service-account role ${local.slice(at + "/service-account/".length)} of client ${local.slice(0, at)}`;
};

/** `<clientId>/<mapper>` for a client's mappers, `scope/<scope>/<mapper>` for a client scope's. */
const protocolMapper: Namer = (local, inputs) => {
  const name = known(inputs.name) ?? local.slice(local.lastIndexOf("/") + 1);
  const owner = withoutSuffix(local, `/${name}`);
  return "clientScopeId" in inputs ? `mapper ${name} of client scope ${withoutPrefix(owner, "scope/")}` : `mapper ${name} of client ${owner}`;
};

/** The steps of the OTP login flow have no name in the spec; their resource names describe them. */
const flowStep: Namer = (local) => `step ${withoutPrefix(local, "flow/")} of the login flow`;

/** By type token, the naming of every resource src/realm/ declares. */
const NAMERS: Record<string, Namer> = {
  "keycloak:index/realmEvents:RealmEvents": () => "event settings",
  "keycloak:openid/client:Client": client,
  "keycloak:saml/client:Client": client,
  "keycloak:index/role:Role": (local, inputs) =>
    inputs.clientId !== undefined && known(inputs.name) ? `role ${inputs.name} of client ${withoutSuffix(local, `/${inputs.name}`)}` : `realm role ${local}`,
  "keycloak:openid/clientServiceAccountRealmRole:ClientServiceAccountRealmRole": serviceAccountRole,
  "keycloak:openid/clientServiceAccountRole:ClientServiceAccountRole": serviceAccountRole,
  "keycloak:index/defaultRoles:DefaultRoles": () => "default roles",
  "keycloak:openid/clientScope:ClientScope": (local, inputs) => `client scope ${known(inputs.name) ?? withoutPrefix(local, "scope/")}`,
  "keycloak:openid/clientDefaultScopes:ClientDefaultScopes": (local) => `default scopes of client ${withoutSuffix(local, "/default-scopes")}`,
  "keycloak:openid/clientOptionalScopes:ClientOptionalScopes": (local) => `optional scopes of client ${withoutSuffix(local, "/optional-scopes")}`,
  "keycloak:index/group:Group": (local) => `group /${local}`,
  "keycloak:index/groupRoles:GroupRoles": (local) => `role mappings of group /${withoutSuffix(local, "/roles")}`,
  "keycloak:index/defaultGroups:DefaultGroups": () => "default groups",
  "keycloak:index/user:User": (local, inputs) => `user ${known(inputs.username) ?? withoutPrefix(local, "user/")}`,
  "keycloak:index/userGroups:UserGroups": (local) => `group memberships of user ${withoutSuffix(withoutPrefix(local, "user/"), "/groups")}`,
  "keycloak:oidc/identityProvider:IdentityProvider": identityProvider,
  "keycloak:oidc/googleIdentityProvider:GoogleIdentityProvider": identityProvider,
  "keycloak:saml/identityProvider:IdentityProvider": identityProvider,
  "keycloak:index/customIdentityProviderMapping:CustomIdentityProviderMapping": (local, inputs) => {
    const [, alias, ...mapper] = local.split("/");
    return `mapper ${known(inputs.name) ?? mapper.join("/")} of identity provider ${known(inputs.identityProviderAlias) ?? alias}`;
  },
  "keycloak:ldap/userFederation:UserFederation": (local, inputs) => `user federation ${known(inputs.name) ?? withoutPrefix(local, "ldap/")}`,
  "keycloak:ldap/groupMapper:GroupMapper": (local) => `group mapper of user federation ${withoutSuffix(withoutPrefix(local, "ldap/"), "/groups")}`,
  "keycloak:index/requiredAction:RequiredAction": (local, inputs) => `required action ${known(inputs.alias) ?? withoutPrefix(local, "required-action/")}`,
  "keycloak:authentication/flow:Flow": (local, inputs) => `login flow "${known(inputs.alias) ?? withoutPrefix(local, "flow/")}"`,
  "keycloak:authentication/subflow:Subflow": flowStep,
  "keycloak:authentication/execution:Execution": flowStep,
  "keycloak:authentication/executionConfig:ExecutionConfig": flowStep,
  "keycloak:authentication/bindings:Bindings": () => "flow bindings",
  "keycloak:index/realmUserProfile:RealmUserProfile": () => "user profile",
};
