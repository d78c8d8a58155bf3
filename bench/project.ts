// A throwaway project of this checkout's program, as the e2e harness makes them: a directory of
// its own with the program linked in, realm specs under stacks/, and a stack in a file backend
// under .fleet/ (where the fleet CLI finds it from its working directory).
import * as fs from "node:fs";
import * as path from "node:path";
import type { Stack } from "@pulumi/pulumi/automation";
import { NAMESPACE } from "../src/config/stack";
import { fileBackend, openStack, randomSecret } from "../src/ops/workspace";

export const REPO = path.resolve(__dirname, "..");

export interface BenchProject {
  projectDir: string;
  stack: Stack;
}

export interface BenchProjectOptions {
  /** File names under stacks/, and their YAML. */
  realms: Record<string, string>;
  /** Plain config by key without the namespace ("local.port" sets a path). */
  config: Record<string, string>;
  /** Secret config by key without the namespace; a secretSeed is added. */
  secrets: Record<string, string>;
}

export async function benchProject(workDir: string, stackName: string, { realms, config, secrets }: BenchProjectOptions): Promise<BenchProject> {
  const projectDir = fs.mkdtempSync(path.join(workDir, `${stackName}-`));
  for (const entry of ["Pulumi.yaml", "package.json", "tsconfig.json", "node_modules", "src", "toolchain"])
    fs.symlinkSync(path.join(REPO, entry), path.join(projectDir, entry));
  fs.mkdirSync(path.join(projectDir, "stacks"));
  for (const [file, yaml] of Object.entries(realms)) fs.writeFileSync(path.join(projectDir, "stacks", file), yaml);

  const stack = await openStack({
    projectDir,
    stack: stackName,
    backendUrl: fileBackend(path.join(projectDir, ".fleet", "state")),
    passphraseFile: path.join(projectDir, ".fleet", "passphrase"),
  });
  const key = (name: string) => `${NAMESPACE}:${name}`;
  for (const [name, value] of Object.entries({ secretSeed: randomSecret(), ...secrets })) await stack.setConfig(key(name), { value, secret: true });
  for (const [name, value] of Object.entries(config)) await stack.setConfig(key(name), { value }, true);
  for (const [i, file] of Object.keys(realms).entries()) await stack.setConfig(key(`realms[${i}]`), { value: `stacks/${file}` }, true);
  return { projectDir, stack };
}
