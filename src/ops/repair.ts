// `repair --stack NAME`: after an update that did not finish (pulumi itself killed: kill -9, an
// out-of-memory kill, a lost CI runner; or a request that timed out after Keycloak had done the
// work), put the stack right so that it matches the code again. What such an update leaves,
// Pulumi leaves to the user:
//   - the stack's lock (file backends), which refuses every later update until `pulumi cancel`;
//   - "pending creates": objects whose creation had begun, which Keycloak may have carried out;
//   - objects Keycloak holds that the state does not know, because it was saved before they were
//     made (always so when PULUMI_SKIP_CHECKPOINTS saves it only at the end): the next update
//     would create them again and fail with 409, over and over.
// repair removes a lock only when the process that holds it is gone (same machine), forgets the
// pending operations, and runs the update with every realm adopting what Keycloak already has:
// each declared object is found by the name Keycloak keeps unique (as `existing` realms are
// adopted, src/realm/adoption.ts) and imported instead of created.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { EngineEvent, LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { isAlive } from "../platform/local/process";
import { ADOPT_LIVE_ENV } from "../realm/adoption";
import { type CommandArgs, stringFlag } from "./command";
import { CommandError, count, progress } from "./console";
import { EngineProgress } from "./engine-progress";
import { backendEnv, existingStack, fileBackendDir, projectLocation, type StackLocation } from "./workspace";

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
  resource: { urn: string; type: string };
}

export async function repair(args: CommandArgs): Promise<number> {
  const name = stringFlag(args, "stack");
  if (!name) throw new CommandError("repair needs the stack to repair: --stack NAME", `usage: npm run fleet -- ${args.usage}`);
  const location = projectLocation(name);
  const stack = await existingStack(location);

  print(`repair: stack ${name}`);
  const removed = removeStaleLocks(location);
  for (const lock of removed) print(`  removed the lock of an update that no longer runs (pid ${lock.pid} on ${lock.hostname}, since ${lock.timestamp})`);
  const pending = await pendingOperations(location);
  if (pending.length > 0) {
    progress(`forgetting ${count(pending.length, "interrupted operation")} (pulumi refresh --clear-pending-creates)`);
    await stack.refresh({ clearPendingCreates: true });
    for (const op of pending) print(`  ${kindOf(op.resource.type)} ${resourceName(op.resource.urn)}: interrupted while ${op.type}`);
  }

  progress("running the update, every realm adopting the objects Keycloak already has (this takes a while)");
  const steps = await adoptingUp(stack);
  const imported = steps.filter((s) => s.op === "import");
  const changed = steps.filter((s) => ["create", "update", "delete", "replace"].includes(s.op));
  for (const step of imported) print(`  ${kindOf(step.type)} ${resourceName(step.urn)}: Keycloak already had it: imported into the state`);
  for (const step of changed) print(`  ${kindOf(step.type)} ${resourceName(step.urn)}: ${PAST[step.op]}`);
  print(
    imported.length + changed.length + removed.length + pending.length === 0
      ? `nothing to repair: stack ${name} matches the code`
      : `stack ${name} matches the code again (${count(imported.length, "object")} adopted, ${count(changed.length, "change")} applied)`,
  );
  return 0;
}

const PAST: Record<string, string> = { create: "created", update: "updated", delete: "deleted", replace: "replaced" };

/** `pulumi up` with the program told to adopt (ADOPT_LIVE_ENV); its steps on Keycloak objects. */
async function adoptingUp(stack: Stack): Promise<{ op: string; type: string; urn: string }[]> {
  const workspace = stack.workspace as LocalWorkspace;
  const steps: { op: string; type: string; urn: string }[] = [];
  const watch = new EngineProgress();
  workspace.envVars[ADOPT_LIVE_ENV] = "1";
  try {
    await stack.up({
      onEvent: (event: EngineEvent) => {
        watch.record(event);
        const meta = event.resOutputsEvent?.metadata;
        if (meta?.type.startsWith("keycloak:") && meta.op !== "same" && meta.op !== "refresh") steps.push({ op: meta.op, type: meta.type, urn: meta.urn });
      },
    });
  } catch (error) {
    throw new CommandError(`the update failed:\n${(error as Error).message}`, "fix what it names and run npm run fleet -- repair again; what it adopted stays adopted");
  } finally {
    watch.stop();
    delete workspace.envVars[ADOPT_LIVE_ENV];
  }
  return steps;
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
  const locksDir = path.join(fileBackendDir(location.backendUrl), ".pulumi", "locks");
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

/** The resource's name: the last part of its URN (`platform/grafana`, `platform/admin/roles`). */
const resourceName = (urn: string) => urn.split("::").pop()!;
/** "role" for keycloak:index/role:Role, "client" for keycloak:openid/client:Client. */
const kindOf = (type: string) => type.split(":").pop()!.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
