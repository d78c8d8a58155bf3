// keycloak-fleet: config -> platform -> realms -> outputs. Async because adopting an existing
// realm reads what Keycloak already holds before anything is declared (src/realm/adoption.ts).
import * as pulumi from "@pulumi/pulumi";
import { loadFleetConfig, programConfigSource, type RealmSource } from "./config/load";
import { connectKeycloak, runningKeycloakAccess } from "./platform";
import { adminClientFor, type AdminApiAccess } from "./platform/admin-client";
import { LiveIds, readLiveIds } from "./realm/adoption";
import { Realm } from "./realm/realm";
import { readStateResources } from "./realm/stack-state";

export = async function program() {
  const source = programConfigSource();
  const config = loadFleetConfig(source);
  const keycloak = connectKeycloak(config);
  const access = runningKeycloakAccess(config.stack, source.values);
  const declaring = keycloak.renderOnly ? [] : config.realms;
  const inState = declaring.some(({ spec }) => spec.existing) ? await readStateResources() : new Map();
  const realms: Record<string, Realm> = {};
  for (const realm of declaring) {
    const { spec, declared } = realm;
    const adoption = spec.existing ? { live: await liveIds(realm, access), inState } : undefined;
    realms[spec.realm] = new Realm(spec.realm, { spec, declared, adoption, keycloakUrl: keycloak.url, secrets: config.secretStore }, { provider: keycloak.provider });
  }

  return {
    keycloakUrl: keycloak.url,
    adminUsername: keycloak.adminUsername,
    adminPassword: keycloak.adminPassword,
    /** Where and as whom the ops commands (users, parity, drift) reach the Admin REST API. */
    adminUrl: keycloak.adminUrl,
    adminClientId: keycloak.adminClientId,
    adminClientSecret: pulumi.secret(keycloak.adminClientSecret),
    /** Per realm name: its URL; per clientId the id and secret; per user a generated initial password. */
    realmOutputs: Object.fromEntries(Object.entries(realms).map(([name, realm]) => [name, { url: realm.url, clients: realm.clients, users: realm.users }])),
  };
};

/**
 * What Keycloak already holds of an `existing` realm. A Keycloak this update deploys (kubernetes)
 * cannot be read yet: there only the realm itself (master) is taken as existing.
 */
async function liveIds({ spec, file }: RealmSource, access: AdminApiAccess | undefined): Promise<LiveIds> {
  if (!access) return LiveIds.realmOnly(spec.realm);
  try {
    return await readLiveIds(await adminClientFor(access), spec, spec.realm);
  } catch (error) {
    throw new pulumi.RunError(
      `${file}: cannot read realm "${spec.realm}" at ${access.url} to adopt what it holds (existing: true): ${(error as Error).message}\n` +
        "  hint: is Keycloak running, and does the stack's automation client still have the admin role?",
    );
  }
}
