import type * as keycloak from "@pulumi/keycloak";
import type * as pulumi from "@pulumi/pulumi";
import type { SecretStore } from "../config/secrets";

/** What every concern of a realm declares its resources under. */
export interface RealmScope {
  /** The Realm component's name; children are named `<name>/<spec key>`. */
  name: string;
  /** The realm's name in Keycloak (spec `realm`). */
  realmName: string;
  realm: keycloak.Realm;
  parent: pulumi.Resource;
  secrets: SecretStore;
}
