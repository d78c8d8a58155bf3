import type * as keycloak from "@pulumi/keycloak";
import type { RealmSpec } from "../config/realm-spec";

/** The realm resource's own settings. */
export function realmSettings(spec: RealmSpec): keycloak.RealmArgs {
  return {
    realm: spec.realm,
    displayName: spec.displayName,
    enabled: spec.enabled,
  };
}
