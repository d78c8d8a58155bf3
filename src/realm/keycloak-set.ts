import * as pulumi from "@pulumi/pulumi";

/**
 * A set-valued input (role ids, group ids, scope or role names) in the order Keycloak's provider
 * reads it back: sorted. The engine compares a refreshed resource's inputs with the program's
 * exactly; in spec order, every `up` (Pulumi.yaml refreshes first) would save the whole state once
 * more for each such resource, a cost that grows with the square of the stack (README,
 * "Performance"). Only the update saves state: a preview keeps the spec's order, so a list that
 * holds ids not known yet (a role the update will recreate) stays a list whose other entries the
 * preview and `drift` can show, instead of one unknown value.
 */
export function keycloakSet(values: pulumi.Input<string>[]): pulumi.Input<pulumi.Input<string>[]> {
  if (pulumi.runtime.isDryRun()) return values;
  return pulumi.all(values).apply((all) => [...all].sort());
}
