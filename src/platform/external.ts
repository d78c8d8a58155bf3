import type { StackConfig } from "../config/stack";

/** An existing Keycloak, reached at the URL the stack config gives. */
export function externalUrl(external: NonNullable<StackConfig["external"]>): string {
  return external.url.replace(/\/+$/, "");
}
