import * as keycloak from "@pulumi/keycloak";
import * as pulumi from "@pulumi/pulumi";
import type { RealmSpec } from "../config/realm-spec";
import { declareClients, type ClientOutputs } from "./clients";
import { declareGroups } from "./groups";
import { realmSettings } from "./settings";

export interface RealmArgs {
  /** The validated realm spec (see src/config/realm-spec.ts). */
  readonly spec: RealmSpec;
  /** Base URL of the Keycloak that serves the realm, for the realm's public URL. */
  readonly keycloakUrl: string;
}

/**
 * One Keycloak realm and everything it holds, declared from a realm spec. Children are named
 * from spec keys (realm name, clientId, group name), never from list positions, so reordering
 * a spec's lists changes nothing.
 */
export class Realm extends pulumi.ComponentResource {
  /** The realm's issuer URL, e.g. http://127.0.0.1:8080/realms/platform. */
  readonly url: pulumi.Output<string>;
  readonly realm: keycloak.Realm;
  /** Per clientId: its id and (for confidential clients) its secret, as a Pulumi secret. */
  readonly clients: Record<string, ClientOutputs>;

  constructor(name: string, args: RealmArgs, opts?: pulumi.ComponentResourceOptions) {
    super("keycloak-fleet:realm:Realm", name, {}, opts);
    const { spec } = args;
    this.realm = new keycloak.Realm(name, realmSettings(spec), { parent: this });
    const scope = { name, realm: this.realm, parent: this };
    this.clients = declareClients(scope, spec.clients);
    declareGroups(scope, spec.groups);
    this.url = pulumi.interpolate`${args.keycloakUrl}/realms/${this.realm.realm}`;
    this.registerOutputs({ url: this.url, clients: this.clients });
  }
}
