// Time to a refusal: a realm spec with one bad field (OTP with 7 digits), refused by `check`
// through npm as a user types it, by the CLI entry without npm, and by `pulumi preview`.
import { execFile } from "node:child_process";
import * as path from "node:path";
import { type BenchContext, type Measurement, seconds } from "../measurement";
import { backendEnv, fileBackend } from "../../src/ops/workspace";
import { benchProject, REPO } from "../project";

const STACK = "refused";
const BAD_SPEC = "realm: refused\nauthentication:\n  otp: { digits: 7 }\n";
/** The problem line every refusal of BAD_SPEC prints. */
const PROBLEM = "stacks/bad.yaml:3: authentication.otp.digits: expected 6 or 8 digits";

/** One project shared by the refusal measurements. */
let project: Promise<string> | undefined;
function refusedProject(context: BenchContext): Promise<string> {
  project ??= benchProject(context.workDir, STACK, {
    realms: { "bad.yaml": BAD_SPEC },
    config: { platform: "local", "local.port": "18080" },
    secrets: { adminPassword: "bench", adminClientSecret: "bench" },
  }).then(({ projectDir }) => projectDir);
  return project;
}

/** Runs a command that must refuse the spec: a failure that prints the problem line. */
function refusal(command: string, args: string[], cwd: string): Promise<void> {
  // What plain `pulumi` needs to find the project's stack in its file backend (check ignores it).
  const env = { ...process.env, ...backendEnv({ projectDir: cwd, backendUrl: fileBackend(path.join(cwd, ".fleet", "state")), passphraseFile: path.join(cwd, ".fleet", "passphrase") }) };
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && `${stdout}${stderr}`.includes(PROBLEM)) resolve();
      else reject(new Error(`${command} ${args.join(" ")} did not refuse the spec as expected (exit ${error?.code ?? 0}):\n${stdout}${stderr}`));
    });
  });
}

function refusalBy(operation: string, description: string, command: (projectDir: string) => [string, string[]]): Measurement {
  return {
    tool: "keycloak-fleet",
    operation,
    description,
    prepare: async (context) => {
      const projectDir = await refusedProject(context);
      const [program, args] = command(projectDir);
      return async () => ({ seconds: await seconds(() => refusal(program, args, projectDir)) });
    },
  };
}

export const refusalMeasurements: Measurement[] = [
  refusalBy("refusal: npm run fleet -- check", "a bad spec refused by `npm run fleet -- check` (npm, toolchain/fleet.sh, node with tsx, cli.ts)", () => [
    "npm",
    ["run", "--silent", "fleet", "--", "check", "--stack", STACK],
  ]),
  refusalBy("refusal: node cli.ts check", "the same, by the command toolchain/fleet.sh runs (node --require tsx/cjs src/ops/cli.ts), without npm", () => [
    process.execPath,
    ["--require", "tsx/cjs", path.join(REPO, "src/ops/cli.ts"), "check", "--stack", STACK],
  ]),
  refusalBy("refusal: pulumi preview", "the same spec refused by the program under `pulumi preview` (CLI, engine, language host, program)", () => [
    "pulumi",
    ["preview", "--stack", STACK, "--non-interactive"],
  ]),
];
