// keycloak-fleet: config -> platform -> realms -> outputs.
import * as pulumi from "@pulumi/pulumi";
import { loadFleetConfig, programConfigSource } from "./config/load";
import { connectKeycloak } from "./platform";
import { Realm } from "./realm/realm";

const config = loadFleetConfig(programConfigSource());
const keycloak = connectKeycloak(config);
const realms = (keycloak.renderOnly ? [] : config.realms).map(
  ({ spec, declared }) => new Realm(spec.realm, { spec, declared, keycloakUrl: keycloak.url, secrets: config.secretStore }, { provider: keycloak.provider }),
);

export const keycloakUrl = keycloak.url;
export const adminUsername = keycloak.adminUsername;
export const adminPassword = keycloak.adminPassword;
/** Where and as whom the ops commands (users, parity, drift) reach the Admin REST API. */
export const adminUrl = keycloak.adminUrl;
export const adminClientId = keycloak.adminClientId;
export const adminClientSecret = pulumi.secret(keycloak.adminClientSecret);
/** Per realm name: its URL; per clientId the id and secret; per user a generated initial password. */
export const realmOutputs = Object.fromEntries(
  realms.map((realm, i) => [config.realms[i].spec.realm, { url: realm.url, clients: realm.clients, users: realm.users }]),
);
