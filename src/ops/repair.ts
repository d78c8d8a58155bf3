// `repair --stack NAME`: what a `pulumi up` leaves behind when the engine itself dies (kill -9, an
// out-of-memory kill, a lost CI runner), put right so that the next plain `pulumi up` converges.
// Two things remain after such a death, and Pulumi leaves both to the user:
//   - the stack's lock (file backends), which refuses every later update until `pulumi cancel`;
//   - "pending creates": objects whose creation had started. Keycloak may have made them, and
//     the next `up` would then try again and fail with 409, over and over.
// repair removes a lock only when the process that holds it is gone (same machine), imports the
// objects Keycloak did make (found by their names, as adoption finds them) with `pulumi import`,
// and lets `pulumi refresh --clear-pending-creates` forget the ones it never made.
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import type { Stack } from "@pulumi/pulumi/automation";
import { validateFleetConfig } from "../config/validate";
import { runningKeycloakAccess } from "../platform";
import { isAlive } from "../platform/local/process";
import { type LiveIds, readLiveIds } from "../realm/adoption";
import { adminApiAccess, openAdminClient } from "./admin-api";
import { type CommandArgs, stringFlag } from "./command";
import { CommandError, progress } from "./console";
import { backendEnv, existingStack, projectLocation, type StackLocation } from "./workspace";

const run = promisify(execFile);
const print = (line = "") => process.stdout.write(`${line}\n`);

/** A lock file of the stack, as the file backend writes it. */
interface StackLock {
  file: string;
  pid: number;
  hostname: string;
  timestamp: string;
}

/** An operation the engine began and never finished, from the stack's state. */
interface PendingOperation {
  type: string;
  resource: { urn: string; type: string; parent?: string; provider?: string };
}

export async function repair(args: CommandArgs): Promise<number> {
  const name = stringFlag(args, "stack");
  if (!name) throw new CommandError("repair needs the stack to repair: --stack NAME", `usage: npm run fleet -- ${args.usage}`);
  const location = projectLocation(name);
  const stack = await existingStack(location);

  const removed = removeStaleLocks(location);
  const pending = await pendingOperations(location);
  if (removed.length === 0 && pending.length === 0) {
    print(`nothing to repair: stack ${name} has no lock of a stopped update and no interrupted operation`);
    return 0;
  }
  print(`repair: stack ${name}`);
  for (const lock of removed) print(`  removed the lock of an update that no longer runs (pid ${lock.pid} on ${lock.hostname}, since ${lock.timestamp})`);

  const creates = pending.filter((op) => op.type === "creating");
  const live = creates.length ? await liveIdsByRealm(stack, creates) : new Map<string, LiveIds>();
  const imports = creates.flatMap((op) => {
    const id = live.get(realmOf(op))?.importId(op.resource.type, resourceName(op));
    return id ? [{ op, id }] : [];
  });
  if (pending.length > 0) {
    progress(`clearing ${pending.length} interrupted operation${pending.length === 1 ? "" : "s"} from the state (pulumi refresh --clear-pending-creates)`);
    await stack.refresh({ clearPendingCreates: true });
  }
  if (imports.length > 0) {
    progress(`importing ${imports.length} object${imports.length === 1 ? "" : "s"} Keycloak created before the update stopped (pulumi import)`);
    await importObjects(location, imports);
  }
  const imported = new Set(imports.map(({ op }) => op.resource.urn));
  for (const op of pending) {
    const what = `${kindOf(op.resource.type)} ${resourceName(op)}`;
    if (op.type !== "creating") print(`  ${what}: interrupted while ${op.type}; the refresh read it back from Keycloak`);
    else print(`  ${what}: ${imported.has(op.resource.urn) ? "Keycloak had created it: imported into the state" : "Keycloak never created it: forgotten, the next up creates it"}`);
  }
  print(`now run: pulumi up --stack ${name}`);
  return 0;
}

/**
 * Removes the stack's lock files whose process is gone. A lock of a live process, or of another
 * machine (which this command cannot see), is an update that may still run: refused.
 */
function removeStaleLocks(location: StackLocation): StackLock[] {
  if (!location.backendUrl.startsWith("file://")) return [];
  const locks = lockFiles(location);
  const here = os.hostname();
  const held = locks.filter((lock) => lock.hostname !== here || isAlive(lock.pid));
  if (held.length > 0) {
    const [lock] = held;
    throw new CommandError(
      `stack ${location.stack} is locked by an update that may still run (pid ${lock.pid} on ${lock.hostname}, since ${lock.timestamp}); nothing was changed`,
      lock.hostname === here ? "wait for it to finish, or stop it with Ctrl-C" : `if no update runs on ${lock.hostname}, remove the lock with pulumi cancel --stack ${location.stack}, then run repair again`,
    );
  }
  for (const lock of locks) fs.rmSync(lock.file);
  return locks;
}

/** `.pulumi/locks/<organization>/<project>/<stack>/*.json` of a file backend. */
function lockFiles(location: StackLocation): StackLock[] {
  const locksDir = path.join(new URL(location.backendUrl).pathname, ".pulumi", "locks");
  if (!fs.existsSync(locksDir)) return [];
  return fs.readdirSync(locksDir).flatMap((organization) => {
    const dir = path.join(locksDir, organization, projectName(location.projectDir), location.stack);
    if (!fs.existsSync(dir)) return [];
    return fs
      .readdirSync(dir)
      .filter((file) => file.endsWith(".json"))
      .map((file) => ({ file: path.join(dir, file), ...(JSON.parse(fs.readFileSync(path.join(dir, file), "utf8")) as Omit<StackLock, "file">) }));
  });
}

function projectName(projectDir: string): string {
  const name = /^name:\s*(\S+)/m.exec(fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8"))?.[1];
  if (!name) throw new CommandError(`${projectDir}/Pulumi.yaml names no project`, "it needs a name: line");
  return name;
}

/** The stack's pending operations, from `pulumi stack export` (secrets stay encrypted). */
async function pendingOperations(location: StackLocation): Promise<PendingOperation[]> {
  const { stdout } = await run("pulumi", ["stack", "export", "--stack", location.stack], {
    cwd: location.projectDir,
    env: { ...process.env, ...backendEnv(location) },
    maxBuffer: 1 << 30,
  });
  return JSON.parse(stdout).deployment?.pending_operations ?? [];
}

/** What Keycloak holds of each realm that an interrupted create belongs to, read as adoption reads it. */
async function liveIdsByRealm(stack: Stack, creates: PendingOperation[]): Promise<Map<string, LiveIds>> {
  const config = await stack.getAllConfig();
  const values = Object.fromEntries(Object.entries(config).map(([key, { value }]) => [key, value]));
  const secretKeys = Object.entries(config).flatMap(([key, { secret }]) => (secret ? [key] : []));
  const valid = validateFleetConfig({ stack: stack.name, values, secretKeys, projectDir: projectLocation(stack.name).projectDir });
  const access = runningKeycloakAccess(valid.stack, values) ?? (await adminApiAccess(stack));
  const wanted = new Set(creates.map(realmOf));
  const live = new Map<string, LiveIds>();
  for (const { spec } of valid.realms.filter(({ spec }) => wanted.has(spec.realm))) {
    progress(`reading realm ${spec.realm} at ${access.url} for the objects Keycloak created`);
    live.set(spec.realm, await readLiveIds(await openAdminClient(access), spec, spec.realm));
  }
  return live;
}

/** `pulumi import` of objects into the resources the program declares them as (same name, parent, provider). */
async function importObjects(location: StackLocation, imports: { op: PendingOperation; id: string }[]): Promise<void> {
  const nameTable: Record<string, string> = {};
  const alias = (urn: string) => {
    const key = `r${Object.keys(nameTable).length}`;
    const found = Object.entries(nameTable).find(([, value]) => value === urn)?.[0];
    return found ?? ((nameTable[key] = urn), key);
  };
  const resources = imports.map(({ op, id }) => ({
    type: op.resource.type,
    name: resourceName(op),
    id,
    parent: op.resource.parent && alias(op.resource.parent),
    // A provider reference is "<urn>::<id>"; the import file names the provider by its URN.
    provider: op.resource.provider && alias(op.resource.provider.replace(/::[^:]+$/, "")),
  }));
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "fleet-repair-")), "import.json");
  fs.writeFileSync(file, JSON.stringify({ nameTable, resources }, null, 2));
  try {
    await run("pulumi", ["import", "--file", file, "--yes", "--skip-preview", "--non-interactive", "--protect=false", "--generate-code=false", "--stack", location.stack], {
      cwd: location.projectDir,
      env: { ...process.env, ...backendEnv(location) },
      maxBuffer: 1 << 30,
    }).catch((error: { stdout?: string; stderr?: string }) => {
      throw new CommandError(`pulumi import failed:\n${error.stdout ?? ""}${error.stderr ?? ""}`, "run npm run fleet -- repair again; what was imported stays imported");
    });
  } finally {
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
}

/** The resource's name: the last part of its URN (`platform/grafana`, `platform/admin/roles`). */
const resourceName = (op: PendingOperation) => op.resource.urn.split("::").pop()!;
/** The realm a resource belongs to: its Realm component is named after the realm, children after it. */
const realmOf = (op: PendingOperation) => resourceName(op).split("/")[0];
/** "role" for keycloak:index/role:Role, "client" for keycloak:openid/client:Client. */
const kindOf = (type: string) => type.split(":").pop()!.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
