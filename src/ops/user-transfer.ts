// Moving a realm's day-2 users to another stack (a new region, a rebuilt cluster): export writes
// what the Admin API can read of them, referring to everything by name (group paths, role
// names, clientIds, the federation provider's name, identity-provider aliases), never by id,
// since ids differ on every Keycloak. Import recreates them with Keycloak's partial import.
import * as fs from "node:fs";
import type KcAdminClient from "@keycloak/keycloak-admin-client";
import type RealmRepresentation from "@keycloak/keycloak-admin-client/lib/defs/realmRepresentation";
import type UserRepresentation from "@keycloak/keycloak-admin-client/lib/defs/userRepresentation";
import { z } from "zod";
import { CommandError, progress } from "./console";
import { allUsers, codeDeclaredUser, federationProviders, findUser, keycloakCall, type StackRealm } from "./stack-realm";
import { requireSmtp, sendUpdatePasswordEmail } from "./user-passwords";

const FORMAT = "keycloak-fleet/users/v1";

const PASSWORD_NOTE =
  "Passwords are not included: Keycloak's Admin API never returns passwords or their hashes. " +
  "On import, users that had a password and no federation link get the UPDATE_PASSWORD required action " +
  "and need a new password (users reset-password, or users import --email-action); " +
  "users of a federation provider keep checking their password there.";

const ExportedUser = z
  .object({
    username: z.string().min(1),
    email: z.string().optional(),
    firstName: z.string().optional(),
    lastName: z.string().optional(),
    enabled: z.boolean(),
    emailVerified: z.boolean(),
    attributes: z.record(z.string(), z.array(z.string())),
    /** Group paths, such as /research/ml. */
    groups: z.array(z.string()),
    /** Realm roles mapped to the user itself (not through a group). */
    realmRoles: z.array(z.string()),
    /** Client roles mapped to the user itself, per clientId. */
    clientRoles: z.record(z.string(), z.array(z.string())),
    requiredActions: z.array(z.string()),
    /** The name of the user federation provider (LDAP, AD) the user belongs to. */
    federation: z.string().optional(),
    /** Accounts at identity providers (GitHub, an OIDC provider) linked to the user, by the provider's alias. */
    identityProviderLinks: z.array(z.object({ identityProvider: z.string(), userId: z.string(), userName: z.string() }).strict()),
    /** Whether the user had a password; its value cannot be exported. */
    hadPassword: z.boolean(),
  })
  .strict();
type ExportedUser = z.infer<typeof ExportedUser>;

const UsersExport = z
  .object({
    format: z.literal(FORMAT),
    stack: z.string(),
    realm: z.string(),
    exportedAt: z.string(),
    passwords: z.string(),
    /** The realm's default-roles composite, which import maps to the target realm's own. */
    defaultRole: z.string(),
    users: z.array(ExportedUser),
  })
  .strict();
type UsersExport = z.infer<typeof UsersExport>;

// ---- export -------------------------------------------------------------------------------

/** Writes the realm's day-2 users as JSON to `out` (readable by its owner only), or to stdout. */
export async function exportUsers(target: StackRealm, out: string | undefined): Promise<void> {
  const { kc, realmName, stackName } = target;
  const providers = new Map((await federationProviders(kc)).map((p) => [p.id, p.name]));
  const users = await allUsers(kc);
  const declared = users.filter((u) => codeDeclaredUser(target, u.username!));
  const exported: ExportedUser[] = [];
  for (const user of users) if (!declared.includes(user)) exported.push(await exportedUser(kc, user, providers));

  const realm = (await kc.realms.findOne({ realm: realmName }))!;
  const document: UsersExport = {
    format: FORMAT,
    stack: stackName,
    realm: realmName,
    exportedAt: new Date().toISOString(),
    passwords: PASSWORD_NOTE,
    defaultRole: realm.defaultRole?.name ?? `default-roles-${realmName}`,
    users: exported,
  };
  const text = `${JSON.stringify(document, null, 2)}\n`;
  if (out) fs.writeFileSync(out, text, { mode: 0o600 });
  else process.stdout.write(text);

  progress(`exported ${exported.length} user${exported.length === 1 ? "" : "s"} of realm ${realmName} (stack ${stackName})${out ? ` to ${out}` : ""}`);
  if (declared.length) progress(`left out ${declared.length} declared in code (Pulumi creates them on every stack): ${declared.map((u) => u.username).join(", ")}`);
  progress("passwords are not in the export: the Admin API cannot read them (see the file's \"passwords\" note)");
}

async function exportedUser(kc: KcAdminClient, user: UserRepresentation, providers: Map<string, string>): Promise<ExportedUser> {
  const id = user.id!;
  const [groups, roles, credentials, links] = await Promise.all([
    kc.users.listGroups({ id, briefRepresentation: true }),
    kc.users.listRoleMappings({ id }),
    kc.users.getCredentials({ id }),
    kc.users.listFederatedIdentities({ id }),
  ]);
  const federation = user.federationLink && providers.get(user.federationLink);
  if (user.federationLink && !federation) progress(`${user.username} is linked to a federation provider that no longer exists; exported without the link`);
  const clientMappings = (roles.clientMappings ?? {}) as Record<string, { mappings: { name: string }[] }>;
  return {
    username: user.username!,
    email: user.email,
    firstName: user.firstName,
    lastName: user.lastName,
    enabled: user.enabled ?? true,
    emailVerified: user.emailVerified ?? false,
    attributes: user.attributes ?? {},
    groups: groups.map((g) => g.path!).sort(),
    realmRoles: (roles.realmMappings ?? []).map((r) => r.name!).sort(),
    clientRoles: Object.fromEntries(Object.entries(clientMappings).map(([clientId, m]) => [clientId, m.mappings.map((r) => r.name).sort()])),
    requiredActions: [...(user.requiredActions ?? [])].sort(),
    federation: federation || undefined,
    identityProviderLinks: links.map((l) => ({ identityProvider: l.identityProvider!, userId: l.userId!, userName: l.userName! })),
    hadPassword: credentials.some((c) => c.type === "password"),
  };
}

// ---- import -------------------------------------------------------------------------------

interface Outcome {
  imported: ExportedUser[];
  /** Federated users that the target's provider brought in by itself, and what import added to each. */
  completed: { user: ExportedUser; added: string[] }[];
  skipped: { username: string; reason: string }[];
}

/**
 * Creates the users of an export that the target realm lacks. It first checks that the target
 * has everything they refer to (a group, role, client, federation provider, identity provider
 * or user-profile attribute it lacks would make Keycloak refuse, or silently drop, part of a
 * user), and imports nothing if not. Users that code declares on the target, or that exist
 * there, are skipped. Federated users are different: the target's provider brings one in from
 * the directory as soon as Keycloak looks it up, so import adds to it what Keycloak keeps beside
 * the directory (groups, roles, required actions, identity-provider links, attributes).
 */
export async function importUsers(file: string, openTarget: () => Promise<StackRealm>, emailAction: boolean): Promise<void> {
  const document = readExport(file);
  const target = await openTarget();
  const { kc, realmName } = target;
  if (document.realm !== realmName) progress(`importing users of realm ${document.realm} (stack ${document.stack}) into realm ${realmName}`);

  const outcome: Outcome = { imported: [], completed: [], skipped: [] };
  const candidates: ExportedUser[] = [];
  for (const user of document.users) {
    if (codeDeclaredUser(target, user.username)) outcome.skipped.push({ username: user.username, reason: `declared in code (${target.source.file}): Pulumi creates it on this stack` });
    else candidates.push(user);
  }
  // Checked before any user is looked up: a lookup already brings a federated user in.
  const ids = await resolveReferences(target, document, candidates);
  const smtpRealm = emailAction ? await requireSmtp(target) : undefined;

  const create: ExportedUser[] = [];
  for (const user of candidates) {
    const existing = await findUser(kc, user.username);
    const providerId = user.federation && ids.federation.get(user.federation);
    if (existing && providerId && existing.federationLink === providerId) {
      const added = await completeFederatedUser(target, user, existing, document, ids);
      if (added.length) outcome.completed.push({ user, added });
      else outcome.skipped.push({ username: user.username, reason: "already exists" });
    } else if (existing) outcome.skipped.push({ username: user.username, reason: "already exists" });
    else if (user.federation) outcome.skipped.push({ username: user.username, reason: `federation provider ${user.federation} of this stack does not know it` });
    else {
      const owner = user.email && !ids.duplicateEmailsAllowed ? (await kc.users.find({ email: user.email, exact: true }))[0] : undefined;
      // Keycloak's partial import fails outright on a second user with the same address.
      if (owner) outcome.skipped.push({ username: user.username, reason: `its e-mail address belongs to ${owner.username}` });
      else create.push(user);
    }
  }
  outcome.imported = await createUsers(target, create, document, ids, outcome);
  process.stdout.write(`${(await summary(target, document, outcome, smtpRealm)).join("\n")}\n`);
}

/** Creates the users with one partial import; returns those Keycloak added. */
async function createUsers(target: StackRealm, users: ExportedUser[], document: UsersExport, ids: TargetIds, outcome: Outcome): Promise<ExportedUser[]> {
  if (!users.length) return [];
  const response = await keycloakCall("import the users", () =>
    target.kc.realms.partialImport({ realm: target.realmName, rep: { ifResourceExists: "SKIP", users: users.map((u) => representation(u, document, ids)) } }),
  );
  const added = new Set(response.results.filter((r) => r.action === "ADDED").map((r) => r.resourceName));
  // Created by someone else between the lookup and the import: Keycloak skipped them.
  for (const user of users) if (!added.has(user.username)) outcome.skipped.push({ username: user.username, reason: "already exists" });
  return users.filter((u) => added.has(u.username));
}

async function summary(target: StackRealm, document: UsersExport, outcome: Outcome, smtpRealm: RealmRepresentation | undefined): Promise<string[]> {
  const { imported, completed, skipped } = outcome;
  const names = (users: { username: string }[]) => users.map((u) => u.username).join(", ");
  const lines = [`imported ${imported.length} of ${document.users.length} users into realm ${target.realmName} of stack ${target.stackName}${imported.length ? `: ${names(imported)}` : ""}`];
  if (completed.length)
    lines.push(
      `completed ${completed.length} that their federation provider brought in by itself (their passwords stay in the directory):`,
      ...completed.map(({ user, added }) => `  ${user.username} (${user.federation}): added ${added.join(", ")}`),
    );
  if (skipped.length) lines.push(`skipped ${skipped.length}:`, ...skipped.map((s) => `  ${s.username}: ${s.reason}`));
  lines.push(...(await passwordReport(target, imported, smtpRealm)));
  return lines;
}

function readExport(file: string): UsersExport {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (error) {
    throw new CommandError(`cannot read ${file}: ${(error as Error).message}`, "give the file that npm run fleet -- users export wrote");
  }
  const result = UsersExport.safeParse(parsed);
  if (!result.success) {
    const problems = result.error.issues.slice(0, 5).map((i) => `${i.path.join(".") || "(top level)"}: ${i.message}`);
    throw new CommandError(`${file} is not a users export of keycloak-fleet (${FORMAT}): ${problems.join("; ")}`, "give the file that npm run fleet -- users export wrote");
  }
  return result.data;
}

interface TargetIds {
  defaultRole: string;
  duplicateEmailsAllowed: boolean;
  /** Federation provider name -> the target realm's component id. */
  federation: Map<string, string>;
}

/**
 * Checks that the target realm has everything the users refer to, and returns the target's
 * ids for what the export names. Lists every missing thing at once.
 */
async function resolveReferences(target: StackRealm, document: UsersExport, users: ExportedUser[]): Promise<TargetIds> {
  const { kc, realmName, stackName } = target;
  const realm = (await kc.realms.findOne({ realm: realmName }))!;
  const ids: TargetIds = {
    defaultRole: realm.defaultRole!.name!,
    duplicateEmailsAllowed: realm.duplicateEmailsAllowed ?? false,
    federation: new Map((await federationProviders(kc)).map((p) => [p.name, p.id])),
  };

  const found = new Map<string, boolean>();
  const missing = new Map<string, string[]>();
  const need = async (what: string, exists: () => Promise<unknown>, username: string) => {
    if (!found.has(what)) found.set(what, Boolean(await exists().catch(() => undefined)));
    if (!found.get(what)) missing.set(what, [...(missing.get(what) ?? []), username]);
  };
  const profile = await kc.users.getProfile({ realm: realmName });
  const profileAttributes = new Set((profile.attributes ?? []).map((a) => a.name));
  const keepsUnmanaged = (profile.unmanagedAttributePolicy ?? "DISABLED") !== "DISABLED";
  const clientIds = new Map<string, string | undefined>();
  const clientId = async (name: string) => {
    if (!clientIds.has(name)) clientIds.set(name, (await kc.clients.find({ clientId: name }))[0]?.id);
    return clientIds.get(name);
  };

  for (const user of users) {
    const name = user.username;
    for (const path of user.groups) await need(`group ${path}`, () => kc.realms.getGroupByPath({ realm: realmName, path: path.slice(1) }), name);
    for (const role of user.realmRoles)
      if (role !== document.defaultRole) await need(`realm role ${role}`, () => kc.roles.findOneByName({ name: role }), name);
    for (const [client, roles] of Object.entries(user.clientRoles))
      for (const role of roles)
        await need(`role ${role} of client ${client}`, async () => {
          const id = await clientId(client);
          return id && kc.clients.findRole({ id, roleName: role });
        }, name);
    if (user.federation) await need(`federation provider ${user.federation}`, async () => ids.federation.get(user.federation!), name);
    for (const link of user.identityProviderLinks)
      await need(`identity provider ${link.identityProvider}`, () => kc.identityProviders.findOne({ alias: link.identityProvider }), name);
    // A federation provider supplies its users' attributes; Keycloak keeps the others only if the profile declares them.
    if (!user.federation && !keepsUnmanaged)
      for (const attribute of Object.keys(user.attributes))
        await need(`user-profile attribute ${attribute}`, async () => profileAttributes.has(attribute), name);
  }
  if (missing.size)
    throw new CommandError(
      [
        `realm ${realmName} of stack ${stackName} lacks what the users refer to; nothing was imported:`,
        ...[...missing].map(([what, users]) => `  ${what} (${users.join(", ")})`),
      ].join("\n"),
      `the target stack must deploy the same realm spec as the source (groups, roles, clients, identity providers, userFederation, userProfile); change it, pulumi up --stack ${stackName}, then import again`,
    );
  return ids;
}

/** The Admin API representation that partial import creates a user from: names only, which Keycloak resolves. */
function representation(user: ExportedUser, document: UsersExport, ids: TargetIds): UserRepresentation {
  // No password comes along: whoever gives the user one, the user then chooses their own.
  const requiredActions = user.hadPassword && !user.requiredActions.includes("UPDATE_PASSWORD") ? [...user.requiredActions, "UPDATE_PASSWORD"] : user.requiredActions;
  return {
    username: user.username,
    email: user.email,
    firstName: user.firstName,
    lastName: user.lastName,
    enabled: user.enabled,
    emailVerified: user.emailVerified,
    attributes: user.attributes,
    groups: user.groups,
    // Partial import grants no default roles by itself: the exported mapping names the source's composite.
    realmRoles: user.realmRoles.map((role) => (role === document.defaultRole ? ids.defaultRole : role)),
    clientRoles: user.clientRoles,
    requiredActions,
    federatedIdentities: user.identityProviderLinks,
  };
}

/** What the imported users do about passwords, sending the update-password e-mail when asked to. */
async function passwordReport(target: StackRealm, imported: ExportedUser[], smtpRealm: RealmRepresentation | undefined): Promise<string[]> {
  const lines: string[] = [];
  let waiting = imported.filter((u) => u.hadPassword);
  if (smtpRealm) {
    const emailed: string[] = [];
    for (const user of waiting.filter((u) => u.email)) {
      const { id } = (await findUser(target.kc, user.username))!;
      // The users exist by now: one e-mail that fails must not hide what was imported.
      await sendUpdatePasswordEmail(target, smtpRealm, { id: id!, username: user.username, email: user.email! }).then(
        () => emailed.push(user.username),
        (error: Error) => lines.push(`could not e-mail ${user.username}: ${error.message}`),
      );
    }
    if (emailed.length) lines.push(`e-mailed ${emailed.join(", ")} a link to choose a new password`);
    waiting = waiting.filter((u) => !emailed.includes(u.username));
  }
  if (waiting.length)
    lines.push(
      `no password came along (the Admin API cannot read them): ${waiting.map((u) => u.username).join(", ")} must get a new one (UPDATE_PASSWORD is required at the first login);`,
      `  give each a temporary password with npm run fleet -- users reset-password USERNAME --stack ${target.stackName} --realm ${target.realmName}`,
      `  or e-mail a link with users reset-password USERNAME ... --email-action (the realm needs SMTP and the user an e-mail address)`,
    );
  return lines;
}

// ---- federated users ----------------------------------------------------------------------

/**
 * Adds to a user that the target's federation provider brought in what Keycloak keeps beside
 * the directory and the user lacks here; removes nothing. Returns what it added, for the summary.
 */
async function completeFederatedUser(target: StackRealm, user: ExportedUser, existing: UserRepresentation, document: UsersExport, ids: TargetIds): Promise<string[]> {
  const { kc, realmName } = target;
  const id = existing.id!;
  const added: string[] = [];
  await keycloakCall(`complete ${user.username}`, async () => {
    const groups = new Set((await kc.users.listGroups({ id, briefRepresentation: true })).map((g) => g.path));
    for (const path of user.groups.filter((p) => !groups.has(p))) {
      const group = await kc.realms.getGroupByPath({ realm: realmName, path: path.slice(1) });
      await kc.users.addToGroup({ id, groupId: group.id! });
      added.push(`group ${path}`);
    }

    const realmRoles = new Set((await kc.users.listRealmRoleMappings({ id })).map((r) => r.name));
    const missingRealmRoles = user.realmRoles.map((r) => (r === document.defaultRole ? ids.defaultRole : r)).filter((r) => !realmRoles.has(r));
    if (missingRealmRoles.length) {
      const roles = await Promise.all(missingRealmRoles.map((name) => kc.roles.findOneByName({ name })));
      await kc.users.addRealmRoleMappings({ id, roles: roles.map((r) => ({ id: r!.id!, name: r!.name! })) });
      added.push(...missingRealmRoles.map((r) => `realm role ${r}`));
    }

    for (const [clientId, names] of Object.entries(user.clientRoles)) {
      const clientUniqueId = (await kc.clients.find({ clientId }))[0].id!;
      const have = new Set((await kc.users.listClientRoleMappings({ id, clientUniqueId })).map((r) => r.name));
      const missing = names.filter((n) => !have.has(n));
      if (!missing.length) continue;
      const roles = await Promise.all(missing.map((roleName) => kc.clients.findRole({ id: clientUniqueId, roleName })));
      await kc.users.addClientRoleMappings({ id, clientUniqueId, roles: roles.map((r) => ({ id: r!.id!, name: r!.name! })) });
      added.push(...missing.map((n) => `role ${n} of client ${clientId}`));
    }

    const links = new Set((await kc.users.listFederatedIdentities({ id })).map((l) => l.identityProvider));
    for (const link of user.identityProviderLinks.filter((l) => !links.has(l.identityProvider))) {
      await kc.users.addToFederatedIdentity({ id, federatedIdentityId: link.identityProvider, federatedIdentity: link });
      added.push(`${link.identityProvider} link`);
    }

    const actions = user.requiredActions.filter((a) => !existing.requiredActions?.includes(a));
    const attributes = Object.fromEntries(Object.entries(user.attributes).filter(([name]) => !existing.attributes?.[name]));
    if (actions.length || Object.keys(attributes).length) {
      await kc.users.update({ id }, { ...existing, requiredActions: [...(existing.requiredActions ?? []), ...actions], attributes: { ...existing.attributes, ...attributes } });
      added.push(...actions.map((a) => `required action ${a}`), ...Object.keys(attributes).map((a) => `attribute ${a}`));
    }
  });
  return added;
}
