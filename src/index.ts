// keycloak-fleet: config -> platform -> realms -> outputs. Async because adopting a realm (an
// existing one, or all of them when `fleet repair` runs the update) reads what Keycloak already
// holds before anything is declared (src/realm/adoption.ts).
import * as pulumi from "@pulumi/pulumi";
import { loadFleetConfig, programConfigSource, type RealmSource } from "./config/load";
import { connectKeycloak, refuseSkippedCheckpoints, runningKeycloakAccess } from "./platform";
import { adminClientFor, type AdminApiAccess } from "./platform/admin-client";
import { ADOPT_LIVE_ENV, LiveIds, readLiveIds } from "./realm/adoption";
import { Realm } from "./realm/realm";
import { readStateResources } from "./realm/stack-state";

// The SDK records a stack trace of every resource it registers and of every promise it tracks,
// formatted through its source-map-support and Node's source maps (tsx registers its own): for a
// realm of 1,000 objects that formatting was half of the program's CPU time, and the positions it
// produced were transpiled ones all the same. V8's own formatting gives the same frames.
delete (Error as { prepareStackTrace?: unknown }).prepareStackTrace;
process.setSourceMapsEnabled(false);

export = async function program() {
  const source = programConfigSource();
  const config = loadFleetConfig(source);
  refuseSkippedCheckpoints(config.stack.platform);
  const keycloak = connectKeycloak(config);
  const access = runningKeycloakAccess(config.stack, source.values);
  const declaring = keycloak.renderOnly ? [] : config.realms;
  const repairing = process.env[ADOPT_LIVE_ENV] === "1";
  const adopts = (spec: RealmSource["spec"]) => spec.existing || repairing;
  const inState = declaring.some(({ spec }) => adopts(spec)) ? await readStateResources() : new Map();
  const realms: Record<string, Realm> = {};
  for (const realm of declaring) {
    const { spec, declared } = realm;
    const adoption = adopts(spec) ? { live: await liveIds(realm, access), inState, keepUnset: spec.existing } : undefined;
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
 * What Keycloak already holds of a realm to adopt. A Keycloak this update deploys (kubernetes)
 * cannot be read yet: there only an `existing` realm itself (master) is taken as existing.
 */
async function liveIds({ spec, file }: RealmSource, access: AdminApiAccess | undefined): Promise<LiveIds> {
  if (!access) return spec.existing ? LiveIds.realmOnly(spec.realm) : new LiveIds();
  try {
    return await readLiveIds(await adminClientFor(access), spec, spec.realm);
  } catch (error) {
    throw new pulumi.RunError(
      `${file}: cannot read realm "${spec.realm}" at ${access.url} to adopt what it holds: ${(error as Error).message}\n` +
        "  hint: is Keycloak running, and does the stack's automation client still have the admin role?",
    );
  }
}
