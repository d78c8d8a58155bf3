// Which project the commands work on. A module of its own so that `check` finds the project
// without loading the Automation API (workspace.ts), which takes seconds.
import * as fs from "node:fs";
import * as path from "node:path";

/**
 * The project the commands work on: like `pulumi`, the nearest directory from the working
 * directory up that holds a Pulumi.yaml; this checkout when there is none.
 */
export const PROJECT_DIR = findProjectDir(process.cwd()) ?? path.resolve(__dirname, "../..");

function findProjectDir(dir: string): string | undefined {
  if (fs.existsSync(path.join(dir, "Pulumi.yaml"))) return dir;
  const parent = path.dirname(dir);
  return parent === dir ? undefined : findProjectDir(parent);
}
