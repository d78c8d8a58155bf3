import * as keycloak from "@pulumi/keycloak";
import type { UserProfileSpec } from "../config/spec/user-profile";
import type { RealmScope } from "./scope";

const everyone = { views: ["admin", "user"], edits: ["admin", "user"] };

/**
 * Keycloak's own user profile attributes, as it creates them. The profile resource replaces the
 * whole profile, so declaring custom attributes means restating these.
 */
const BUILT_IN: keycloak.types.input.RealmUserProfileAttribute[] = [
  {
    name: "username",
    displayName: "${username}",
    permissions: everyone,
    validators: [{ name: "length", config: { min: "3", max: "255" } }, { name: "username-prohibited-characters" }, { name: "up-username-not-idn-homograph" }],
  },
  {
    name: "email",
    displayName: "${email}",
    permissions: everyone,
    requiredForRoles: ["user"],
    validators: [{ name: "email" }, { name: "length", config: { max: "255" } }],
  },
  ...["firstName", "lastName"].map((name) => ({
    name,
    displayName: `\${${name}}`,
    permissions: everyone,
    requiredForRoles: ["user"],
    validators: [{ name: "length", config: { max: "255" } }, { name: "person-name-prohibited-characters" }],
  })),
];

/** The realm's user profile with the spec's custom attributes; users depend on it. */
export function declareUserProfile({ name, realm, parent }: RealmScope, spec: UserProfileSpec | undefined): keycloak.RealmUserProfile | undefined {
  if (!spec) return undefined;
  const custom = spec.attributes.map((a) => ({
    name: a.name,
    displayName: a.displayName ?? a.name,
    permissions: { views: ["admin", "user"], edits: a.userEditable ? ["admin", "user"] : ["admin"] },
  }));
  return new keycloak.RealmUserProfile(
    `${name}/user-profile`,
    {
      realmId: realm.id,
      attributes: [...BUILT_IN, ...custom],
      groups: [{ name: "user-metadata", displayHeader: "User metadata", displayDescription: "Attributes, which refer to user metadata" }],
    },
    // Deleting means sending an empty profile, which Keycloak refuses (username and email
    // cannot go). Dropping `userProfile` from a spec therefore leaves the profile as it is; the
    // realm's deletion takes it along.
    { parent, retainOnDelete: true },
  );
}
