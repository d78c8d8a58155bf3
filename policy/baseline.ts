// Every rule of the pack, for the stack described by `facts`; index.ts serves them, unit tests
// call their validate functions directly.
import type { Policies } from "@pulumi/policy";
import { adminExposurePolicies } from "./admin-exposure";
import { clientPolicies } from "./clients";
import { realmPolicies } from "./realm";
import type { StackFacts } from "./stack";

export function baselinePolicies(facts: StackFacts): Policies {
  return [...realmPolicies(facts), ...clientPolicies(), ...adminExposurePolicies(facts)];
}
