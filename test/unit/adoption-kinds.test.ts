// Every resource the Realm component can declare is either imported on adoption or is one of the
// settings-only types the provider cannot import: a new resource type must be placed in one.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { connectKeycloak } from "../../src/platform";
import { adoptableKind, SETTINGS_ONLY_TYPES } from "../../src/realm/adoption";
import { Realm } from "../../src/realm/realm";
import { kitchenSinkSecrets, kitchenSinkSpec } from "../e2e/kitchen-sink";
import { unitConfig } from "./fixtures";
import { allRegistered, recordRegistrations } from "./mocks";

const registrations = recordRegistrations();

describe("adoption covers every resource type of a realm", () => {
  it("knows how to import, or knows it cannot import, each type the kitchen sink declares", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-adoption-kinds-"));
    try {
      fs.writeFileSync(path.join(dir, "sink.yaml"), kitchenSinkSpec);
      const config = unitConfig(
        { platform: "local", realms: ["sink.yaml"], local: { port: 18080 } },
        { adminPassword: "pw", adminClientSecret: "cs", secretSeed: "seed", ...kitchenSinkSecrets },
        dir,
      );
      const keycloak = connectKeycloak(config);
      new Realm("sink", { spec: config.realms[0].spec, keycloakUrl: keycloak.url, secrets: config.secretStore }, { provider: keycloak.provider });
      await allRegistered(registrations);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const types = [...new Set(registrations.map((r) => r.type).filter((t) => t.startsWith("keycloak:")))];
    expect(types.length).toBeGreaterThan(20);
    expect(types.filter((type) => adoptableKind(type) === undefined && !SETTINGS_ONLY_TYPES.includes(type))).toEqual([]);
    expect(types.filter((type) => adoptableKind(type) !== undefined && SETTINGS_ONLY_TYPES.includes(type))).toEqual([]);
  });
});
