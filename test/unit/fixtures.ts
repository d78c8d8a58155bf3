import * as path from "node:path";
import { loadFleetConfig, type ConfigSource, type FleetConfig } from "../../src/config/load";
import type { Registration } from "./mocks";

export const FIXTURES = path.join(__dirname, "../fixtures");

/**
 * A stack config as Pulumi hands it to the program: keys without the namespace here, full keys
 * there; structured values as JSON text; `secrets` set as with `pulumi config set --secret`.
 */
export function configSource(plain: Record<string, unknown>, secrets: Record<string, string> = {}, projectDir = FIXTURES): ConfigSource {
  const key = (name: string) => `keycloak-fleet:${name}`;
  const text = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));
  return {
    stack: "unit",
    projectDir,
    values: Object.fromEntries([...Object.entries(plain), ...Object.entries(secrets)].filter(([, v]) => v !== undefined).map(([k, v]) => [key(k), text(v)])),
    secretKeys: Object.keys(secrets).map(key),
  };
}

export const unitConfig = (plain: Record<string, unknown>, secrets: Record<string, string> = {}, projectDir = FIXTURES): FleetConfig =>
  loadFleetConfig(configSource(plain, secrets, projectDir));

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
