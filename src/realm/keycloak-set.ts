import * as pulumi from "@pulumi/pulumi";

/**
 * A set-valued input (role ids, group ids, scope or role names) in the order Keycloak's provider
 * reads it back: sorted. The engine compares a refreshed resource's inputs with the program's
 * exactly; in spec order, every `up` (Pulumi.yaml refreshes first) would save the whole state once
 * more for each such resource, a cost that grows with the square of the stack (README,
 * "Performance").
 */
export function keycloakSet(values: pulumi.Input<string>[]): pulumi.Output<string[]> {
  return pulumi.all(values).apply((all) => [...all].sort());
}
