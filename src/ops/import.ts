// `import`: an existing realm (live on a stack's Keycloak, or a realm export file) written as a
// realm spec of this project, with `existing: true` so the first `up` adopts it. The spec is
// checked by the very code `check` and `pulumi up` run before the command says it is done; what
// the spec format cannot say goes to the report (stderr, and --report FILE), never dropped.
import * as fs from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import { ConfigError, formatProblem } from "../config/errors";
import { loadRealmSpecs } from "../config/validate";
import { type CommandArgs, stringFlag } from "./command";
import { CommandError, progress } from "./console";
import { type ImportResult, specFromSnapshot } from "./import-spec";
import { PROJECT_DIR } from "./project-dir";
import { ExportFormatError, snapshotFromExport } from "./realm-export";
import type { RealmSnapshot } from "./realm-snapshot";

export async function importRealm(args: CommandArgs): Promise<void> {
  const stack = stringFlag(args, "stack");
  const realm = stringFlag(args, "realm");
  const fromFile = stringFlag(args, "from-file");
  if (fromFile && stack) throw new CommandError("--from-file and --stack exclude each other", `usage: npm run fleet -- ${args.usage}`);
  if (!fromFile && (!stack || !realm)) throw new CommandError("give --stack and --realm (a live realm), or --from-file (a realm export)", `usage: npm run fleet -- ${args.usage}`);

  const notes: string[] = [];
  const snapshot = fromFile ? readExport(fromFile, realm, notes) : await readLive(stack!, realm!);
  const out = path.resolve(PROJECT_DIR, stringFlag(args, "out") ?? path.join("stacks", "realms", `${snapshot.realm}.yaml`));
  if (fs.existsSync(out)) throw new CommandError(`${relative(out)} already exists`, "name another file with --out, or move this one away first");

  const result = specFromSnapshot(snapshot);
  const report = [...notes.map((note) => `note: ${note}`), ...result.report];
  writeSpec(out, result, fromFile ?? `realm ${snapshot.realm} of stack ${stack}`);
  validateWritten(out);

  const reportFile = stringFlag(args, "report");
  if (reportFile) fs.writeFileSync(path.resolve(PROJECT_DIR, reportFile), `${report.join("\n")}\n`);
  if (report.length) process.stderr.write(`${report.join("\n")}\n`);
  printSummary(out, result, stack, report.length);
}

async function readLive(stackName: string, realm: string): Promise<RealmSnapshot> {
  // Loaded here, not at the top: --from-file needs neither the Automation API nor the admin client.
  const { stackAdminClient } = require("./admin-api") as typeof import("./admin-api");
  const { existingStack, projectLocation } = require("./workspace") as typeof import("./workspace");
  const { readRealmSnapshot } = require("./realm-snapshot") as typeof import("./realm-snapshot");
  const stack = await existingStack(projectLocation(stackName));
  const kc = await stackAdminClient(stack);
  progress(`reading realm ${realm} from the Keycloak of stack ${stackName}`);
  const snapshot = await readRealmSnapshot(kc, realm);
  if (!snapshot) {
    const realms = (await kc.realms.find()).map((r) => r.realm).join(", ");
    throw new CommandError(`realm ${realm} is not on the Keycloak of stack ${stackName}`, `its realms are ${realms}`);
  }
  return snapshot;
}

function readExport(file: string, realm: string | undefined, notes: string[]): RealmSnapshot {
  const fullPath = path.resolve(process.cwd(), file);
  if (!fs.existsSync(fullPath)) throw new CommandError(`${file} does not exist`, "give the path of a realm export (JSON)");
  let data: unknown;
  try {
    data = JSON.parse(fs.readFileSync(fullPath, "utf8"));
  } catch (error) {
    throw new CommandError(`${file} is not JSON: ${(error as Error).message}`, "kc.sh export and the console's partial export write JSON");
  }
  // kc.sh export --file with several realms writes a list of them.
  const realms = Array.isArray(data) ? data : [data];
  const chosen = realm ? realms.find((r) => (r as { realm?: string })?.realm === realm) : realms.length === 1 ? realms[0] : undefined;
  if (!chosen) {
    const names = realms.map((r) => (r as { realm?: string })?.realm).join(", ");
    throw new CommandError(realm ? `${file} holds no realm ${realm}` : `${file} holds several realms`, `pick one with --realm (it holds ${names})`);
  }
  try {
    progress(`reading realm ${(chosen as { realm: string }).realm} from ${file}`);
    return snapshotFromExport(chosen, notes);
  } catch (error) {
    if (error instanceof ExportFormatError) throw new CommandError(`${file}: ${error.message}`);
    throw error;
  }
}

function writeSpec(out: string, result: ImportResult, source: string): void {
  const header = [
    `# Imported by npm run fleet -- import from ${source}.`,
    "# existing: true adopts the realm and its objects on the first up. Secrets are {config: key}",
    "# references: set each with pulumi config set --secret (import printed the lines).",
  ].join("\n");
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, `${header}\n${stringify(result.spec, { lineWidth: 0 })}`);
}

/** The written file through the loader `check` and `pulumi up` use; a refusal keeps the file aside as <out>.invalid. */
function validateWritten(out: string): void {
  try {
    loadRealmSpecs(path.dirname(out), [path.basename(out)]);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    fs.renameSync(out, `${out}.invalid`);
    throw new CommandError(
      [`the imported spec does not pass validation (kept as ${relative(out)}.invalid):`, ...error.problems.map((p) => `  ${formatProblem(p)}`)].join("\n"),
      "this is a gap in import: report it with the lines above; you can fix the file by hand and rename it",
    );
  }
}

function printSummary(out: string, result: ImportResult, stack: string | undefined, reported: number): void {
  const total = Object.values(result.counts).reduce((a, b) => a + b, 0);
  const parts = Object.entries(result.counts).map(([kind, n]) => `${n} ${kind}`);
  const lines = [`wrote ${relative(out)}: ${total} objects (${parts.join(", ") || "realm settings only"})`];
  lines.push(reported ? `${reported} thing${reported === 1 ? "" : "s"} not written: see the report on stderr` : "everything was written");
  if (result.secrets.length) {
    lines.push("set the secrets it names (their current values; the file holds none):");
    for (const { key, purpose } of result.secrets) lines.push(`  pulumi config set --stack ${stack ?? "<stack>"} --secret ${key} <value>   # ${purpose}`);
  }
  lines.push(`then add ${relative(out)} to the stack's keycloak-fleet:realms and run pulumi up: it adopts the realm`);
  process.stdout.write(`${lines.join("\n")}\n`);
}

const relative = (file: string) => path.relative(PROJECT_DIR, file) || file;
