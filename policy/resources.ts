// Shared by the rules: the resource types they read, and how a violation reads.
import type { ReportViolation, ResourceValidation, ResourceValidationArgs } from "@pulumi/policy";

/** Type tokens of @pulumi/keycloak (a unit test keeps them equal to the SDK's). */
export const KEYCLOAK = {
  realm: "keycloak:index/realm:Realm",
  openidClient: "keycloak:openid/client:Client",
  samlClient: "keycloak:saml/client:Client",
} as const;

/** Type tokens of the routing objects the kubernetes platform declares (src/platform/kubernetes/exposure.ts). */
export const ROUTING = {
  ingressRoute: "kubernetes:traefik.io/v1alpha1:IngressRoute",
  middleware: "kubernetes:traefik.io/v1alpha1:Middleware",
  httpRoute: "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute",
  securityPolicy: "kubernetes:gateway.envoyproxy.io/v1alpha1:SecurityPolicy",
  ingress: "kubernetes:networking.k8s.io/v1:Ingress",
} as const;

/** A rule's look at one resource, its inputs typed as the rule reads them (every field may be missing). */
export type Check<Inputs> = (inputs: Partial<Inputs>, args: ResourceValidationArgs, report: ReportViolation) => void;

/** A validation of the resources of `types` only. */
export function forTypes<Inputs>(types: string[], check: Check<Inputs>): ResourceValidation {
  return (args, report) => {
    if (types.includes(args.type)) check(args.props as Partial<Inputs>, args, report);
  };
}

/** A violation message: what is wrong with which resource, and what to do instead. */
export function problem(subject: string, what: string, hint: string): string {
  return `${subject}: ${what}; hint: ${hint}`;
}
