// `drift --stack NAME [--fix]`: what someone changed in Keycloak by hand, or what Keycloak lost,
// read from a refreshed preview and reported by spec names; --fix applies the code again.
// Exit codes as `terraform plan -detailed-exitcode`: 0 no drift, 2 drift, 1 an error.
import type { EngineEvent, OpType, Stack, StepEventMetadata } from "@pulumi/pulumi/automation";
import { stackAdminClient } from "./admin-api";
import { type CommandArgs, stringFlag } from "./command";
import { CommandError, count, progress } from "./console";
import { EngineProgress } from "./engine-progress";
import { changedPaths, driftEntries, type DriftEntry, fieldLabel, formatEntries, PreviewSteps, refOf } from "./drift-report";
import { AdminApiNames } from "./keycloak-names";
import { specName } from "./spec-names";
import { existingStack, projectLocation } from "./workspace";

/** `drift --stack NAME [--fix]`: exit 2 when there is drift (and --fix is not given). */
export async function drift(args: CommandArgs): Promise<number> {
  return driftOf(stackName(args), args.values.fix === true);
}

function stackName(args: CommandArgs): string {
  const name = stringFlag(args, "stack");
  if (!name) throw new CommandError("drift needs the stack to check: --stack NAME", `usage: npm run fleet -- ${args.usage}`);
  return name;
}

const print = (line = "") => process.stdout.write(`${line}\n`);

async function driftOf(name: string, fix: boolean): Promise<number> {
  const stack = await existingStack(projectLocation(name));
  const steps = await refreshedPreview(stack);
  const entries = await driftEntries(steps, new AdminApiNames(() => stackAdminClient(stack)));
  if (entries.length === 0) {
    print(`no drift: the Keycloak of stack ${name} matches the code (${steps.compared} resources compared)`);
    return 0;
  }
  printReport(name, entries);
  if (!fix) {
    print(`To make Keycloak match the code again: npm run fleet -- drift --stack ${name} --fix`);
    return 2;
  }
  await applyCode(stack);
  return 0;
}

function printReport(name: string, entries: DriftEntry[]): void {
  print(`drift: the Keycloak of stack ${name} differs from the code in ${count(entries.length, "resource")}`);
  print();
  for (const line of formatEntries(entries)) print(line);
  print();
}

/** A preview against Keycloak as it is now: every resource read back first (refresh). */
async function refreshedPreview(stack: Stack): Promise<PreviewSteps> {
  const steps = new PreviewSteps();
  const watch = new EngineProgress();
  progress(`reading stack ${stack.name}'s resources back from Keycloak and comparing them with the code (a refreshed preview; this takes a while)`);
  try {
    await stack.preview({
      refresh: true,
      onEvent: (event) => {
        steps.record(event);
        watch.record(event);
      },
    });
  } finally {
    watch.stop();
  }
  return steps;
}

/** What `up` did to a resource, as a person says it. */
const DONE: Partial<Record<OpType, string>> = { create: "created", update: "updated", replace: "replaced", delete: "deleted" };

/** `pulumi up` with a refresh first, one progress line per resource it changes; then what it did. */
async function applyCode(stack: Stack): Promise<void> {
  progress("applying the code (pulumi up, after reading Keycloak again)");
  const watch = new EngineProgress();
  const done: string[] = [];
  const inStateBefore = new Set<string>();
  const onEvent = (event: EngineEvent) => {
    watch.record(event);
    const before = event.resourcePreEvent?.metadata;
    if (before?.op === "refresh") inStateBefore.add(before.urn);
    const step = event.resOutputsEvent?.metadata;
    if (!step || !DONE[step.op] || !(step.new ?? step.old)?.custom) return;
    const line = doneLine(step, inStateBefore.has(step.urn));
    progress(line);
    done.push(line);
  };
  try {
    await stack.up({ refresh: true, onEvent });
  } finally {
    watch.stop();
  }
  print(`fixed: ${count(done.length, "resource")} changed to match the code`);
  for (const line of done) print(`  ${line}`);
}

/** "recreated group /viewer in realm platform", "updated client jupyterhub in realm platform (validRedirectUris)". */
function doneLine(step: StepEventMetadata, wasInState: boolean): string {
  const verb = step.op === "create" && wasInState ? "recreated" : DONE[step.op]!;
  const fields = step.op === "update" || step.op === "replace" ? changedPaths(step).map(fieldLabel) : [];
  return `${verb} ${specName(refOf(step))}${fields.length ? ` (${fields.join(", ")})` : ""}`;
}
