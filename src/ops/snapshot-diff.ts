// The differences between two snapshots of a realm (realm-snapshot.ts), as lines a person reads:
// where (realm, object by name, field) and what (the two values, or what only one side has).
// Secrets show only that they differ.
import { isSecretDigest, type Json, type RealmSnapshot } from "./realm-snapshot";

export interface Difference {
  /** Outermost first: ["realm platform", "client grafana", "redirectUris"]. */
  where: string[];
  /** "only in B: https://x/*", "A 300  B 600", "only in A". */
  what: string;
}

/** One line of the report. */
export const formatDifference = (difference: Difference) => [...difference.where, difference.what].join(": ");

/**
 * Named collections of the snapshot, by their path ("*" stands for a member's name), and what
 * one member is called in the report.
 */
const COLLECTIONS: Record<string, string> = {
  roles: "realm role",
  clients: "client",
  "clients.*.roles": "client role",
  "clients.*.protocolMappers": "mapper",
  clientScopes: "client scope",
  "clientScopes.*.protocolMappers": "mapper",
  groups: "group",
  identityProviders: "identity provider",
  "identityProviders.*.mappers": "mapper",
  userFederation: "user federation",
  "userFederation.*.mappers": "mapper",
  components: "component",
  authenticationFlows: "flow",
  "authenticationFlows.*.executions": "execution",
  requiredActions: "required action",
  "userProfile.attributes": "attribute",
  "userProfile.groups": "attribute group",
  localization: "locale",
};

/**
 * How the snapshot's own section names read in the report; "" leaves the segment out (role
 * references list client roles under their clientId directly). Keycloak's field names are shown
 * as Keycloak spells them.
 */
const LABELS: Record<string, string> = {
  settings: "realm settings",
  smtp: "smtp",
  otpPolicy: "otp policy",
  flowBindings: "flow bindings",
  defaultRoles: "default roles",
  defaultGroups: "default groups",
  defaultClientScopes: "default client scopes",
  userProfile: "user profile",
  realmRoleMappings: "realm role mappings",
  clientRoleMappings: "client role mappings",
  scopeMappings: "scope mappings",
  serviceAccountRoles: "service account roles",
  realm: "realm roles",
  clients: "",
};

/** Every difference between the realm as A and B hold it; a realm missing on one side is one. */
export function compareRealm(realm: string, a: RealmSnapshot | undefined, b: RealmSnapshot | undefined): Difference[] {
  const where = [`realm ${realm}`];
  if (!a || !b) return a === b ? [] : [{ where, what: `only in ${a ? "A" : "B"}` }];
  const differences: Difference[] = [];
  walk(a, b, [], where, differences);
  return differences;
}

type JsonObject = { [key: string]: Json };

function walk(a: Json | undefined, b: Json | undefined, path: string[], where: string[], out: Difference[]): void {
  if (equal(a, b)) return;
  const member = COLLECTIONS[path.join(".")];
  if (member && isObject(a) && isObject(b)) {
    for (const key of keysOf(a, b)) {
      const here = [...where, `${member} ${key}`];
      if (!(key in b)) out.push({ where: here, what: "only in A" });
      else if (!(key in a)) out.push({ where: here, what: "only in B" });
      else walk(a[key], b[key], [...path, "*"], here, out);
    }
  } else if (isObject(a) && isObject(b)) {
    for (const key of keysOf(a, b)) {
      // A collection's members name themselves ("client grafana"): its own name would only repeat that.
      const label = COLLECTIONS[[...path, key].join(".")] ? "" : (LABELS[key] ?? key);
      walk(a[key], b[key], [...path, key], label ? [...where, label] : where, out);
    }
  } else if (isScalarList(a) && isScalarList(b)) {
    out.push(...listDifferences(a, b, where));
  } else if (isSecretDigest(a) && isSecretDigest(b)) {
    out.push({ where, what: "differs (secrets are compared by SHA-256 and not shown)" });
  } else {
    out.push({ where, what: `A ${show(a)}  B ${show(b)}` });
  }
}

/** Lists compared as sets first (what only one side has); same members in another order is an order difference. */
function listDifferences(a: (string | number | boolean | null)[], b: (string | number | boolean | null)[], where: string[]): Difference[] {
  const inB = new Set(b.map((v) => JSON.stringify(v)));
  const inA = new Set(a.map((v) => JSON.stringify(v)));
  const onlyA = a.filter((v) => !inB.has(JSON.stringify(v)));
  const onlyB = b.filter((v) => !inA.has(JSON.stringify(v)));
  const differences: Difference[] = [];
  if (onlyA.length) differences.push({ where, what: `only in A: ${onlyA.map(showMember).join(", ")}` });
  if (onlyB.length) differences.push({ where, what: `only in B: ${onlyB.map(showMember).join(", ")}` });
  if (!differences.length) differences.push({ where, what: `order: A ${show(a)}  B ${show(b)}` });
  return differences;
}

const isObject = (value: Json | undefined): value is JsonObject => typeof value === "object" && value !== null && !Array.isArray(value);
const isScalarList = (value: Json | undefined): value is (string | number | boolean | null)[] =>
  Array.isArray(value) && value.every((v) => v === null || typeof v !== "object");
const keysOf = (a: JsonObject, b: JsonObject) => [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();

/** Deep equality; the order of an object's keys does not matter, a list's order does. */
function equal(a: Json | undefined, b: Json | undefined): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => equal(v, b[i]));
  if (isObject(a) && isObject(b)) {
    const keys = keysOf(a, b);
    return keys.every((key) => key in a && key in b && equal(a[key], b[key]));
  }
  return false;
}

/** A value as JSON, with every secret digest replaced: the report never shows one. */
function show(value: Json | undefined): string {
  if (value === undefined) return "(none)";
  if (isSecretDigest(value)) return "(a secret)";
  return JSON.stringify(value, (_key, v: unknown) => (isSecretDigest(v) ? "(a secret)" : v));
}

const showMember = (value: string | number | boolean | null) => (typeof value === "string" && !isSecretDigest(value) ? value : show(value));
