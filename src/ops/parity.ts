// parity A B: are two stacks' realms configured alike? Both Keycloaks are read live through the
// Admin API (realm-snapshot.ts), so the answer covers what was changed by hand too, not only what
// the stacks declare. Exit 0: no differences; 2: differences (listed on stdout); 1: an error.
import type { Stack } from "@pulumi/pulumi/automation";
import { ConfigError } from "../config/errors";
import { loadRealmSpecs } from "../config/load";
import { NAMESPACE } from "../config/stack";
import type { AdminApiAccess } from "../platform/admin-client";
import { adminApiAccess, openAdminClient } from "./admin-api";
import { CommandError, progress } from "./console";
import { readRealmSnapshot } from "./realm-snapshot";
import { compareRealm, formatDifference, type Difference } from "./snapshot-diff";
import { existingStack, projectLocation } from "./workspace";

interface Side {
  name: string;
  stack: Stack;
  realms: string[];
}

export async function parity(nameA: string, nameB: string): Promise<number> {
  if (nameA === nameB) throw new CommandError(`parity compares two stacks, got ${nameA} twice`, "usage: npm run fleet -- parity A B");
  const [a, b] = await Promise.all([side(nameA), side(nameB)]);
  refuseDifferentRealms(a, b);
  const [accessA, accessB] = await Promise.all([adminApiAccess(a.stack), adminApiAccess(b.stack)]);

  process.stdout.write(`A = stack ${a.name} (${accessA.url})\nB = stack ${b.name} (${accessB.url})\n`);
  const differences: Difference[] = [];
  for (const realm of a.realms) {
    progress(`reading realm ${realm} on ${a.name} and ${b.name}`);
    const [snapshotA, snapshotB] = await Promise.all([snapshot(accessA, realm), snapshot(accessB, realm)]);
    const found = compareRealm(realm, snapshotA, snapshotB);
    for (const difference of found) process.stdout.write(`${formatDifference(difference)}\n`);
    differences.push(...found);
  }
  const count = differences.length;
  process.stdout.write(count === 0 ? "no differences\n" : `${count} difference${count === 1 ? "" : "s"}\n`);
  return count === 0 ? 0 : 2;
}

async function side(name: string): Promise<Side> {
  const location = projectLocation(name);
  const stack = await existingStack(location);
  return { name, stack, realms: await deployedRealms(stack, location.projectDir) };
}

/** The names of the realms a stack deploys: those of the spec files its config lists. */
async function deployedRealms(stack: Stack, projectDir: string): Promise<string[]> {
  const key = `${NAMESPACE}:realms`;
  const files: unknown = JSON.parse((await stack.getAllConfig())[key]?.value ?? "[]");
  if (!Array.isArray(files) || files.length === 0) throw new CommandError(`stack ${stack.name} lists no realm spec files (${key})`, `pulumi config set --path '${key}[0]' stacks/realms/<realm>.yaml --stack ${stack.name}`);
  try {
    return loadRealmSpecs(projectDir, files as string[]).map(({ spec }) => spec.realm).sort();
  } catch (error) {
    if (error instanceof ConfigError) throw new CommandError(`the realm specs of stack ${stack.name} do not load:\n${error.message}`, `pulumi preview --stack ${stack.name} lists the same problems`);
    throw error;
  }
}

/** Two stacks with different realms are different by design: nothing to compare. */
function refuseDifferentRealms(a: Side, b: Side): void {
  const onlyA = a.realms.filter((realm) => !b.realms.includes(realm));
  const onlyB = b.realms.filter((realm) => !a.realms.includes(realm));
  if (onlyA.length === 0 && onlyB.length === 0) return;
  const only = (side: Side, realms: string[]) => (realms.length ? `only ${side.name} deploys ${realms.join(", ")}` : "");
  throw new CommandError(
    `stacks ${a.name} and ${b.name} deploy different realms (${[only(a, onlyA), only(b, onlyB)].filter(Boolean).join("; ")}); nothing was compared`,
    `parity compares stacks with the same realm list (keycloak-fleet:realms); ${a.name}: ${a.realms.join(", ")}; ${b.name}: ${b.realms.join(", ")}`,
  );
}

/** A fresh login per realm, so that a long comparison never outlives its access token. */
async function snapshot(access: AdminApiAccess, realm: string) {
  return readRealmSnapshot(await openAdminClient(access), realm);
}
