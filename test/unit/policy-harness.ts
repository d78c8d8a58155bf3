// Runs the policy pack's rules as the engine would, without the engine: a resource rule gets
// one resource's inputs, a stack rule every resource, and what they report is collected.
import type { PolicyResource, ResourceValidationArgs, StackValidationArgs } from "@pulumi/policy";
import { baselinePolicies } from "../../policy/baseline";
import type { StackFacts } from "../../policy/stack";
import type { Registration } from "./mocks";

/** A resource as a rule sees it: its type, Pulumi name and inputs. */
export interface Declared {
  type: string;
  name: string;
  props: Record<string, any>;
}

export interface Violation {
  policy: string;
  enforcement: string;
  message: string;
  urn?: string;
}

export const urnOf = (r: Declared) => `urn:pulumi:unit::keycloak-fleet::${r.type}::${r.name}`;

export const declared = (registrations: Registration[]): Declared[] => registrations.map(({ type, name, inputs }) => ({ type, name, props: inputs }));

function resourceArgs(resource: Declared): ResourceValidationArgs {
  return {
    ...resource,
    urn: urnOf(resource),
    opts: { protect: false, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [] },
    stackTags: new Map(),
    isType: () => false,
    asType: () => undefined,
    getConfig: <T extends object>() => ({}) as T,
    notApplicable: (reason?: string) => {
      throw new Error(`not applicable: ${reason}`);
    },
  };
}

/** What the rules of `facts`' pack report for these resources; `only` limits it to one rule. */
export async function violations(resources: Declared[], facts: StackFacts = { platform: "local" }, only?: string): Promise<Violation[]> {
  const found: Violation[] = [];
  for (const policy of baselinePolicies(facts).filter((p) => only === undefined || p.name === only)) {
    const collect = (message: string, urn?: string) => found.push({ policy: policy.name, enforcement: policy.enforcementLevel ?? "advisory", message, urn });
    if ("validateStack" in policy) {
      const stack = resources.map((r) => ({ ...r, urn: urnOf(r) }) as unknown as PolicyResource);
      const args = { resources: stack, stackTags: new Map(), getConfig: () => ({}), notApplicable: () => undefined } as unknown as StackValidationArgs;
      await policy.validateStack(args, collect);
      continue;
    }
    const validations = [policy.validateResource ?? []].flat();
    for (const resource of resources) for (const validate of validations) await validate(resourceArgs(resource), collect);
  }
  return found;
}

/** The messages of one rule for one resource. */
export async function messages(policy: string, resource: Declared, facts?: StackFacts): Promise<string[]> {
  return (await violations([resource], facts, policy)).map((v) => v.message);
}
