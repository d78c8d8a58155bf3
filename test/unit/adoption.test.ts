// Adopting an existing realm (existing: true) manages only the settings its spec file states.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { loadRealmSpecs } from "../../src/config/load";
import { unmanagedRealmInputs } from "../../src/realm/settings";

describe("adopting an existing realm", () => {
  it("records the paths a spec file states, before defaults fill in the rest", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-adoption-"));
    try {
      fs.writeFileSync(path.join(dir, "master.yaml"), "realm: master\nexisting: true\nlogin:\n  rememberMe: true\nclients: []\n");
      const [source] = loadRealmSpecs(dir, ["master.yaml"]);
      expect(source.declared).toEqual(["realm", "existing", "login", "login.rememberMe", "clients"]);
      expect(source.spec.login.userRegistration).toBe(false); // a default, not declared
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("leaves alone every realm input the spec does not state, and inputs no spec key sets", () => {
    const unmanaged = unmanagedRealmInputs(["realm", "existing", "displayName", "login", "login.rememberMe", "tokens", "tokens.accessTokenLifespan"]);
    expect(unmanaged).not.toContain("displayName");
    expect(unmanaged).not.toContain("rememberMe");
    expect(unmanaged).not.toContain("accessTokenLifespan");
    expect(unmanaged).not.toContain("realm");
    expect(unmanaged).toEqual(expect.arrayContaining(["displayNameHtml", "defaultSignatureAlgorithm", "registrationAllowed", "loginTheme", "ssoSessionIdleTimeout", "smtpServer", "otpPolicy"]));
  });
});
