// Adoption: a realm spec marked `existing: true` describes a realm that already lives in
// Keycloak (master, or one brought under code with `fleet import`). Its first `up` takes over
// every object it declares that Keycloak already has (Pulumi's import, by Keycloak's ids, read
// live before anything is declared) instead of creating it again; what Keycloak lacks is created.
// Objects the spec does not declare are left alone.
import type KcAdminClient from "@keycloak/keycloak-admin-client";
import type RealmRepresentation from "@keycloak/keycloak-admin-client/lib/defs/realmRepresentation";
import type * as pulumi from "@pulumi/pulumi";
import type { RealmSpec } from "../config/spec/realm";
import { stateKey, type StateResources } from "./stack-state";

/**
 * Set to "1" in the program's environment by `fleet repair` (src/ops/repair.ts): every realm, not
 * only `existing` ones, imports the declared objects Keycloak already has but the state lacks.
 */
export const ADOPT_LIVE_ENV = "KEYCLOAK_FLEET_ADOPT_LIVE";

/** What kind of Keycloak object a resource type manages: import ids are found per kind and name. */
const KINDS: Record<string, string> = {
  "keycloak:index/realm:Realm": "realm",
  "keycloak:openid/client:Client": "client",
  "keycloak:saml/client:Client": "client",
  "keycloak:index/role:Role": "role",
  "keycloak:index/defaultRoles:DefaultRoles": "default-roles",
  "keycloak:openid/clientServiceAccountRealmRole:ClientServiceAccountRealmRole": "service-account-role",
  "keycloak:openid/clientServiceAccountRole:ClientServiceAccountRole": "service-account-role",
  "keycloak:openid/clientScope:ClientScope": "client-scope",
  "keycloak:index/group:Group": "group",
  "keycloak:index/groupRoles:GroupRoles": "group-roles",
  "keycloak:index/defaultGroups:DefaultGroups": "default-groups",
  "keycloak:index/user:User": "user",
  "keycloak:index/userGroups:UserGroups": "user-groups",
  "keycloak:oidc/identityProvider:IdentityProvider": "identity-provider",
  "keycloak:oidc/googleIdentityProvider:GoogleIdentityProvider": "identity-provider",
  "keycloak:saml/identityProvider:IdentityProvider": "identity-provider",
  "keycloak:index/customIdentityProviderMapping:CustomIdentityProviderMapping": "identity-provider-mapper",
  "keycloak:ldap/userFederation:UserFederation": "ldap",
  "keycloak:ldap/groupMapper:GroupMapper": "ldap-mapper",
  "keycloak:index/requiredAction:RequiredAction": "required-action",
  "keycloak:authentication/flow:Flow": "flow",
  "keycloak:authentication/subflow:Subflow": "flow-step",
  "keycloak:authentication/execution:Execution": "flow-step",
  "keycloak:authentication/executionConfig:ExecutionConfig": "flow-step-config",
};
const PROTOCOL_MAPPER = /^keycloak:openid\/\w+:\w+ProtocolMapper$/;

/**
 * Resource types the provider cannot import: they hold settings of an object that exists anyway
 * (events, client scope lists, the user profile, flow bindings). Their first `up` records them
 * by writing the spec's values, which changes nothing in Keycloak when those equal the live ones.
 */
export const SETTINGS_ONLY_TYPES = [
  "keycloak:index/realmEvents:RealmEvents",
  "keycloak:openid/clientDefaultScopes:ClientDefaultScopes",
  "keycloak:openid/clientOptionalScopes:ClientOptionalScopes",
  "keycloak:index/realmUserProfile:RealmUserProfile",
  "keycloak:authentication/bindings:Bindings",
];

/** The kind of object a resource type manages, for the types that can be imported. */
export function adoptableKind(type: string): string | undefined {
  return KINDS[type] ?? (PROTOCOL_MAPPER.test(type) ? "protocol-mapper" : undefined);
}

/** Import ids by kind and resource name, as the Realm component names its children. */
export class LiveIds {
  private readonly ids = new Map<string, string>();
  /** The realm's live settings, when it was read (settings.ts keeps what the provider would reset). */
  realmSettings?: RealmRepresentation;

  /** Only the realm (named as its Realm component), for a Keycloak that cannot be read yet. */
  static realmOnly(realm: string): LiveIds {
    const ids = new LiveIds();
    ids.set("realm", realm, realm);
    return ids;
  }

  set(kind: string, name: string, id: string): void {
    this.ids.set(`${kind} ${name}`, id);
  }

  /** The import id of the object a resource of this type and name manages, if Keycloak has it. */
  importId(type: string, name: string): string | undefined {
    const kind = adoptableKind(type);
    return kind === undefined ? undefined : this.ids.get(`${kind} ${name}`);
  }

  get size(): number {
    return this.ids.size;
  }
}

/**
 * What adopting needs: what Keycloak holds, what the stack holds, and whether fields the spec
 * leaves unset keep their live values (an `existing` realm, made by hand: yes; objects `fleet
 * repair` finds that an interrupted update of this stack created: no, they are the stack's own).
 */
export interface Adoption {
  live: LiveIds;
  inState: StateResources;
  keepUnset: boolean;
}

/**
 * A transform for a Realm component. A child whose object Keycloak already has is imported,
 * unless the stack holds it already (stack-state.ts says why that matters). With keepUnset, an
 * imported child, now and on every later update, leaves alone each field its spec does not set:
 * the live value stays, where a new object would get the provider's default.
 */
export function adoptionTransform({ live, inState, keepUnset }: Adoption): pulumi.ResourceTransform {
  return ({ custom, type, name, props, opts }) => {
    if (!custom) return undefined;
    const held = inState.get(stateKey(type, name));
    const id = held ? undefined : live.importId(type, name);
    if (!keepUnset) return id === undefined ? undefined : { props, opts: { ...opts, import: id } };
    if (id === undefined && !held?.imported) return undefined;
    const unset = Object.keys(props).filter((key) => props[key] === undefined);
    const adopted: pulumi.CustomResourceOptions = { ...opts, ignoreChanges: [...(opts.ignoreChanges ?? []), ...unset] };
    return { props, opts: id === undefined ? adopted : { ...adopted, import: id } };
  };
}

/**
 * Reads the import ids of the objects of a live realm, named as the Realm component `name`
 * names its children (see src/realm/*.ts: `<name>/<clientId>`, `<name><group path>`, ...).
 * Users are looked up by the spec's usernames only: a realm may hold millions.
 */
export async function readLiveIds(kc: KcAdminClient, spec: RealmSpec, name: string): Promise<LiveIds> {
  const ids = new LiveIds();
  const realm = spec.realm;
  const live = await kc.realms.findOne({ realm });
  if (!live) return ids;
  kc.setConfig({ realmName: realm });
  ids.set("realm", name, realm);
  ids.realmSettings = live;
  if (live.defaultRole?.id) ids.set("default-roles", `${name}/default-roles`, `${realm}/${live.defaultRole.id}`);
  ids.set("default-groups", `${name}/default-groups`, realm);

  await readClients(kc, ids, realm, name);
  for (const role of await kc.roles.find()) ids.set("role", `${name}/${role.name}`, `${realm}/${role.id}`);
  await readClientScopes(kc, ids, realm, name);
  await readGroups(kc, ids, realm, name);
  await readUsers(kc, ids, spec, name);
  await readIdentityProviders(kc, ids, realm, name);
  await readUserFederation(kc, ids, realm, name);
  for (const action of await kc.authenticationManagement.getRequiredActions())
    ids.set("required-action", `${name}/required-action/${action.alias}`, `${realm}/${action.alias}`);
  await readOtpBrowserFlow(kc, ids, realm, name);
  return ids;
}

async function readClients(kc: KcAdminClient, ids: LiveIds, realm: string, name: string): Promise<void> {
  for (const client of await kc.clients.find()) {
    const { id, clientId } = client as { id: string; clientId: string };
    const own = `${name}/${clientId}`;
    ids.set("client", own, `${realm}/${id}`);
    for (const mapper of client.protocolMappers ?? []) ids.set("protocol-mapper", `${own}/${mapper.name}`, `${realm}/client/${id}/${mapper.id}`);
    for (const role of await kc.clients.listRoles({ id })) ids.set("role", `${own}/${role.name}`, `${realm}/${role.id}`);
    if (client.serviceAccountsEnabled) await readServiceAccountRoles(kc, ids, realm, own, id);
  }
}

async function readServiceAccountRoles(kc: KcAdminClient, ids: LiveIds, realm: string, own: string, id: string): Promise<void> {
  const account = await kc.clients.getServiceAccountUser({ id });
  const mappings = await kc.users.listRoleMappings({ id: account.id! });
  for (const role of mappings.realmMappings ?? [])
    ids.set("service-account-role", `${own}/service-account/${role.name}`, `${realm}/${account.id}/${role.id}`);
  for (const [clientId, { id: clientUuid, mappings: roles }] of Object.entries(mappings.clientMappings ?? {}))
    for (const role of roles ?? [])
      ids.set("service-account-role", `${own}/service-account/${clientId}/${role.name}`, `${realm}/${account.id}/${clientUuid}/${role.id}`);
}

async function readClientScopes(kc: KcAdminClient, ids: LiveIds, realm: string, name: string): Promise<void> {
  for (const scope of await kc.clientScopes.find()) {
    const own = `${name}/scope/${scope.name}`;
    ids.set("client-scope", own, `${realm}/${scope.id}`);
    for (const mapper of scope.protocolMappers ?? []) ids.set("protocol-mapper", `${own}/${mapper.name}`, `${realm}/client-scope/${scope.id}/${mapper.id}`);
  }
}

async function readGroups(kc: KcAdminClient, ids: LiveIds, realm: string, name: string): Promise<void> {
  const visit = async (groups: { id?: string; path?: string; subGroupCount?: number }[]): Promise<void> => {
    for (const group of groups) {
      ids.set("group", `${name}${group.path}`, `${realm}/${group.id}`);
      ids.set("group-roles", `${name}${group.path}/roles`, `${realm}/${group.id}`);
      if (group.subGroupCount !== 0) await visit(await kc.groups.listSubGroups({ parentId: group.id!, max: 1000 }));
    }
  };
  await visit(await kc.groups.find({ max: 10_000 }));
}

async function readUsers(kc: KcAdminClient, ids: LiveIds, spec: RealmSpec, name: string): Promise<void> {
  for (const { username } of spec.users) {
    const [user] = await kc.users.find({ username, exact: true });
    if (!user) continue;
    ids.set("user", `${name}/user/${username}`, `${spec.realm}/${user.id}`);
    ids.set("user-groups", `${name}/user/${username}/groups`, `${spec.realm}/${user.id}`);
  }
}

async function readIdentityProviders(kc: KcAdminClient, ids: LiveIds, realm: string, name: string): Promise<void> {
  for (const { alias } of await kc.identityProviders.find()) {
    const own = `${name}/idp/${alias}`;
    ids.set("identity-provider", own, `${realm}/${alias}`);
    for (const mapper of await kc.identityProviders.findMappers({ alias: alias! }))
      ids.set("identity-provider-mapper", `${own}/${mapper.name}`, `${realm}/${alias}/${mapper.id}`);
  }
}

/** LDAP providers by name; their group mapper is the one the spec's format names "groups". */
async function readUserFederation(kc: KcAdminClient, ids: LiveIds, realm: string, name: string): Promise<void> {
  for (const ldap of await kc.components.find({ type: "org.keycloak.storage.UserStorageProvider" })) {
    if (ldap.providerId !== "ldap") continue;
    const own = `${name}/ldap/${ldap.name}`;
    ids.set("ldap", own, `${realm}/${ldap.id}`);
    const mappers = (await kc.components.find({ parent: ldap.id })).filter((m) => m.providerId === "group-ldap-mapper");
    const groups = mappers.find((m) => m.name === "groups") ?? (mappers.length === 1 ? mappers[0] : undefined);
    if (groups) ids.set("ldap-mapper", `${own}/groups`, `${realm}/${ldap.id}/${groups.id}`);
  }
}

/** The steps of the OTP browser flow (src/realm/authentication.ts), by their place in it. */
const OTP_FLOW_ALIAS = "browser with otp";
const OTP_FLOW_STEPS: Record<string, string> = {
  [`${OTP_FLOW_ALIAS}|auth-cookie`]: "cookie",
  [`${OTP_FLOW_ALIAS}|identity-provider-redirector`]: "idp-redirector",
  [`${OTP_FLOW_ALIAS}|${OTP_FLOW_ALIAS} forms`]: "forms",
  [`${OTP_FLOW_ALIAS} forms|auth-username-password-form`]: "forms/password",
  [`${OTP_FLOW_ALIAS} forms|auth-otp-form`]: "forms/otp",
  [`${OTP_FLOW_ALIAS} forms|${OTP_FLOW_ALIAS} conditional`]: "forms/conditional-otp",
  [`${OTP_FLOW_ALIAS} conditional|conditional-user-role`]: "forms/conditional-otp/role",
  [`${OTP_FLOW_ALIAS} conditional|auth-otp-form`]: "forms/conditional-otp/otp",
};

async function readOtpBrowserFlow(kc: KcAdminClient, ids: LiveIds, realm: string, name: string): Promise<void> {
  const flow = (await kc.authenticationManagement.getFlows()).find((f) => f.alias === OTP_FLOW_ALIAS);
  if (!flow) return;
  const own = `${name}/flow/browser-otp`;
  ids.set("flow", own, `${realm}/${flow.id}`);
  const executions = await kc.authenticationManagement.getExecutions({ flow: OTP_FLOW_ALIAS });
  // The list is flat, depth-first, with a level per step: the parent is the last subflow above.
  const parents: string[] = [OTP_FLOW_ALIAS];
  for (const execution of executions) {
    const level = execution.level ?? 0;
    const parent = parents[level];
    const key = execution.authenticationFlow ? execution.displayName : execution.providerId;
    const step = OTP_FLOW_STEPS[`${parent}|${key}`];
    if (execution.authenticationFlow) parents[level + 1] = execution.displayName!;
    if (!step) continue;
    ids.set("flow-step", `${own}/${step}`, `${realm}/${parent}/${execution.authenticationFlow ? execution.flowId : execution.id}`);
    if (execution.authenticationConfig) ids.set("flow-step-config", `${own}/${step}/config`, `${realm}/${execution.id}/${execution.authenticationConfig}`);
  }
}
