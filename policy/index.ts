// keycloak-fleet's security baseline: `pulumi up --policy-pack policy` checks every realm,
// client and route the program declares before the engine creates or changes it. Mandatory
// rules stop the update; advisory ones warn. README "Security baseline" lists them.
import { PolicyPack } from "@pulumi/policy";
import { baselinePolicies } from "./baseline";
import { stackFacts } from "./stack";

new PolicyPack("keycloak-fleet-baseline", { policies: baselinePolicies(stackFacts()) });
