// A realm's configuration as Keycloak holds it, read live through the Admin REST API into plain
// JSON that two Keycloaks with the same declared configuration produce identically: no ids, no
// timestamps, nothing Keycloak generates on its own (keys, certificates); every reference by name
// (role names, group paths, clientIds, flow aliases); lists that are sets sorted; secrets as
// SHA-256 digests. `parity` compares two of them; importing an existing realm into a spec can
// start from one. Users are data, not configuration: they are not part of it.
import { createHash } from "node:crypto";
import type KcAdminClient from "@keycloak/keycloak-admin-client";
import type ClientRepresentation from "@keycloak/keycloak-admin-client/lib/defs/clientRepresentation";
import type ComponentRepresentation from "@keycloak/keycloak-admin-client/lib/defs/componentRepresentation";
import type GroupRepresentation from "@keycloak/keycloak-admin-client/lib/defs/groupRepresentation";
import type MappingsRepresentation from "@keycloak/keycloak-admin-client/lib/defs/mappingsRepresentation";
import type RoleRepresentation from "@keycloak/keycloak-admin-client/lib/defs/roleRepresentation";

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
/** Keycloak's own fields of an object, as its representation names them. */
export type Fields = { [field: string]: Json };

/**
 * Keycloak answers every secret it keeps to itself (identity provider client secrets, LDAP bind
 * credentials, the SMTP password, key material) with this mask.
 */
const KEYCLOAK_MASK = "**********";
/** A secret Keycloak does not disclose: only whether it is set can be compared. */
export const UNDISCLOSED = "(set; not disclosed by Keycloak)";
const DIGEST_PREFIX = "sha256:";

/** A secret as a snapshot keeps it: its SHA-256, or UNDISCLOSED. */
export type SecretDigest = string;

export function secretDigest(value: string): SecretDigest {
  if (value === KEYCLOAK_MASK) return UNDISCLOSED;
  return DIGEST_PREFIX + createHash("sha256").update(value).digest("hex");
}

export function isSecretDigest(value: unknown): value is SecretDigest {
  return typeof value === "string" && (value.startsWith(DIGEST_PREFIX) || value === UNDISCLOSED);
}

/** Roles by reference: realm roles by name, client roles by clientId and name. */
export type RoleRefs = { realm: string[]; clients: { [clientId: string]: string[] } };

export type RoleSnapshot = { description: string | null; attributes: { [name: string]: string[] }; composites: RoleRefs };

/** A client: Keycloak's fields (redirectUris, publicClient, attributes, ...) and what hangs off it. */
export type ClientSnapshot = Fields & {
  /** Confidential OpenID Connect clients only. */
  secret?: SecretDigest;
  protocolMappers: { [name: string]: Fields };
  roles: { [name: string]: RoleSnapshot };
  /** The roles the client's tokens may carry (fullScopeAllowed off). */
  scopeMappings: RoleRefs;
  /** Clients with a service account only. */
  serviceAccountRoles?: RoleRefs;
};

export type ClientScopeSnapshot = Fields & { protocolMappers: { [name: string]: Fields }; scopeMappings: RoleRefs };

export type GroupSnapshot = {
  attributes: { [name: string]: string[] };
  realmRoleMappings: string[];
  clientRoleMappings: { [clientId: string]: string[] };
};

export type IdentityProviderSnapshot = Fields & { mappers: { [name: string]: Fields } };

/** A component (LDAP provider, key provider, ...): its config with secrets digested, and its children. */
export type ComponentSnapshot = { providerId: string; subType: string | null; config: { [key: string]: Json }; mappers: { [name: string]: ComponentSnapshot } };

export type ExecutionSnapshot = Fields & {
  /** Where it runs in its flow, from 0: Keycloak's effective order. */
  position: number;
  /** The authenticator config the execution uses, by alias. */
  config?: { alias: string; values: { [key: string]: string } };
};

export type FlowSnapshot = Fields & {
  /** By authenticator, or by alias for a subflow ("#2" on a repeated authenticator). */
  executions: { [key: string]: ExecutionSnapshot };
};

export type UserProfileSnapshot = {
  unmanagedAttributePolicy: string | null;
  /** Attributes by name, with their position on forms. */
  attributes: { [name: string]: Fields };
  groups: { [name: string]: Fields };
};

export type RealmSnapshot = {
  realm: string;
  /** Login, security, token lifespans, themes, locales, events: the realm's own fields. */
  settings: Fields;
  smtp: Fields;
  otpPolicy: Fields;
  /** Which flow serves browser logins, direct grants, registration, ... by alias. */
  flowBindings: Fields;
  /** Roles every user gets (the composites of default-roles-<realm>). */
  defaultRoles: RoleRefs;
  /** Group paths every new user joins. */
  defaultGroups: string[];
  /** Client scopes new clients get. */
  defaultClientScopes: { default: string[]; optional: string[] };
  /** Realm roles by name (default-roles-<realm> is defaultRoles). */
  roles: { [name: string]: RoleSnapshot };
  clients: { [clientId: string]: ClientSnapshot };
  clientScopes: { [name: string]: ClientScopeSnapshot };
  /** By path ("/admin/platform"), so the tree is in the keys; parents sort before children. */
  groups: { [path: string]: GroupSnapshot };
  identityProviders: { [alias: string]: IdentityProviderSnapshot };
  /** User storage providers (LDAP, Kerberos) by name, with their mappers. */
  userFederation: { [name: string]: ComponentSnapshot };
  /** The realm's other components: key providers, client registration policies. */
  components: { [key: string]: ComponentSnapshot };
  /** Every flow, top-level and subflow, by alias. */
  authenticationFlows: { [alias: string]: FlowSnapshot };
  requiredActions: { [alias: string]: Fields };
  userProfile: UserProfileSnapshot;
  /** Realm-specific message overrides, by locale and key. */
  localization: { [locale: string]: { [key: string]: string } };
};

/** Reads one realm's configuration; undefined when the realm does not exist. */
export async function readRealmSnapshot(kc: KcAdminClient, realm: string): Promise<RealmSnapshot | undefined> {
  const rep = await kc.realms.findOne({ realm });
  if (!rep) return undefined;
  return new RealmReader(kc, realm, rep.id ?? realm).read(rep as Fields);
}

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const sorted = (values: Iterable<string>) => [...values].sort(byName);

/** The object's fields but these. */
function omit(object: object, keys: readonly string[]): Fields {
  const dropped = new Set(keys);
  return Object.fromEntries(Object.entries(object).filter(([key, value]) => !dropped.has(key) && value !== undefined)) as Fields;
}

/** The same fields, with the named lists sorted (they are sets to Keycloak). */
function withSortedSets(fields: Fields, sets: readonly string[]): Fields {
  const result = { ...fields };
  for (const key of sets) if (Array.isArray(result[key])) result[key] = sorted(result[key] as string[]);
  return result;
}

/**
 * Entries keyed by name, sorted by it unless their order means something (then they carry their
 * position); a repeated name gets " #2", " #3", ... in the order Keycloak lists them.
 */
function keyedBy<T, V>(items: T[], key: (item: T) => string, value: (item: T) => V, order: "by name" | "as listed" = "by name"): { [key: string]: V } {
  const entries: [string, V][] = [];
  const taken = new Set<string>();
  for (const item of items) {
    const base = key(item);
    let name = base;
    for (let n = 2; taken.has(name); n++) name = `${base} #${n}`;
    taken.add(name);
    entries.push([name, value(item)]);
  }
  if (order === "by name") entries.sort(([a], [b]) => byName(a, b));
  return Object.fromEntries(entries);
}

/** Reads a paged list to its end. */
async function allPages<T>(page: (first: number, max: number) => Promise<T[]>, size = 100): Promise<T[]> {
  const all: T[] = [];
  for (let first = 0; ; first += size) {
    const items = await page(first, size);
    all.push(...items);
    if (items.length < size) return all;
  }
}

const FLOW_BINDINGS = ["browserFlow", "registrationFlow", "directGrantFlow", "resetCredentialsFlow", "clientAuthenticationFlow", "dockerAuthenticationFlow", "firstBrokerLoginFlow"];
const isOtpPolicyField = (field: string) => field.startsWith("otpPolicy") || field === "otpSupportedApplications";

/** Realm fields that have sections of their own in the snapshot, or are not configuration. */
const NOT_SETTINGS = [
  "id",
  "realm",
  // A timestamp: tokens issued before it are rejected ("revoke" in the console).
  "notBefore",
  "defaultRole",
  "defaultGroups",
  "smtpServer",
  ...FLOW_BINDINGS,
  // Collections, present only in exports.
  ...["roles", "groups", "users", "clients", "clientScopes", "identityProviders", "identityProviderMappers", "components", "authenticationFlows", "authenticatorConfig", "requiredActions", "scopeMappings", "clientScopeMappings", "defaultDefaultClientScopes", "defaultOptionalClientScopes"],
];
/** Sets to Keycloak, or to the provider, which writes the WebAuthn algorithm lists in its own order. */
const REALM_SETS = [
  "supportedLocales", "eventsListeners", "enabledEventTypes", "requiredCredentials",
  "webAuthnPolicySignatureAlgorithms", "webAuthnPolicyPasswordlessSignatureAlgorithms",
];

/**
 * Client fields that are not declared configuration: ids, what the caller may do, a revocation
 * timestamp, the registration token, and the secret (kept as a digest, for the clients that use it).
 */
const NOT_CLIENT_CONFIG = ["id", "access", "notBefore", "registrationAccessToken", "secret", "protocolMappers", "defaultRoles"];
const CLIENT_SETS = ["redirectUris", "webOrigins", "defaultClientScopes", "optionalClientScopes"];
/** Client URLs for which Keycloak treats "" as unset (the provider writes "" where a console leaves none). */
const CLIENT_OPTIONAL_URLS = ["rootUrl", "baseUrl", "adminUrl"];
/**
 * Client attributes Keycloak writes itself: when the secret was set, and the SAML signing key pair
 * it generates for every SAML client (a private key besides: never copied into a snapshot).
 */
const GENERATED_CLIENT_ATTRIBUTES = ["client.secret.creation.time", "saml.signing.certificate", "saml.signing.private.key"];

/** Component config entries that hold secrets (Keycloak masks them; a vault reference it shows). */
const SECRET_COMPONENT_CONFIG = new Set(["bindCredential", "privateKey", "secret", "keystorePassword", "keyPassword"]);

const USER_STORAGE = "org.keycloak.storage.UserStorageProvider";
/** Kept in the snapshot's userProfile section, structured. */
const USER_PROFILE = "org.keycloak.userprofile.UserProfileProvider";

/** Reads the sections of one realm, resolving internal ids to names as it goes. */
class RealmReader {
  /** Internal client id -> clientId, for client roles found by their container. */
  private clientIds = new Map<string, string>();
  /** Internal flow id -> alias, for the flow overrides of clients. */
  private flowAliases = new Map<string, string>();

  constructor(
    private readonly kc: KcAdminClient,
    private readonly realm: string,
    /** The realm's internal id: the container of its roles, the parent of its components. */
    private readonly realmId: string,
  ) {}

  async read(rep: Fields): Promise<RealmSnapshot> {
    const { kc, realm } = this;
    const [clients, flows] = await Promise.all([
      allPages((first, max) => kc.clients.find({ realm, first, max })),
      kc.authenticationManagement.getFlows({ realm }),
    ]);
    for (const client of clients) this.clientIds.set(client.id!, client.clientId!);
    for (const flow of flows) this.flowAliases.set(flow.id!, flow.alias!);

    const defaultRole = rep.defaultRole as RoleRepresentation | undefined;
    const [roles, clientSnapshots, clientScopes, groups, identityProviders, components, authenticationFlows, requiredActions, userProfile, localization, defaultRoles, defaultClientScopes] =
      await Promise.all([
        this.realmRoles(defaultRole?.name),
        this.clients(clients),
        this.clientScopes(),
        this.groups(),
        this.identityProviders(),
        this.components(),
        this.flows(flows),
        this.requiredActions(),
        this.userProfile(),
        this.localization(),
        defaultRole?.id ? this.composites(defaultRole.id) : Promise.resolve(emptyRefs()),
        this.defaultClientScopes(),
      ]);
    return {
      realm,
      settings: withSortedSets(omit(rep, [...NOT_SETTINGS, ...Object.keys(rep).filter(isOtpPolicyField)]), REALM_SETS),
      smtp: smtp(rep.smtpServer as Record<string, string> | undefined),
      otpPolicy: otpPolicy(rep),
      flowBindings: Object.fromEntries(FLOW_BINDINGS.map((key) => [key, rep[key] ?? null])),
      defaultRoles,
      defaultGroups: sorted((rep.defaultGroups as string[] | undefined) ?? []),
      defaultClientScopes,
      roles,
      clients: clientSnapshots,
      clientScopes,
      groups,
      identityProviders,
      userFederation: components.userFederation,
      components: components.others,
      authenticationFlows,
      requiredActions,
      userProfile,
      localization,
    };
  }

  // Roles -----------------------------------------------------------------------------------

  private async realmRoles(defaultRoleName: string | undefined): Promise<{ [name: string]: RoleSnapshot }> {
    const { kc, realm } = this;
    const roles = await allPages((first, max) => kc.roles.find({ realm, first, max, briefRepresentation: false }));
    return this.roleSnapshots(roles.filter((role) => role.name !== defaultRoleName));
  }

  private async roleSnapshots(roles: RoleRepresentation[]): Promise<{ [name: string]: RoleSnapshot }> {
    const snapshots = await Promise.all(roles.map((role) => this.role(role)));
    return keyedBy(snapshots, ([name]) => name, ([, snapshot]) => snapshot);
  }

  private async role(role: RoleRepresentation): Promise<[string, RoleSnapshot]> {
    const composites = role.composite ? await this.composites(role.id!) : emptyRefs();
    return [role.name!, { description: role.description || null, attributes: sortedValues(role.attributes), composites }];
  }

  private async composites(roleId: string): Promise<RoleRefs> {
    const { kc, realm } = this;
    return this.roleRefs(await allPages((first, max) => kc.roles.getCompositeRoles({ realm, id: roleId, first, max })));
  }

  /** Role representations as references: realm roles by name, client roles under their clientId. */
  private roleRefs(roles: RoleRepresentation[]): RoleRefs {
    const refs = emptyRefs();
    for (const role of roles) {
      if (!role.clientRole) refs.realm.push(role.name!);
      else (refs.clients[this.clientIds.get(role.containerId!) ?? role.containerId!] ??= []).push(role.name!);
    }
    return sortedRefs(refs);
  }

  // Clients and client scopes ---------------------------------------------------------------

  private async clients(clients: ClientRepresentation[]): Promise<{ [clientId: string]: ClientSnapshot }> {
    const snapshots = await Promise.all(clients.map(async (client) => [client.clientId!, await this.client(client)] as const));
    return keyedBy(snapshots, ([clientId]) => clientId, ([, snapshot]) => snapshot);
  }

  private async client(client: ClientRepresentation): Promise<ClientSnapshot> {
    const { kc, realm } = this;
    const id = client.id!;
    const [roles, scopeMappings, serviceAccountRoles] = await Promise.all([
      kc.clients.listRoles({ realm, id, briefRepresentation: false } as { realm: string; id: string }).then((r) => this.roleSnapshots(r)),
      kc.clients.listScopeMappings({ realm, id }).then((m) => this.mappingRefs(m)),
      client.serviceAccountsEnabled ? this.serviceAccountRoles(id) : Promise.resolve(undefined),
    ]);
    const unsetUrls = CLIENT_OPTIONAL_URLS.filter((key) => client[key as keyof typeof client] === "");
    const fields = withSortedSets(omit(client, [...NOT_CLIENT_CONFIG, ...unsetUrls]), CLIENT_SETS);
    fields.attributes = omit(client.attributes ?? {}, GENERATED_CLIENT_ATTRIBUTES);
    fields.authenticationFlowBindingOverrides = this.flowOverrides(client.authenticationFlowBindingOverrides);
    return {
      ...fields,
      ...(usesSecret(client) && client.secret ? { secret: secretDigest(client.secret) } : {}),
      protocolMappers: protocolMappers(client.protocolMappers),
      roles,
      scopeMappings,
      ...(serviceAccountRoles ? { serviceAccountRoles } : {}),
    };
  }

  private async serviceAccountRoles(clientId: string): Promise<RoleRefs> {
    const { kc, realm } = this;
    const user = await kc.clients.getServiceAccountUser({ realm, id: clientId });
    return this.mappingRefs(await kc.users.listRoleMappings({ realm, id: user.id! }));
  }

  private mappingRefs(mappings: MappingsRepresentation): RoleRefs {
    const clients: RoleRefs["clients"] = {};
    for (const [clientId, entry] of Object.entries(mappings.clientMappings ?? {}))
      clients[clientId] = ((entry as { mappings?: RoleRepresentation[] }).mappings ?? []).map((role) => role.name!);
    return sortedRefs({ realm: (mappings.realmMappings ?? []).map((role) => role.name!), clients });
  }

  /** Flow overrides point at flow ids; the snapshot names the flows. */
  private flowOverrides(overrides: Record<string, string> | undefined): Fields {
    return Object.fromEntries(Object.entries(overrides ?? {}).map(([binding, flowId]) => [binding, this.flowAliases.get(flowId) ?? flowId]));
  }

  private async clientScopes(): Promise<{ [name: string]: ClientScopeSnapshot }> {
    const { kc, realm } = this;
    const scopes = await kc.clientScopes.find({ realm });
    const snapshots = await Promise.all(
      scopes.map(async (scope) => {
        const scopeMappings = this.mappingRefs(await kc.clientScopes.listScopeMappings({ realm, id: scope.id! }));
        const snapshot: ClientScopeSnapshot = { ...omit(scope, ["id", "name", "protocolMappers"]), protocolMappers: protocolMappers(scope.protocolMappers), scopeMappings };
        return [scope.name!, snapshot] as const;
      }),
    );
    return keyedBy(snapshots, ([name]) => name, ([, snapshot]) => snapshot);
  }

  private async defaultClientScopes(): Promise<RealmSnapshot["defaultClientScopes"]> {
    const { kc, realm } = this;
    const [defaults, optional] = await Promise.all([kc.clientScopes.listDefaultClientScopes(inRealm(realm)), kc.clientScopes.listDefaultOptionalClientScopes(inRealm(realm))]);
    return { default: sorted(defaults.map((s) => s.name!)), optional: sorted(optional.map((s) => s.name!)) };
  }

  // Groups ----------------------------------------------------------------------------------

  private async groups(): Promise<{ [path: string]: GroupSnapshot }> {
    const { kc, realm } = this;
    const top = await allPages((first, max) => kc.groups.find({ realm, first, max, briefRepresentation: false }));
    const all = await this.withSubGroups(top);
    return Object.fromEntries(all.map((group) => [group.path!, groupSnapshot(group)] as const).sort(([a], [b]) => byName(a, b)));
  }

  private async withSubGroups(groups: GroupRepresentation[]): Promise<GroupRepresentation[]> {
    const { kc, realm } = this;
    const nested = await Promise.all(
      groups.map(async (group) => {
        if (!group.subGroupCount) return [group];
        const children = await allPages((first, max) => kc.groups.listSubGroups({ realm, parentId: group.id!, first, max, briefRepresentation: false }));
        return [group, ...(await this.withSubGroups(children))];
      }),
    );
    return nested.flat();
  }

  // Identity providers ----------------------------------------------------------------------

  private async identityProviders(): Promise<{ [alias: string]: IdentityProviderSnapshot }> {
    const { kc, realm } = this;
    const providers = await allPages((first, max) => kc.identityProviders.find({ realm, first, max, briefRepresentation: false } as { realm: string; first: number; max: number }));
    const snapshots = await Promise.all(
      providers.map(async (provider) => {
        const mappers = await kc.identityProviders.findMappers({ realm, alias: provider.alias! });
        const config = { ...(provider.config ?? {}) } as Record<string, string>;
        if (config.clientSecret) config.clientSecret = secretDigest(config.clientSecret);
        const snapshot: IdentityProviderSnapshot = {
          ...omit(provider, ["alias", "internalId", "config"]),
          config,
          mappers: keyedBy(mappers, (m) => m.name!, (m) => omit(m, ["id", "name", "identityProviderAlias"])),
        };
        return [provider.alias!, snapshot] as const;
      }),
    );
    return keyedBy(snapshots, ([alias]) => alias, ([, snapshot]) => snapshot);
  }

  // Components: user federation, keys, client registration policies ----------------------

  private async components(): Promise<{ userFederation: { [name: string]: ComponentSnapshot }; others: { [key: string]: ComponentSnapshot } }> {
    const { kc, realm } = this;
    const all = await kc.components.find({ realm, parent: this.realmId });
    const ofRealm = all.filter((c) => c.parentId === this.realmId && c.providerType !== USER_PROFILE);
    const storage = ofRealm.filter((c) => c.providerType === USER_STORAGE);
    const others = ofRealm.filter((c) => c.providerType !== USER_STORAGE);
    const federation = await Promise.all(storage.map(async (c) => [c.name!, await this.componentWithChildren(c)] as const));
    return {
      userFederation: keyedBy(federation, ([name]) => name, ([, snapshot]) => snapshot),
      others: keyedBy(others, componentKey, (c) => componentSnapshot(c, {})),
    };
  }

  private async componentWithChildren(component: ComponentRepresentation): Promise<ComponentSnapshot> {
    const { kc, realm } = this;
    const children = (await kc.components.find({ realm, parent: component.id! })).filter((c) => c.parentId === component.id);
    return componentSnapshot(component, keyedBy(children, (c) => c.name!, (c) => componentSnapshot(c, {})));
  }

  // Authentication --------------------------------------------------------------------------

  /** Every flow with its executions in order; subflows are found through their top-level flow. */
  private async flows(topLevel: { id?: string; alias?: string }[]): Promise<{ [alias: string]: FlowSnapshot }> {
    const { kc, realm } = this;
    const listings = await Promise.all(topLevel.map((flow) => kc.authenticationManagement.getExecutions({ realm, flow: flow.alias! })));
    const rows = listings.flat();
    const flowIds = [...new Set([...topLevel.map((flow) => flow.id!), ...rows.filter((row) => row.authenticationFlow && row.flowId).map((row) => row.flowId!)])];
    const configIds = [...new Set(rows.filter((row) => row.authenticationConfig).map((row) => row.authenticationConfig!))];
    const [flows, configs] = await Promise.all([
      Promise.all(flowIds.map((flowId) => kc.authenticationManagement.getFlow({ realm, flowId }))),
      Promise.all(configIds.map((id) => kc.authenticationManagement.getConfig({ realm, id }))),
    ]);
    const configByAlias = new Map(configs.map((config) => [config.alias!, (config.config ?? {}) as { [key: string]: string }]));
    const snapshots = flows.map((flow) => {
      const executions = keyedBy(
        (flow.authenticationExecutions ?? []).map((execution, position) => ({ execution, position })),
        ({ execution }) => execution.flowAlias ?? execution.authenticator ?? "(unknown)",
        ({ execution, position }): ExecutionSnapshot => {
          const alias = execution.authenticatorConfig;
          return {
            position,
            ...omit(execution, ["flowAlias", "authenticatorConfig", "priority", "autheticatorFlow", "authenticatorFlow"]),
            ...(execution.flowAlias ? { subflow: execution.flowAlias } : {}),
            ...(alias ? { config: { alias, values: configByAlias.get(alias) ?? {} } } : {}),
          };
        },
        "as listed",
      );
      const snapshot: FlowSnapshot = { ...omit(flow, ["id", "alias", "authenticationExecutions"]), executions };
      return [flow.alias!, snapshot] as const;
    });
    return keyedBy(snapshots, ([alias]) => alias, ([, snapshot]) => snapshot);
  }

  private async requiredActions(): Promise<{ [alias: string]: Fields }> {
    const actions = (await this.kc.authenticationManagement.getRequiredActions(inRealm(this.realm))) as Fields[];
    return keyedBy(actions, (a) => a.alias as string, (a) => omit(a, ["alias"]));
  }

  // User profile and messages ---------------------------------------------------------------

  private async userProfile(): Promise<UserProfileSnapshot> {
    const profile = await this.kc.users.getProfile({ realm: this.realm });
    const positioned = (items: { name?: string }[]) =>
      keyedBy(
        items.map((item, position) => ({ item, position })),
        ({ item }) => item.name!,
        ({ item, position }) => ({ position, ...omit(item, ["name"]) }),
        "as listed",
      );
    return {
      unmanagedAttributePolicy: profile.unmanagedAttributePolicy ?? null,
      attributes: positioned(profile.attributes ?? []),
      groups: positioned(profile.groups ?? []),
    };
  }

  private async localization(): Promise<RealmSnapshot["localization"]> {
    const { kc, realm } = this;
    const locales = await kc.realms.getRealmSpecificLocales({ realm });
    const texts = await Promise.all(sorted(locales).map(async (locale) => [locale, await kc.realms.getRealmLocalizationTexts({ realm, selectedLocale: locale })] as const));
    return Object.fromEntries(texts);
  }
}

/**
 * The payload that points a call at a realm, for the few methods whose types leave out the
 * `realm` every call of the admin client accepts.
 */
const inRealm = (realm: string) => ({ realm }) as unknown as void & { realm?: string };

const emptyRefs = (): RoleRefs => ({ realm: [], clients: {} });

function sortedRefs(refs: RoleRefs): RoleRefs {
  const clients = Object.fromEntries(
    Object.entries(refs.clients)
      .filter(([, names]) => names.length > 0)
      .sort(([a], [b]) => byName(a, b))
      .map(([clientId, names]) => [clientId, sorted(names)]),
  );
  return { realm: sorted(refs.realm), clients };
}

/**
 * Confidential OpenID Connect clients that authenticate with their secret. Keycloak gives every
 * other client one too (SAML, bearer-only, signed-JWT clients), random and never used.
 */
function usesSecret(client: ClientRepresentation): boolean {
  const bySecret = client.clientAuthenticatorType === "client-secret" || client.clientAuthenticatorType === "client-secret-jwt";
  return client.protocol !== "saml" && !client.publicClient && !client.bearerOnly && bySecret;
}

function protocolMappers(mappers: { name?: string }[] | undefined): { [name: string]: Fields } {
  return keyedBy(mappers ?? [], (m) => m.name!, (m) => omit(m, ["id", "name"]));
}

function groupSnapshot(group: GroupRepresentation): GroupSnapshot {
  const clientRoles = Object.entries((group.clientRoles ?? {}) as Record<string, string[]>);
  return {
    attributes: sortedValues(group.attributes),
    realmRoleMappings: sorted(group.realmRoles ?? []),
    clientRoleMappings: Object.fromEntries(clientRoles.filter(([, names]) => names.length > 0).map(([clientId, names]) => [clientId, sorted(names)])),
  };
}

function smtp(server: Record<string, string> | undefined): Fields {
  if (!server) return {};
  const { password, ...rest } = server;
  return password ? { ...rest, password: secretDigest(password) } : rest;
}

/** The otpPolicy* fields of the realm, without the prefix. */
function otpPolicy(rep: Fields): Fields {
  const policy: Fields = {};
  for (const [key, value] of Object.entries(rep)) {
    if (key.startsWith("otpPolicy")) policy[key.charAt("otpPolicy".length).toLowerCase() + key.slice("otpPolicy".length + 1)] = value;
  }
  policy.supportedApplications = sorted((rep.otpSupportedApplications as string[] | undefined) ?? []);
  return policy;
}

/** "KeyProvider rsa-generated", "ClientRegistrationPolicy anonymous Max Clients Limit". */
function componentKey(component: ComponentRepresentation): string {
  const kind = component.providerType?.split(".").pop() ?? "component";
  return [kind, component.subType, component.name ?? component.providerId].filter(Boolean).join(" ");
}

/**
 * Multi-valued config and attributes are sets to Keycloak: it stores one row per value and lists
 * them in no particular order.
 */
function sortedValues(values: { [name: string]: string[] } | undefined): { [name: string]: string[] } {
  return Object.fromEntries(Object.entries(values ?? {}).map(([name, list]) => [name, sorted(list)]));
}

function componentSnapshot(component: ComponentRepresentation, mappers: { [name: string]: ComponentSnapshot }): ComponentSnapshot {
  const config = Object.fromEntries(
    Object.entries(component.config ?? {}).map(([key, values]) => [key, sorted((values as string[]).map((v) => (SECRET_COMPONENT_CONFIG.has(key) || v === KEYCLOAK_MASK ? secretDigest(v) : v)))]),
  );
  return { providerId: component.providerId!, subType: component.subType ?? null, config, mappers };
}
