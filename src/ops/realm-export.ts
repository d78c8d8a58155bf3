// A realm export (`kc.sh export`, or the admin console's partial export) as a realm snapshot, the
// shape realm-snapshot.ts reads from a live Keycloak, so that `import` writes one spec from
// either. An export holds ids where the Admin API answers names; they are resolved here.
import {
  secretDigest,
  type ClientSnapshot,
  type ComponentSnapshot,
  type ExecutionSnapshot,
  type Fields,
  type FlowSnapshot,
  type GroupSnapshot,
  type Json,
  type RealmSnapshot,
  type RoleRefs,
  type RoleSnapshot,
} from "./realm-snapshot";

type ExportRole = { name: string; description?: string; composite?: boolean; composites?: { realm?: string[]; client?: { [clientId: string]: string[] } }; attributes?: { [k: string]: string[] } };
type ExportGroup = { name: string; path?: string; attributes?: { [k: string]: string[] }; realmRoles?: string[]; clientRoles?: { [clientId: string]: string[] }; subGroups?: ExportGroup[] };
type ExportComponent = { name?: string; providerId: string; subType?: string; config?: { [k: string]: string[] }; subComponents?: { [type: string]: ExportComponent[] } };
type ExportExecution = { authenticator?: string; authenticatorFlow?: boolean; flowAlias?: string; requirement?: string; priority?: number; authenticatorConfig?: string; userSetupAllowed?: boolean };
type ExportFlow = { alias: string; description?: string; providerId?: string; topLevel?: boolean; builtIn?: boolean; authenticationExecutions?: ExportExecution[] };
type ExportUser = { username?: string; serviceAccountClientId?: string; realmRoles?: string[]; clientRoles?: { [clientId: string]: string[] } };

/** What the converter needs of an export; everything else in it is read as realm fields. */
export type RealmExport = Fields & {
  realm: string;
  roles?: { realm?: ExportRole[]; client?: { [clientId: string]: ExportRole[] } };
  groups?: ExportGroup[];
  defaultRole?: { name?: string };
  defaultGroups?: string[];
  clients?: Fields[];
  clientScopes?: Fields[];
  scopeMappings?: { client?: string; clientScope?: string; roles?: string[] }[];
  clientScopeMappings?: { [clientId: string]: { client?: string; clientScope?: string; roles?: string[] }[] };
  identityProviders?: Fields[];
  identityProviderMappers?: Fields[];
  components?: { [type: string]: ExportComponent[] };
  authenticationFlows?: ExportFlow[];
  authenticatorConfig?: { alias: string; config?: { [k: string]: string } }[];
  requiredActions?: Fields[];
  users?: ExportUser[];
  defaultDefaultClientScopes?: string[];
  defaultOptionalClientScopes?: string[];
  smtpServer?: { [k: string]: string };
  localizationTexts?: { [locale: string]: { [key: string]: string } };
};

/** Why an export cannot be read, in words for the user. */
export class ExportFormatError extends Error {}

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const sorted = (values: Iterable<string>) => [...values].sort(byName);
const USER_STORAGE = "org.keycloak.storage.UserStorageProvider";
const USER_PROFILE = "org.keycloak.userprofile.UserProfileProvider";
const FLOW_BINDINGS = ["browserFlow", "registrationFlow", "directGrantFlow", "resetCredentialsFlow", "clientAuthenticationFlow", "dockerAuthenticationFlow", "firstBrokerLoginFlow"];
/** Realm fields of an export that are sections of the snapshot, or not configuration. */
const NOT_SETTINGS = new Set([
  "id", "realm", "notBefore", "defaultRole", "defaultGroups", "smtpServer", ...FLOW_BINDINGS, "roles", "groups", "users", "clients", "clientScopes", "identityProviders",
  "identityProviderMappers", "components", "authenticationFlows", "authenticatorConfig", "requiredActions", "scopeMappings", "clientScopeMappings",
  "defaultDefaultClientScopes", "defaultOptionalClientScopes", "localizationTexts", "federatedUsers", "keycloakVersion", "clientTemplates", "applications", "oauthClients",
]);
const REALM_SETS = ["supportedLocales", "eventsListeners", "enabledEventTypes", "requiredCredentials"];
const SECRET_COMPONENT_CONFIG = new Set(["bindCredential", "privateKey", "secret", "keystorePassword", "keyPassword"]);

/** Reads an export (parsed JSON) into a snapshot; throws ExportFormatError when it is not a realm export. */
export function snapshotFromExport(data: unknown, notes: string[] = []): RealmSnapshot {
  if (!data || typeof data !== "object" || Array.isArray(data) || typeof (data as Fields).realm !== "string")
    throw new ExportFormatError("the file is not a realm export (no top-level \"realm\" name); kc.sh export --realm NAME and the console's partial export write one");
  const rep = data as RealmExport;
  const defaultRoleName = rep.defaultRole?.name ?? `default-roles-${rep.realm.toLowerCase()}`;
  const realmRoles = rep.roles?.realm ?? [];
  const defaultRole = realmRoles.find((r) => r.name === defaultRoleName);
  const serviceAccounts = new Map((rep.users ?? []).filter((u) => u.serviceAccountClientId).map((u) => [u.serviceAccountClientId!, u]));
  if (!rep.users && (rep.clients ?? []).some((c) => c.serviceAccountsEnabled === true))
    notes.push("the export has no users, so the roles of client service accounts are not in it (a partial export leaves them out); they are not written");

  const settings: Fields = {};
  for (const [key, value] of Object.entries(rep)) {
    if (NOT_SETTINGS.has(key) || key.startsWith("otpPolicy") || key === "otpSupportedApplications" || value === undefined) continue;
    settings[key] = REALM_SETS.includes(key) && Array.isArray(value) ? sorted(value as string[]) : (value as Json);
  }
  const flows = flowSnapshots(rep);
  const components = rep.components ?? {};
  return {
    realm: rep.realm,
    settings,
    smtp: smtp(rep.smtpServer),
    otpPolicy: otpPolicy(rep),
    flowBindings: Object.fromEntries(FLOW_BINDINGS.map((key) => [key, (rep[key] as Json | undefined) ?? null])),
    defaultRoles: refsOf(defaultRole?.composites),
    defaultGroups: sorted(rep.defaultGroups ?? []),
    defaultClientScopes: { default: sorted(rep.defaultDefaultClientScopes ?? []), optional: sorted(rep.defaultOptionalClientScopes ?? []) },
    roles: roleSnapshots(realmRoles.filter((r) => r.name !== defaultRoleName)),
    clients: Object.fromEntries(
      (rep.clients ?? [])
        .map((client) => [client.clientId as string, clientSnapshot(client, rep, serviceAccounts.get(client.clientId as string))] as const)
        .sort(([a], [b]) => byName(a, b)),
    ),
    clientScopes: Object.fromEntries(
      (rep.clientScopes ?? [])
        .map((scope) => {
          const { id: _id, name, protocolMappers, ...fields } = scope;
          return [name as string, { ...fields, protocolMappers: mappersByName(protocolMappers), scopeMappings: scopeMappingsOf(rep, { clientScope: name as string }) }] as const;
        })
        .sort(([a], [b]) => byName(a, b)),
    ),
    groups: Object.fromEntries(flattenGroups(rep.groups ?? []).sort(([a], [b]) => byName(a, b))),
    identityProviders: identityProviders(rep),
    userFederation: Object.fromEntries((components[USER_STORAGE] ?? []).map((c) => [c.name ?? c.providerId, componentSnapshot(c)] as const).sort(([a], [b]) => byName(a, b))),
    components: {},
    authenticationFlows: flows,
    requiredActions: Object.fromEntries((rep.requiredActions ?? []).map(({ alias, ...rest }) => [alias as string, rest as Fields] as const)),
    userProfile: userProfile(components[USER_PROFILE]?.[0]),
    localization: rep.localizationTexts ?? {},
  };
}

function refsOf(composites: ExportRole["composites"] | undefined): RoleRefs {
  const clients = Object.fromEntries(
    Object.entries(composites?.client ?? {})
      .filter(([, names]) => names.length > 0)
      .sort(([a], [b]) => byName(a, b))
      .map(([clientId, names]) => [clientId, sorted(names)]),
  );
  return { realm: sorted(composites?.realm ?? []), clients };
}

function roleSnapshots(roles: ExportRole[]): { [name: string]: RoleSnapshot } {
  return Object.fromEntries(
    roles
      .map((role) => {
        const attributes = Object.fromEntries(Object.entries(role.attributes ?? {}).map(([k, v]) => [k, sorted(v)]));
        return [role.name, { description: role.description || null, attributes, composites: refsOf(role.composites) }] as const;
      })
      .sort(([a], [b]) => byName(a, b)),
  );
}

/** Scope mappings of a client or client scope: realm roles in scopeMappings, client roles in clientScopeMappings. */
function scopeMappingsOf(rep: RealmExport, owner: { client?: string; clientScope?: string }): RoleRefs {
  const matches = (m: { client?: string; clientScope?: string }) => (owner.client ? m.client === owner.client : m.clientScope === owner.clientScope);
  const realm = (rep.scopeMappings ?? []).filter(matches).flatMap((m) => m.roles ?? []);
  const clients: RoleRefs["clients"] = {};
  for (const [clientId, mappings] of Object.entries(rep.clientScopeMappings ?? {})) {
    const roles = mappings.filter(matches).flatMap((m) => m.roles ?? []);
    if (roles.length) clients[clientId] = sorted(roles);
  }
  return { realm: sorted(realm), clients };
}

const NOT_CLIENT_CONFIG = new Set(["id", "access", "notBefore", "registrationAccessToken", "secret", "protocolMappers", "defaultRoles", "authorizationSettings"]);
const CLIENT_SETS = ["redirectUris", "webOrigins", "defaultClientScopes", "optionalClientScopes"];
const GENERATED_CLIENT_ATTRIBUTES = new Set(["client.secret.creation.time", "saml.signing.certificate", "saml.signing.private.key"]);

function clientSnapshot(client: Fields, rep: RealmExport, serviceAccount: ExportUser | undefined): ClientSnapshot {
  const clientId = client.clientId as string;
  const fields: Fields = {};
  for (const [key, value] of Object.entries(client)) {
    if (NOT_CLIENT_CONFIG.has(key) || value === undefined) continue;
    fields[key] = CLIENT_SETS.includes(key) && Array.isArray(value) ? sorted(value as string[]) : value;
  }
  fields.attributes = Object.fromEntries(Object.entries((client.attributes as Fields | undefined) ?? {}).filter(([key]) => !GENERATED_CLIENT_ATTRIBUTES.has(key)));
  const overrides = (client.authenticationFlowBindingOverrides as Fields | undefined) ?? {};
  // An export names override flows by id; the flows carry no ids, so the id is what can be shown.
  fields.authenticationFlowBindingOverrides = overrides;
  const usesSecret = client.protocol !== "saml" && client.publicClient !== true && client.bearerOnly !== true;
  const roles = roleSnapshots(rep.roles?.client?.[clientId] ?? []);
  const serviceAccountRoles =
    client.serviceAccountsEnabled === true && serviceAccount
      ? { realm: sorted(serviceAccount.realmRoles ?? []), clients: Object.fromEntries(Object.entries(serviceAccount.clientRoles ?? {}).map(([k, v]) => [k, sorted(v)]).sort(([a], [b]) => byName(a as string, b as string))) }
      : undefined;
  return {
    ...fields,
    ...(usesSecret && typeof client.secret === "string" ? { secret: secretDigest(client.secret) } : {}),
    protocolMappers: mappersByName(client.protocolMappers),
    roles,
    scopeMappings: scopeMappingsOf(rep, { client: clientId }),
    ...(serviceAccountRoles ? { serviceAccountRoles } : {}),
  };
}

function mappersByName(mappers: Json | undefined): { [name: string]: Fields } {
  const list = (Array.isArray(mappers) ? mappers : []) as Fields[];
  return Object.fromEntries(list.map(({ id: _id, name, ...rest }) => [name as string, rest] as const).sort(([a], [b]) => byName(a, b)));
}

function flattenGroups(groups: ExportGroup[], parent = ""): [string, GroupSnapshot][] {
  return groups.flatMap((group) => {
    const path = group.path ?? `${parent}/${group.name}`;
    const snapshot: GroupSnapshot = {
      attributes: Object.fromEntries(Object.entries(group.attributes ?? {}).map(([k, v]) => [k, sorted(v)])),
      realmRoleMappings: sorted(group.realmRoles ?? []),
      clientRoleMappings: Object.fromEntries(Object.entries(group.clientRoles ?? {}).filter(([, v]) => v.length > 0).map(([k, v]) => [k, sorted(v)])),
    };
    return [[path, snapshot] as [string, GroupSnapshot], ...flattenGroups(group.subGroups ?? [], path)];
  });
}

function identityProviders(rep: RealmExport): RealmSnapshot["identityProviders"] {
  const mappers = rep.identityProviderMappers ?? [];
  return Object.fromEntries(
    (rep.identityProviders ?? [])
      .map((idp) => {
        const { alias, internalId: _internalId, config, ...rest } = idp;
        const values = { ...((config as { [k: string]: string } | undefined) ?? {}) };
        if (values.clientSecret) values.clientSecret = secretDigest(values.clientSecret);
        const own = mappers.filter((m) => m.identityProviderAlias === alias);
        return [alias as string, { ...rest, config: values, mappers: Object.fromEntries(own.map(({ id: _id, name, identityProviderAlias: _a, ...m }) => [name as string, m] as const).sort(([a], [b]) => byName(a, b))) }] as const;
      })
      .sort(([a], [b]) => byName(a, b)),
  );
}

function componentSnapshot(component: ExportComponent): ComponentSnapshot {
  const config = Object.fromEntries(Object.entries(component.config ?? {}).map(([key, values]) => [key, sorted(values.map((v) => (SECRET_COMPONENT_CONFIG.has(key) ? secretDigest(v) : v)))]));
  const children = Object.values(component.subComponents ?? {}).flat();
  return {
    providerId: component.providerId,
    subType: component.subType ?? null,
    config,
    mappers: Object.fromEntries(children.map((c) => [c.name ?? c.providerId, componentSnapshot(c)] as const).sort(([a], [b]) => byName(a, b))),
  };
}

function flowSnapshots(rep: RealmExport): { [alias: string]: FlowSnapshot } {
  const configs = new Map((rep.authenticatorConfig ?? []).map((c) => [c.alias, c.config ?? {}]));
  return Object.fromEntries(
    (rep.authenticationFlows ?? [])
      .map((flow) => {
        const executions: { [key: string]: ExecutionSnapshot } = {};
        const ordered = [...(flow.authenticationExecutions ?? [])].sort((a, b) => (a.priority ?? 0) - (b.priority ?? 0));
        ordered.forEach((execution, position) => {
          const base = execution.flowAlias ?? execution.authenticator ?? "(unknown)";
          let key = base;
          for (let n = 2; key in executions; n++) key = `${base} #${n}`;
          const alias = execution.authenticatorConfig;
          executions[key] = {
            position,
            requirement: execution.requirement ?? null,
            ...(execution.authenticator ? { authenticator: execution.authenticator } : {}),
            ...(execution.flowAlias ? { subflow: execution.flowAlias } : {}),
            ...(alias ? { config: { alias, values: configs.get(alias) ?? {} } } : {}),
          };
        });
        const { alias, authenticationExecutions: _e, ...rest } = flow as ExportFlow & { id?: string };
        delete (rest as { id?: string }).id;
        return [alias, { ...(rest as Fields), executions }] as const;
      })
      .sort(([a], [b]) => byName(a, b)),
  );
}

function smtp(server: { [k: string]: string } | undefined): Fields {
  if (!server) return {};
  const { password, ...rest } = server;
  return password ? { ...rest, password: secretDigest(password) } : rest;
}

function otpPolicy(rep: RealmExport): Fields {
  const policy: Fields = {};
  for (const [key, value] of Object.entries(rep)) {
    if (key.startsWith("otpPolicy")) policy[key.charAt("otpPolicy".length).toLowerCase() + key.slice("otpPolicy".length + 1)] = value as Json;
  }
  policy.supportedApplications = sorted((rep.otpSupportedApplications as string[] | undefined) ?? []);
  return policy;
}

/** The user profile as an export holds it: the JSON of the UserProfileProvider component. */
function userProfile(component: ExportComponent | undefined): RealmSnapshot["userProfile"] {
  const text = component?.config?.["kc.user.profile.config"]?.[0];
  const profile = text ? (JSON.parse(text) as { unmanagedAttributePolicy?: string; attributes?: Fields[]; groups?: Fields[] }) : {};
  const positioned = (items: Fields[] | undefined) =>
    Object.fromEntries((items ?? []).map((item, position) => {
      const { name, ...rest } = item;
      return [name as string, { position, ...rest }];
    }));
  return { unmanagedAttributePolicy: profile.unmanagedAttributePolicy ?? null, attributes: positioned(profile.attributes), groups: positioned(profile.groups) };
}
