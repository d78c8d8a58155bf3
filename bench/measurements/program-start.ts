// Program start: `pulumi preview` of the smallest stack, one realm spec that names only its realm
// (the stack config requires at least one): the CLI, the engine, the language host, the
// program and the Keycloak provider plugin starting, and one realm to plan. Nothing in state, so
// the refresh Pulumi.yaml asks for has nothing to read.
import { type Measurement, seconds } from "../measurement";
import { benchProject } from "../project";

export const programStart: Measurement = {
  tool: "keycloak-fleet",
  operation: "program start: preview of one empty realm",
  description: "`pulumi preview` (Automation API) of a stack whose only realm spec is `realm: bench-start`, on the run's Keycloak",
  prepare: async (context) => {
    const keycloak = await context.keycloak();
    const { stack } = await benchProject(context.workDir, "start", {
      realms: { "start.yaml": "realm: bench-start\n" },
      // The bench's Keycloak serves several stacks: none of them declares the administrator.
      config: { platform: "local", "local.port": String(keycloak.port), permanentAdministrator: "false" },
      secrets: { adminPassword: keycloak.admin.password, adminClientSecret: keycloak.admin.clientSecret },
    });
    return async () => ({
      seconds: await seconds(async () => {
        const { changeSummary } = await stack.preview();
        if (!changeSummary.create) throw new Error(`the preview should create the realm, got ${JSON.stringify(changeSummary)}`);
      }),
    });
  },
};
