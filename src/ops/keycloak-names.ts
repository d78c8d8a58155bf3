// Keycloak's internal ids (UUIDs) turned back into the names people and specs use: role
// mappings and memberships hold ids, reports show "grafana/grafana_editor" and "/admin".
import type KcAdminClient from "@keycloak/keycloak-admin-client";

/** What an id can stand for. */
export type IdKind = "role" | "group" | "client" | "clientScope" | "user";

export interface KeycloakNames {
  /**
   * The name of the object with this id in the realm: a realm role's name, a client role as
   * "<clientId>/<role>", a group's path, a clientId, a scope's name, a username. Any kind when
   * `kind` is undefined; undefined when Keycloak has no such object.
   */
  nameOf(kind: IdKind | undefined, realm: string, id: string): Promise<string | undefined>;
}

const KINDS: IdKind[] = ["role", "group", "client", "clientScope", "user"];

/** Names looked up through the Admin REST API, each id once; logs in on the first lookup only. */
export class AdminApiNames implements KeycloakNames {
  private admin?: Promise<KcAdminClient>;
  private readonly cache = new Map<string, Promise<string | undefined>>();

  constructor(private readonly connect: () => Promise<KcAdminClient>) {}

  nameOf(kind: IdKind | undefined, realm: string, id: string): Promise<string | undefined> {
    const key = `${realm}\n${kind}\n${id}`;
    if (!this.cache.has(key)) this.cache.set(key, kind ? this.lookup(kind, realm, id) : this.anyKind(realm, id));
    return this.cache.get(key)!;
  }

  private async anyKind(realm: string, id: string): Promise<string | undefined> {
    for (const kind of KINDS) {
      const name = await this.nameOf(kind, realm, id);
      if (name !== undefined) return name;
    }
    return undefined;
  }

  private async lookup(kind: IdKind, realm: string, id: string): Promise<string | undefined> {
    const kc = await (this.admin ??= this.connect());
    switch (kind) {
      case "role": {
        const role = await kc.roles.findOneById({ id, realm });
        if (!role?.name) return undefined;
        if (!role.clientRole || !role.containerId) return role.name;
        return `${(await this.nameOf("client", realm, role.containerId)) ?? "(a deleted client)"}/${role.name}`;
      }
      case "group":
        return (await kc.groups.findOne({ id, realm }))?.path;
      case "client":
        return (await kc.clients.findOne({ id, realm }))?.clientId;
      case "clientScope":
        return (await kc.clientScopes.findOne({ id, realm }))?.name;
      case "user":
        return (await kc.users.findOne({ id, realm }))?.username;
    }
  }
}
