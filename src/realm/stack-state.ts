// The resources the running stack already holds, read from its last checkpoint. Adoption needs
// it: Pulumi imports a resource whenever its `import` id differs from the one in state, so an
// object this stack created itself (in state under Keycloak's bare id) must not be given one, or
// the engine would "import-replace" it and delete it. The program cannot see the state otherwise,
// so it asks the CLI that runs it (`pulumi stack export`, seconds; existing realms only).
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import * as pulumi from "@pulumi/pulumi";

/** Every resource in the stack's state before this update, by `type::name`: whether it was imported. */
export type StateResources = ReadonlyMap<string, { imported: boolean }>;

export const stateKey = (type: string, name: string) => `${type}::${name}`;

export async function readStateResources(): Promise<StateResources> {
  const stack = `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`;
  const { stdout } = await promisify(execFile)("pulumi", ["stack", "export", "--stack", stack], {
    cwd: pulumi.runtime.getRootDirectory(),
    maxBuffer: 1 << 30,
  });
  const resources: { urn: string; importID?: string }[] = JSON.parse(stdout).deployment?.resources ?? [];
  return new Map(resources.map(({ urn, importID }) => [urnKey(urn), { imported: Boolean(importID) }]));
}

/** urn:pulumi:<stack>::<project>::<parent types $ type>::<name> -> type::name */
function urnKey(urn: string): string {
  const [, , qualifiedType, ...name] = urn.split("::");
  return stateKey(qualifiedType.split("$").pop()!, name.join("::"));
}
