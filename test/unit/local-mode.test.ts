// keycloak-fleet:local.mode: dev (start-dev on H2) or production (kc.sh start on a local
// PostgreSQL); anything else is refused with the stack file, the key, the choices and a hint.
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config/errors";
import { loadFleetConfig } from "../../src/config/load";
import { configSource } from "./fixtures";

const SECRETS = { adminPassword: "p", adminClientSecret: "c", secretSeed: "s" };
const stack = (local: unknown) => configSource({ platform: "local", realms: ["realms/valid.yaml"], local }, SECRETS);

describe("the local platform's mode", () => {
  it.each([
    [{ port: 18080 }, "dev"],
    [{ port: 18080, mode: "dev" }, "dev"],
    [{ port: 18080, mode: "production" }, "production"],
  ])("reads %j as %s mode", (local, mode) => {
    expect(loadFleetConfig(stack(local)).stack.local).toEqual({ port: 18080, mode });
  });

  it.each([["prod"], ["Production"], [true], [""]])("refuses mode %j, naming the choices", (mode) => {
    let refusal: unknown;
    try {
      loadFleetConfig(stack({ port: 18080, mode }));
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(ConfigError);
    expect((refusal as ConfigError).problems).toEqual([
      {
        file: "Pulumi.unit.yaml",
        field: "keycloak-fleet:local.mode",
        message: expect.stringMatching(/^expected "dev" or "production", got .+; hint: dev runs Keycloak's start-dev on its embedded database, production runs kc\.sh start on a local PostgreSQL/),
      },
    ]);
  });
});
