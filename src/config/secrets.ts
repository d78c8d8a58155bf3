import type * as pulumi from "@pulumi/pulumi";
import type { Problem } from "./errors";
import type { RealmSpec } from "./spec/realm";

/** Where the realm layer gets secret values; every value is a Pulumi secret. */
export interface SecretStore {
  /** A secret the spec names by stack config key ({config: key}). */
  get(key: string): pulumi.Output<string>;
  /**
   * A generated secret, stable for the stack: derived from the stack's secretSeed and what it is
   * for, so it survives a lost Keycloak and even lost state (rotate it by renaming its purpose).
   */
  derive(purpose: string): pulumi.Output<string>;
}

/** Every place a realm spec takes a secret from, with the field path for messages. */
export function secretUses(spec: RealmSpec): { field: string; key?: string; generated?: string }[] {
  const uses: { field: string; key?: string; generated?: string }[] = [];
  const source = (field: string, purpose: string, value: { config?: string; generate?: true } | undefined) => {
    if (value && "config" in value && value.config) uses.push({ field, key: value.config });
    else if (value && "generate" in value && value.generate) uses.push({ field, generated: purpose });
  };
  spec.clients.forEach((c, i) => {
    if (c.protocol === "openid-connect" && c.access === "confidential") source(`clients[${i}] (${c.clientId}).secret`, clientSecretPurpose(spec.realm, c.clientId), c.secret);
  });
  spec.users.forEach((u, i) => source(`users[${i}] (${u.username}).password`, userPasswordPurpose(spec.realm, u.username), u.password));
  spec.identityProviders.forEach((p, i) => "clientSecret" in p && source(`identityProviders[${i}] (${p.alias}).clientSecret`, "", p.clientSecret));
  spec.userFederation.forEach((f, i) => source(`userFederation[${i}] (${f.name}).bindCredential`, "", f.bindCredential));
  if (spec.smtp?.auth) source("smtp.auth.password", "", spec.smtp.auth.password);
  return uses;
}

export const clientSecretPurpose = (realm: string, clientId: string) => `realm/${realm}/client/${clientId}/secret`;
export const userPasswordPurpose = (realm: string, username: string) => `realm/${realm}/user/${username}/password`;

/**
 * Checks that every secret the specs use is set, and set as a secret, in the stack config.
 * Values never enter a message.
 */
export function checkSecrets(
  uses: { file: string; field: string; key?: string; generated?: string }[],
  values: Record<string, string>,
  secretKeys: string[],
  namespace: string,
  stackFile: string,
): Problem[] {
  const problems: Problem[] = [];
  const needsSeed = uses.find((u) => u.generated);
  const check = (file: string, field: string, key: string, why: string) => {
    const fullKey = `${namespace}:${key}`;
    if (values[fullKey] === undefined)
      problems.push({ file, field, missingSecret: key, message: `${why} stack config ${fullKey}, which is not set; hint: pulumi config set --secret ${key} <value>` });
    else if (!secretKeys.includes(fullKey))
      problems.push({ file: stackFile, field: fullKey, message: `must be a secret; hint: set it again with pulumi config set --secret ${key}` });
  };
  for (const use of uses) if (use.key) check(use.file, use.field, use.key, "takes its secret from");
  if (needsSeed)
    check(needsSeed.file, needsSeed.field, "secretSeed", "is generated from the stack's secret seed,");
  return problems.filter((p, i) => problems.findIndex((q) => q.message === p.message && q.field === p.field) === i);
}
