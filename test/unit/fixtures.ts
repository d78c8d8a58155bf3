import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { loadFleetConfig, type ConfigSource, type FleetConfig } from "../../src/config/load";
import { StackConfig } from "../../src/config/stack";
import { KeycloakCluster } from "../../src/platform/kubernetes";
import { allRegistered, valueOf, type Registration } from "./mocks";

export const FIXTURES = path.join(__dirname, "../fixtures");

/**
 * A stack config as Pulumi hands it to the program: keys without the namespace here, full keys
 * there; structured values as JSON text; `secrets` set as with `pulumi config set --secret`.
 */
export function configSource(plain: Record<string, unknown>, secrets: Record<string, string> = {}, projectDir = FIXTURES): ConfigSource {
  const key = (name: string) => `keycloak-fleet:${name}`;
  const text = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));
  // The permanent administrator talks to Keycloak on a real update, which these mocks are:
  // only test/unit/administrator.test.ts declares it, under preview mocks.
  const withAdministrator = { permanentAdministrator: false, ...plain };
  return {
    stack: "unit",
    projectDir,
    values: Object.fromEntries([...Object.entries(withAdministrator), ...Object.entries(secrets)].filter(([, v]) => v !== undefined).map(([k, v]) => [key(k), text(v)])),
    secretKeys: Object.keys(secrets).map(key),
  };
}

export const unitConfig = (plain: Record<string, unknown>, secrets: Record<string, string> = {}, projectDir = FIXTURES): FleetConfig =>
  loadFleetConfig(configSource(plain, secrets, projectDir));

/**
 * The customTimeouts each resource was registered with, by `<type>::<name>` (empty strings where
 * unset). recordRegistrations() records the other options; install this after it.
 */
export function recordCustomTimeouts(): Map<string, { create: string; update: string; delete: string }> {
  const timeouts = new Map<string, { create: string; update: string; delete: string }>();
  const monitor = pulumi.runtime.getMonitor() as any;
  const registerResource = monitor.registerResource.bind(monitor);
  monitor.registerResource = (request: any, callback: unknown) => {
    const sent = request.getCustomtimeouts();
    timeouts.set(`${request.getType()}::${request.getName()}`, { create: sent?.getCreate() ?? "", update: sent?.getUpdate() ?? "", delete: sent?.getDelete() ?? "" });
    return registerResource(request, callback);
  };
  return timeouts;
}

/** A duration as timeouts and Keycloak options carry it, "720s" -> 720; anything else (such as an unset timeout) fails. */
export function seconds(duration: string | undefined): number {
  const match = /^(\d+)s$/.exec(duration ?? "");
  if (!match) throw new Error(`expected a duration in seconds, got ${JSON.stringify(duration)}`);
  return Number(match[1]);
}

/** Lookups over recorded registrations; `one` names what exists when it finds nothing. */
export function finder(registrations: Registration[]) {
  const ofType = (type: string) => registrations.filter((r) => r.type === type);
  const one = (type: string, name: string): Registration => {
    const found = registrations.find((r) => r.type === type && r.name === name);
    if (!found) throw new Error(`no ${type} named ${name}; have ${ofType(type).map((r) => r.name).join(", ")}`);
    return found;
  };
  return { ofType, one };
}

export const S3_SECRET = "S3-SECRET-ACCESS-KEY";
export const DB_SECRET = "EXTERNAL-DB-PASSWORD";

/** The kubernetes platform's default shape: Traefik, bundled PostgreSQL, a restricted realm, S3 backups. */
export const kubernetesConfig = (): FleetConfig =>
  unitConfig(
    {
      platform: "kubernetes",
      realms: ["realms/valid.yaml"],
      kubernetes: {
        context: "prod-eu",
        hostname: "id.example.com",
        adminHostname: "id-admin.example.com",
        adminAllowlist: ["10.20.0.0/16", "2001:db8:20::/48"],
        realmAllowlists: { fixture: ["192.0.2.0/24"] },
        backup: { schedule: "0 3 * * *", target: { type: "s3", endpoint: "https://s3.example.com", bucket: "kc-backups", accessKeyId: "AKIAEXAMPLE" } },
      },
    },
    { secretSeed: "seed", backupSecretAccessKey: S3_SECRET },
  );

/**
 * A KeycloakCluster from a `keycloak-fleet:kubernetes` section (the minimal fields plus
 * `section`), resolved once every registration has arrived in `sent`.
 */
export async function deployCluster(sent: Registration[], section: Record<string, unknown>): Promise<KeycloakCluster> {
  const { kubernetes } = StackConfig.parse({
    platform: "kubernetes",
    realms: ["realms/valid.yaml"],
    kubernetes: { hostname: "id.example.com", adminHostname: "id-admin.example.com", adminAllowlist: ["10.20.0.0/16"], ...section },
  });
  const cluster = new KeycloakCluster("keycloak", {
    config: kubernetes!,
    adminUsername: "admin",
    adminClientId: "keycloak-fleet",
    databasePassword: pulumi.secret(DB_SECRET),
  });
  await valueOf(cluster.ready);
  await allRegistered(sent);
  return cluster;
}
