import { z } from "zod";
import { uniqueBy } from "../schema-helpers";
import { Attributes, Name, RoleRefs } from "./common";

export interface GroupSpec {
  name: string;
  attributes?: Record<string, string | string[]>;
  roles?: z.output<typeof RoleRefs>;
  subGroups: GroupSpec[];
}

type GroupInput = Omit<GroupSpec, "subGroups" | "roles"> & { roles?: z.input<typeof RoleRefs>; subGroups?: GroupInput[] };

/** A group, its role mappings and its subgroups (as deep as needed). */
export const GroupSpec: z.ZodType<GroupSpec, GroupInput> = z.lazy(() =>
  z
    .object({
      name: Name("group name"),
      attributes: Attributes.optional(),
      roles: RoleRefs.optional(),
      subGroups: uniqueBy(GroupSpec, (g) => g.name, "subgroup name").default([]),
    })
    .strict(),
);

/** Every group with its path ("/admin", "/admin/platform"), parents first. */
export function flattenGroups(groups: GroupSpec[], parentPath = ""): { path: string; parentPath?: string; group: GroupSpec }[] {
  return groups.flatMap((group) => {
    const path = `${parentPath}/${group.name}`;
    return [{ path, parentPath: parentPath || undefined, group }, ...flattenGroups(group.subGroups, path)];
  });
}

/** Group references may omit the leading slash. */
export function groupPath(reference: string): string {
  return reference.startsWith("/") ? reference : `/${reference}`;
}
