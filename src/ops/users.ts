// Day-2 users: the people who log in, kept in Keycloak rather than in code. These commands do
// what the admin console would (add, list, disable, reset a password, remove) on one realm of a
// deployed stack, and leave the users that a realm spec declares to Pulumi.
import type UserRepresentation from "@keycloak/keycloak-admin-client/lib/defs/userRepresentation";
import { flattenGroups } from "../config/spec/groups";
import { type CommandArgs, listFlag, stringFlag } from "./command";
import { CommandError, progress } from "./console";
import { allUsers, codeDeclaredUser, federationProviders, findUser, keycloakCall, openStackRealm, type StackRealm } from "./stack-realm";
import { requireSmtp, sendUpdatePasswordEmail, setTemporaryPassword } from "./user-passwords";
import { exportUsers, importUsers } from "./user-transfer";

// The commands, as commands.ts runs them with their parsed flags.

export async function usersAdd(args: CommandArgs): Promise<void> {
  const target = await openTarget(args);
  await addUser(target, {
    username: args.positionals[0].toLowerCase(),
    email: stringFlag(args, "email"),
    firstName: stringFlag(args, "first-name"),
    lastName: stringFlag(args, "last-name"),
    groups: listFlag(args, "group"),
    emailAction: args.values["email-action"] === true,
  });
}
export const usersList = async (args: CommandArgs) => listUsers(await openTarget(args));
export const usersDisable = async (args: CommandArgs) => setEnabled(await openTarget(args), args.positionals[0], false);
export const usersEnable = async (args: CommandArgs) => setEnabled(await openTarget(args), args.positionals[0], true);
export const usersResetPassword = async (args: CommandArgs) => resetPassword(await openTarget(args), args.positionals[0], args.values["email-action"] === true);
export const usersRemove = async (args: CommandArgs) => removeUser(await openTarget(args), args.positionals[0]);
export const usersExport = async (args: CommandArgs) => exportUsers(await openTarget(args), stringFlag(args, "out"));
export const usersImport = (args: CommandArgs) => importUsers(args.positionals[0], () => openTarget(args), args.values["email-action"] === true);

/** The stack and realm the flags name; both flags are required. */
async function openTarget(args: CommandArgs): Promise<StackRealm> {
  const missing = ["stack", "realm"].filter((flag) => !stringFlag(args, flag));
  if (missing.length) throw new CommandError(`${missing.map((f) => `--${f}`).join(" and ")} must be given`, `usage: npm run fleet -- ${args.usage}`);
  return openStackRealm(stringFlag(args, "stack")!, stringFlag(args, "realm")!);
}

// ---- add ----------------------------------------------------------------------------------

interface NewUser {
  username: string;
  email?: string;
  firstName?: string;
  lastName?: string;
  /** Group paths such as /platform-admins or /research/ml (the leading slash may be left out). */
  groups: string[];
  /** Send Keycloak's update-password e-mail instead of printing a temporary password. */
  emailAction: boolean;
}

/**
 * Everything that can be refused is checked before the user is created; if giving it a
 * password then fails (a password policy, an SMTP server that does not answer), the user is
 * deleted again, so a failed add leaves nothing behind.
 */
async function addUser(target: StackRealm, user: NewUser): Promise<void> {
  const { kc, realmName } = target;
  refuseCodeDeclared(target, user.username, "add");
  const existing = await findUser(kc, user.username);
  if (existing)
    throw new CommandError(`user ${user.username} already exists in realm ${realmName}`, `give it a new password with npm run fleet -- users reset-password ${user.username} ${targetFlags(target)}`);
  const groups = await resolveGroups(target, user.groups);
  if (user.emailAction) {
    if (!user.email) throw new CommandError("--email-action needs the user's e-mail address", "give it with --email ADDRESS");
    await requireSmtp(target);
  }

  const { id } = await keycloakCall("create the user", () =>
    kc.users.create({ username: user.username, email: user.email, firstName: user.firstName, lastName: user.lastName, enabled: true, groups }),
  );
  progress(`created ${user.username} in realm ${realmName} of stack ${target.stackName}${groups.length ? ` (groups ${groups.join(", ")})` : ""}`);
  try {
    await givePassword(target, { id, username: user.username, email: user.email }, user.emailAction);
  } catch (error) {
    await kc.users.del({ id });
    progress(`removed ${user.username} again: it could not be given a password`);
    throw error;
  }
}

/** Group paths, normalised to a leading slash; all of them must exist. */
async function resolveGroups({ kc, realmName, source }: StackRealm, references: string[]): Promise<string[]> {
  const paths = [...new Set(references.map((g) => (g.startsWith("/") ? g : `/${g}`)))];
  const unknown: string[] = [];
  for (const path of paths) {
    const group = await kc.realms.getGroupByPath({ realm: realmName, path: path.slice(1) }).catch(() => undefined);
    if (!group) unknown.push(path);
  }
  if (unknown.length) {
    const declared = flattenGroups(source.spec.groups).map((g) => g.path);
    throw new CommandError(
      `realm ${realmName} has no group ${unknown.join(", ")}; nothing was created`,
      declared.length ? `its groups (from ${source.file}) are ${declared.join(", ")}` : `${source.file} declares no groups; add them under groups: and run pulumi up`,
    );
  }
  return paths;
}

/** Either a temporary password printed once on stdout, or the update-password e-mail. */
async function givePassword(target: StackRealm, user: { id: string; username: string; email?: string }, emailAction: boolean): Promise<void> {
  if (!emailAction) return setTemporaryPassword(target, user);
  if (!user.email) throw new CommandError(`${user.username} has no e-mail address, so it cannot be sent the update-password e-mail`, "leave out --email-action for a temporary password");
  await sendUpdatePasswordEmail(target, await requireSmtp(target), { ...user, email: user.email });
}

// ---- list ---------------------------------------------------------------------------------

async function listUsers(target: StackRealm): Promise<void> {
  const { kc } = target;
  const providers = new Map((await federationProviders(kc)).map((p) => [p.id, p.name]));
  const rows: string[][] = [];
  for (const user of await allUsers(kc)) {
    const groups = (await kc.users.listGroups({ id: user.id! })).map((g) => g.path!).sort();
    rows.push([user.username!, user.email ?? "-", user.enabled ? "yes" : "no", groups.join(",") || "-", userSource(target, user, providers)]);
  }
  process.stdout.write(formatTable(["USERNAME", "EMAIL", "ENABLED", "GROUPS", "SOURCE"], rows));
  progress(`${rows.length} user${rows.length === 1 ? "" : "s"} in realm ${target.realmName} of stack ${target.stackName}`);
}

/** Who owns the user: a realm spec ("code"), a federation provider, or nobody but Keycloak ("day-2"). */
function userSource(target: StackRealm, user: UserRepresentation, providers: Map<string, string>): string {
  if (codeDeclaredUser(target, user.username!)) return "code";
  if (user.federationLink) return `federation: ${providers.get(user.federationLink) ?? user.federationLink}`;
  return "day-2";
}

function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [header, ...rows].map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join("  ")).join("\n") + "\n";
}

// ---- disable, enable, reset-password, remove ------------------------------------------------

async function setEnabled(target: StackRealm, username: string, enabled: boolean): Promise<void> {
  const user = await dayTwoUser(target, username, enabled ? "enable" : "disable");
  const verb = enabled ? "enabled" : "disabled";
  if (user.enabled === enabled) {
    progress(`${user.username} is already ${verb}`);
    return;
  }
  await keycloakCall(`${verb.slice(0, -1)} the user`, () => target.kc.users.update({ id: user.id! }, { enabled }));
  // A disabled user's existing sessions would otherwise last until they expire.
  if (!enabled) await target.kc.users.logout({ id: user.id! });
  progress(`${verb} ${user.username} in realm ${target.realmName} of stack ${target.stackName}${enabled ? "" : "; its sessions are ended"}`);
}

async function resetPassword(target: StackRealm, username: string, emailAction: boolean): Promise<void> {
  const user = await dayTwoUser(target, username, "reset-password");
  await givePassword(target, { id: user.id!, username: user.username!, email: user.email }, emailAction);
}

async function removeUser(target: StackRealm, username: string): Promise<void> {
  const user = await dayTwoUser(target, username, "remove");
  await keycloakCall("remove the user", () => target.kc.users.del({ id: user.id! }));
  progress(`removed ${user.username} from realm ${target.realmName} of stack ${target.stackName}`);
}

/** A user that exists and that no realm spec declares. */
async function dayTwoUser(target: StackRealm, username: string, command: string): Promise<UserRepresentation> {
  refuseCodeDeclared(target, username, command);
  const user = await findUser(target.kc, username);
  if (!user)
    throw new CommandError(`realm ${target.realmName} of stack ${target.stackName} has no user ${username}`, `list them with npm run fleet -- users list ${targetFlags(target)}`);
  return user;
}

function refuseCodeDeclared(target: StackRealm, username: string, command: string): void {
  if (!codeDeclaredUser(target, username)) return;
  const { file } = target.source;
  const fix = command === "remove" ? `remove its entry from users: in ${file}` : `edit its entry under users: in ${file}`;
  throw new CommandError(`${username} is declared in code (${file}), so Pulumi owns it; users ${command} leaves it alone`, `${fix} and run pulumi up --stack ${target.stackName}`);
}

const targetFlags = (target: StackRealm) => `--stack ${target.stackName} --realm ${target.realmName}`;
