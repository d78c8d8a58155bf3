// The permanent administrator: a master-realm user with the `admin` role that the stack declares,
// in place of Keycloak's temporary bootstrap admin. Keycloak 26 marks the accounts its bootstrap
// options create with the attribute `is_temporary_admin`; the admin console shows a warning
// banner to such a user (its whoami answers `temporary: true`) and asks to replace it. The
// platforms this product starts bootstrap only the automation client, so no temporary user exists
// there; one found anyway (a Keycloak bootstrapped before, an external one) is deleted once the
// permanent administrator holds the admin role.
import * as keycloak from "@pulumi/keycloak";
import * as pulumi from "@pulumi/pulumi";
import type UserRepresentation from "@keycloak/keycloak-admin-client/lib/defs/userRepresentation";
import { adminClientFor, type AdminApiAccess } from "./admin-client";

/** The attribute Keycloak sets on the user (and the client) its bootstrap options create. */
export const TEMPORARY_ADMIN_ATTRIBUTE = "is_temporary_admin";

export interface AdministratorArgs {
  username: string;
  /** Set when Keycloak creates the user, never again: a password rotated in the console stays. */
  initialPassword: pulumi.Output<string>;
  provider: keycloak.Provider;
  /** The automation client, for deleting temporary admin users once the administrator exists. */
  access: pulumi.Output<AdminApiAccess>;
  /** What must exist before Keycloak can be asked anything (the deployed cluster). */
  dependsOn?: pulumi.Resource[];
  /** Resolves once Keycloak answers (the cluster's readiness); at once when unset. */
  ready?: pulumi.Output<unknown>;
}

export interface Administrator {
  /** The username, resolved once no temporary admin user is left (known in a preview). */
  username: pulumi.Output<string>;
}

/**
 * Declares the administrator and its admin role. Both outlive the stack (retainOnDelete):
 * destroying the realms must not lock the people out of Keycloak.
 */
export function declareAdministrator(args: AdministratorArgs): Administrator {
  const opts = { provider: args.provider, dependsOn: args.dependsOn, retainOnDelete: true };
  // A temporary user of the same name (a Keycloak bootstrapped with adminUsername before) can only
  // make way first. The realm layer never logs in as a user, so nothing of the product breaks if
  // an update stops in between, and the next `up` creates the administrator.
  // (Derived from the automation client's secret, so unsecret: a username is no secret.)
  const username = pulumi.unsecret(
    pulumi.all([args.access, args.ready]).apply(async ([access]) => {
      await retireTemporaryAdmins(access, (user) => user.username === args.username);
      return args.username;
    }),
  );
  const user = new keycloak.User(
    "administrator",
    { realmId: "master", username, enabled: true, initialPassword: { value: args.initialPassword, temporary: false } },
    // Keycloak applies an initial password at creation only; ignoring it keeps a rotation in the
    // console (or a new secret in config) from ever showing as a change.
    { ...opts, ignoreChanges: ["initialPassword"] },
  );
  const adminRole = keycloak.getRoleOutput({ realmId: "master", name: "admin" }, { provider: args.provider, dependsOn: args.dependsOn });
  const roles = new keycloak.UserRoles(
    "administrator",
    // Not exhaustive: roles someone grants the administrator by hand stay.
    { realmId: "master", userId: user.id, roleIds: [adminRole.id], exhaustive: false },
    opts,
  );
  const retired = pulumi.all([user.id, roles.id, args.access]).apply(([administratorId, , access]) => retireTemporaryAdmins(access, (temporary) => temporary.id !== administratorId));
  return { username: pulumi.unsecret(pulumi.all([retired, user.username]).apply(([, name]) => name)) };
}

/**
 * Deletes the master-realm users Keycloak marked temporary that `which` picks. Runs on each real
 * update (never in a preview); after the administrator holds the admin role it deletes every
 * other one, so an interrupted `up` leaves at worst a temporary user that the next `up` deletes.
 * Returns the usernames deleted.
 */
export async function retireTemporaryAdmins(access: AdminApiAccess, which: (user: UserRepresentation) => boolean): Promise<string[]> {
  if (pulumi.runtime.isDryRun()) return [];
  const kc = await adminClientFor(access);
  const temporary = await kc.users.find({ realm: "master", q: `${TEMPORARY_ADMIN_ATTRIBUTE}:true`, briefRepresentation: false });
  const retired: string[] = [];
  for (const user of temporary) {
    if (!isTemporaryAdmin(user.attributes) || !which(user)) continue;
    await kc.users.del({ realm: "master", id: user.id! });
    pulumi.log.info(`deleted Keycloak's temporary admin user "${user.username}": the permanent administrator replaces it`);
    retired.push(user.username!);
  }
  return retired;
}

/** The search matches attribute values loosely; only the exact marker counts. */
export function isTemporaryAdmin(attributes: Record<string, unknown> | undefined): boolean {
  const value = attributes?.[TEMPORARY_ADMIN_ATTRIBUTE];
  return Array.isArray(value) ? value[0] === "true" : value === "true";
}
