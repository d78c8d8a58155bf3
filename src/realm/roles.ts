import * as keycloak from "@pulumi/keycloak";
import * as pulumi from "@pulumi/pulumi";
import type { RoleSpec } from "../config/spec/clients";
import type { RoleRefs } from "../config/spec/common";
import type { RealmSpec } from "../config/spec/realm";
import { keycloakSet } from "./keycloak-set";
import type { RealmScope } from "./scope";

/**
 * The roles of a realm by reference: the ones the spec declares (realm roles and client roles)
 * and, looked up on demand, the ones Keycloak creates (offline_access, realm-management roles).
 */
export class RoleIndex {
  private readonly declared = new Map<string, keycloak.Role>();
  /** Built-in roles, looked up once each. */
  private readonly builtIn = new Map<string, pulumi.Output<string>>();
  private readonly specs = new Map<string, { spec: RoleSpec; clientId?: string }>();

  constructor(
    private readonly scope: RealmScope,
    /** Internal ids of the clients, by clientId (declared ones and built-ins on demand). */
    private readonly clientIds: (clientId: string) => pulumi.Output<string>,
    private readonly isDeclaredClient: (clientId: string) => boolean,
  ) {}

  /** Declares every role of the spec, composites after the roles they contain. */
  declareAll(spec: RealmSpec): void {
    spec.roles.forEach((role) => this.specs.set(key(undefined, role.name), { spec: role }));
    spec.clients.forEach((c) => c.roles.forEach((role) => this.specs.set(key(c.clientId, role.name), { spec: role, clientId: c.clientId })));
    for (const k of this.specs.keys()) this.declare(k, new Set());
  }

  /** Role ids for references such as {realm: [a], clients: {grafana: [b]}}. */
  ids(refs: RoleRefs | undefined): pulumi.Output<string>[] {
    if (!refs) return [];
    return [
      ...refs.realm.map((name) => this.id(undefined, name)),
      ...Object.entries(refs.clients).flatMap(([clientId, names]) => names.map((name) => this.id(clientId, name))),
    ];
  }

  /** The resource of a declared role, to depend on it; undefined for built-in roles. */
  resource(clientId: string | undefined, name: string): keycloak.Role | undefined {
    return this.declared.get(key(clientId, name));
  }

  private id(clientId: string | undefined, name: string): pulumi.Output<string> {
    const k = key(clientId, name);
    const role = this.declared.get(k);
    if (role) return role.id;
    if (!this.builtIn.has(k)) {
      const { realm, parent } = this.scope;
      const lookup = clientId === undefined || this.isDeclaredClient(clientId) ? undefined : this.clientIds(clientId);
      this.builtIn.set(k, keycloak.getRoleOutput({ realmId: realm.id, name, clientId: lookup }, { parent }).id);
    }
    return this.builtIn.get(k)!;
  }

  private declare(k: string, visiting: Set<string>): keycloak.Role {
    const existing = this.declared.get(k);
    if (existing) return existing;
    if (visiting.has(k)) throw new Error(`role ${k} contains itself through its composites`);
    visiting.add(k);
    const { spec, clientId } = this.specs.get(k)!;
    for (const inner of refKeys(spec.composites)) if (this.specs.has(inner)) this.declare(inner, visiting);
    const { name, realm, parent } = this.scope;
    const role = new keycloak.Role(
      `${name}/${clientId ? `${clientId}/` : ""}${spec.name}`,
      {
        realmId: realm.id,
        clientId: clientId && this.clientIds(clientId),
        name: spec.name,
        description: spec.description,
        compositeRoles: spec.composites && keycloakSet(this.ids(spec.composites)),
      },
      { parent },
    );
    this.declared.set(k, role);
    return role;
  }
}

const key = (clientId: string | undefined, name: string) => (clientId ? `client:${clientId}:${name}` : `realm:${name}`);

function refKeys(refs: RoleRefs | undefined): string[] {
  if (!refs) return [];
  return [...refs.realm.map((n) => key(undefined, n)), ...Object.entries(refs.clients).flatMap(([c, names]) => names.map((n) => key(c, n)))];
}

/** Roles every user of the realm gets, by name ("offline_access", "grafana/viewer"). */
export function declareDefaultRoles(scope: RealmScope, roles: RoleIndex, refs: RoleRefs | undefined): void {
  if (!refs) return;
  const names = [...refs.realm, ...Object.entries(refs.clients).flatMap(([clientId, rs]) => rs.map((r) => `${clientId}/${r}`))];
  const dependsOn = [
    ...refs.realm.map((r) => roles.resource(undefined, r)),
    ...Object.entries(refs.clients).flatMap(([c, rs]) => rs.map((r) => roles.resource(c, r))),
  ].filter((r): r is keycloak.Role => r !== undefined);
  new keycloak.DefaultRoles(`${scope.name}/default-roles`, { realmId: scope.realm.id, defaultRoles: keycloakSet(names) }, { parent: scope.parent, dependsOn });
}
