// The peer: OpenTofu with the same upstream terraform-provider-keycloak that the project's plugin
// bridges (both built by `toolchain/setup.sh --bench`; the provider is loaded through
// dev_overrides, so nothing is fetched from a registry), on the same content and Keycloak.
import * as fs from "node:fs";
import * as path from "node:path";
import type { BenchContext, Measurement } from "../measurement";
import { runCommand } from "../process-tree";
import { benchRealm, terraformConfig, type BenchRealm } from "../realm-mix";
import { deleteRealm } from "./keycloak-import";
import { subjectMeasurements, type Subject } from "./subject";

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set; hint: run through npm run bench, whose setup builds OpenTofu and the provider`);
  return value;
}

async function openTofuSubject(context: BenchContext, objects: number): Promise<Subject> {
  const keycloak = await context.keycloak();
  const realm = benchRealm(`bench-tofu-${objects}`, objects);
  const dir = fs.mkdtempSync(path.join(context.workDir, `tofu-${objects}-`));
  const cliConfig = path.join(dir, "tofu.rc");
  fs.writeFileSync(cliConfig, `provider_installation {\n  dev_overrides {\n    "keycloak/keycloak" = "${required("TOFU_KEYCLOAK_PROVIDER_DIR")}"\n  }\n  direct {}\n}\n`);
  const env = { ...process.env, TF_CLI_CONFIG_FILE: cliConfig, TF_IN_AUTOMATION: "1", CHECKPOINT_DISABLE: "1" };
  const tofu = (args: string[], answers?: number[]) => runCommand(required("OPENTOFU"), [...args, "-input=false", "-no-color"], { cwd: dir, env, answers });
  const login = { url: keycloak.url, clientId: keycloak.admin.clientId, clientSecret: keycloak.admin.clientSecret };
  const writeConfig = (r: BenchRealm) => fs.writeFileSync(path.join(dir, "main.tf.json"), JSON.stringify(terraformConfig(r, login), null, 2));
  /** Checks the line tofu ends an apply with. */
  const applied = async (expected: RegExp) => {
    const run = await tofu(["apply", "-auto-approve"]);
    if (!expected.test(run.stdout)) throw new Error(`tofu apply: expected ${expected}, got:\n${run.stdout.split("\n").slice(-5).join("\n")}`);
    return { seconds: run.seconds, peakMiB: run.peakMiB };
  };
  return {
    reset: async () => {
      await deleteRealm(keycloak, realm.realm);
      for (const file of ["terraform.tfstate", "terraform.tfstate.backup"]) fs.rmSync(path.join(dir, file), { force: true });
      writeConfig(realm);
    },
    create: () => applied(/Apply complete! Resources: [1-9]\d* added, 0 changed, 0 destroyed/),
    plan: async (refresh) => {
      // -detailed-exitcode: 0 no changes, 2 changes.
      const run = await tofu(["plan", "-detailed-exitcode", ...(refresh ? [] : ["-refresh=false"])], [2]);
      if (run.code !== 0) throw new Error(`tofu plan found changes on an unchanged realm:\n${run.stdout.slice(-2000)}`);
      return { seconds: run.seconds, peakMiB: run.peakMiB };
    },
    change: (description) => {
      writeConfig({ ...realm, firstRoleDescription: description });
      return applied(/Apply complete! Resources: 0 added, 1 changed, 0 destroyed/);
    },
  };
}

export function openTofuMeasurements(objects: number): Measurement[] {
  return subjectMeasurements(
    "OpenTofu",
    objects,
    {
      "create on an empty realm": "`tofu apply -auto-approve` from an empty state (plan with refresh, then apply)",
      "no change, no refresh": "`tofu plan -refresh=false`",
      "no change, with refresh": "`tofu plan` (reads every object from Keycloak first)",
      "one field changed": "`tofu apply -auto-approve` after one role's description changed (refresh, plan, apply)",
    },
    (context) => openTofuSubject(context, objects),
  );
}
