// What the policies need to know about the stack they check, from its own config: the engine
// hands a policy pack the stack's configuration (PULUMI_CONFIG), so `pulumi up --policy-pack
// policy` needs no separate policy config to know the platform.
import * as pulumi from "@pulumi/pulumi";

/** The config namespace of the program (the `name` in Pulumi.yaml). */
const NAMESPACE = "keycloak-fleet";

export interface StackFacts {
  /** keycloak-fleet:platform: "local", "external" or "kubernetes"; undefined when the stack does not set it. */
  platform?: string;
  /** keycloak-fleet:kubernetes.adminHostname: the host of the admin console and Admin REST API. */
  adminHostname?: string;
}

/** The facts of the stack this pack runs for. Config the program would refuse is left to the program. */
export function stackFacts(config = new pulumi.Config(NAMESPACE)): StackFacts {
  const kubernetes = readObject(config, "kubernetes");
  const adminHostname = kubernetes?.adminHostname;
  return { platform: config.get("platform"), adminHostname: typeof adminHostname === "string" ? adminHostname : undefined };
}

function readObject(config: pulumi.Config, key: string): Record<string, unknown> | undefined {
  try {
    return config.getObject<Record<string, unknown>>(key);
  } catch {
    return undefined;
  }
}

/** For messages: "the external platform", or that the stack names none. */
export function platformName(facts: StackFacts): string {
  return facts.platform ? `the ${facts.platform} platform` : `a stack without ${NAMESPACE}:platform`;
}
