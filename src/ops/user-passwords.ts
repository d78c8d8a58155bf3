// How a day-2 user gets a password without anyone choosing it for them: a random temporary
// one, shown once, or Keycloak's e-mail with a link where the user picks their own.
import type RealmRepresentation from "@keycloak/keycloak-admin-client/lib/defs/realmRepresentation";
import { CommandError, progress } from "./console";
import { keycloakCall, type StackRealm } from "./stack-realm";
import { randomSecret } from "./workspace";

/**
 * A random password that satisfies the usual Keycloak password policies (upper and lower case,
 * digits, special characters, length up to 32): randomSecret's strength, drawn again until
 * every character class is present.
 */
export function temporaryPassword(): string {
  for (;;) {
    const candidate = randomSecret();
    if ([/[A-Z]/, /[a-z]/, /[0-9]/, /[-_]/].every((cls) => cls.test(candidate))) return candidate;
  }
}

/**
 * Sets a new temporary password (Keycloak then requires a new one at the next login) and
 * prints it on stdout, its only copy: it is in no log, no file and no error message.
 */
export async function setTemporaryPassword({ kc }: StackRealm, user: { id: string; username: string }): Promise<void> {
  const password = temporaryPassword();
  await keycloakCall("set the password", () => kc.users.resetPassword({ id: user.id, credential: { type: "password", value: password, temporary: true } }));
  progress(`${user.username}'s temporary password is on stdout and stored nowhere: pass it on now; it must be changed at the first login`);
  process.stdout.write(`${password}\n`);
}

/** The realm, when it has an SMTP server; Keycloak sends no e-mail without one. */
export async function requireSmtp({ kc, realmName, stackName, source }: StackRealm): Promise<RealmRepresentation> {
  const realm = (await kc.realms.findOne({ realm: realmName }))!;
  if (!realm.smtpServer?.host)
    throw new CommandError(
      `realm ${realmName} of stack ${stackName} has no SMTP server, so Keycloak cannot send the e-mail; nothing was changed`,
      `declare smtp: in ${source.file} and run pulumi up --stack ${stackName}, or leave out --email-action to get a temporary password`,
    );
  return realm;
}

/** Keycloak's execute-actions e-mail with UPDATE_PASSWORD: a link where the user picks a password. */
export async function sendUpdatePasswordEmail({ kc }: StackRealm, realm: RealmRepresentation, user: { id: string; username: string; email: string }): Promise<void> {
  await keycloakCall(`send ${user.username} the update-password e-mail`, () => kc.users.executeActionsEmail({ id: user.id, actions: ["UPDATE_PASSWORD"] }));
  const hours = Math.round((realm.actionTokenGeneratedByAdminLifespan ?? 43200) / 3600);
  progress(`e-mailed ${user.username} <${user.email}> a link to choose a password (valid for ${hours} hours)`);
}
