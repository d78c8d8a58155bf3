// Rules on the kubernetes platform's routes: the admin console and the Admin REST API are
// served only behind an IP allowlist, and no allowlist admits everyone. Keycloak cannot restrict
// them by client address itself (hostname-admin moves the console, not the API), so the
// routing layer is the only guard (DESIGN: "Never expose /admin/ publicly").
import type { PolicyResource, ReportViolation, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { forTypes, problem, ROUTING } from "./resources";
import type { StackFacts } from "./stack";

/** The annotation by which ingress-nginx (legacy) restricts an Ingress to source networks. */
const NGINX_ALLOWLIST = "nginx.ingress.kubernetes.io/whitelist-source-range";

/** The parts of a route object that say what it serves and what restricts it. */
interface ServedRoute {
  resource: Pick<PolicyResource, "type" | "name" | "urn">;
  /** Host names matched; empty when the route answers for any host. */
  hosts: string[];
  /** Path prefixes matched; "/" when it matches every path. */
  paths: string[];
  /** Why it is restricted to some networks, or why not: undefined when it is. */
  unrestricted?: string;
  /** How to restrict a route of its kind. */
  hint: string;
}

type Resource = Pick<PolicyResource, "type" | "name" | "urn" | "props">;

/** A /0 block: every IPv4 or every IPv6 address ("0.0.0.0/0", "::/0"). */
export const admitsEveryone = (cidr: string) => /\/0$/.test(cidr.trim());

/** Whether a path prefix serves /admin (the console and the Admin REST API) or everything. */
export const reachesAdmin = (path: string) => "/admin".startsWith(path) || path.startsWith("/admin");

/** The source networks an allowlist object admits, by the kind that holds them. */
function allowlistOf(resource: Resource): string[] | undefined {
  const props = resource.props;
  switch (resource.type) {
    case ROUTING.middleware:
      return props.spec?.ipAllowList?.sourceRange;
    case ROUTING.securityPolicy:
      return (props.spec?.authorization?.rules ?? [])
        .filter((rule: { action?: string }) => rule.action === "Allow")
        .flatMap((rule: { principal?: { clientCIDRs?: string[] } }) => rule.principal?.clientCIDRs ?? []);
    case ROUTING.ingress: {
      const annotation: string | undefined = props.metadata?.annotations?.[NGINX_ALLOWLIST];
      return annotation === undefined ? undefined : annotation.split(",").map((cidr) => cidr.trim()).filter(Boolean);
    }
    default:
      return undefined;
  }
}

/** The routes that a Traefik IngressRoute, a Gateway API HTTPRoute or an Ingress declares. */
function servedRoutes(resource: Resource, stack: Resource[]): ServedRoute[] {
  const spec = resource.props.spec ?? {};
  const kind = resource.type.split(":").pop();
  switch (resource.type) {
    case ROUTING.ingressRoute:
      return (spec.routes ?? []).map((route: { match?: string; middlewares?: { name?: string }[] }) => ({
        resource,
        ...traefikMatch(route.match ?? ""),
        unrestricted: missingMiddleware(route.middlewares ?? [], stack),
        hint: "give the route an ipAllowList Middleware (keycloak-fleet:kubernetes.adminAllowlist declares one)",
      }));
    case ROUTING.httpRoute: {
      const policy = stack.find((r) => r.type === ROUTING.securityPolicy && targets(r, resource.props.metadata?.name));
      return (spec.rules ?? []).map((rule: { matches?: { path?: { value?: string } }[]; filters?: HttpRouteFilter[] }) => ({
        resource,
        hosts: spec.hostnames ?? [],
        paths: rule.matches?.length ? rule.matches.map((match) => match.path?.value ?? "/") : ["/"],
        unrestricted: policy ? undefined : missingMiddleware(middlewareFilters(rule.filters ?? []), stack, "no Envoy Gateway SecurityPolicy denies by default"),
        hint: "set ingress.gateway.allowlistPolicy (traefik: an ipAllowList Middleware as ExtensionRef filter; envoy-gateway: a SecurityPolicy) and adminAllowlist",
      }));
    }
    case ROUTING.ingress: {
      const allowlist = allowlistOf(resource);
      return (spec.rules ?? []).map((rule: { host?: string; http?: { paths?: { path?: string }[] } }) => ({
        resource,
        hosts: rule.host ? [rule.host] : [],
        paths: rule.http?.paths?.length ? rule.http.paths.map((p) => p.path ?? "/") : ["/"],
        unrestricted: allowlist?.length ? undefined : `the ${kind} has no ${NGINX_ALLOWLIST} annotation`,
        hint: `annotate it with ${NGINX_ALLOWLIST} (keycloak-fleet:kubernetes.adminAllowlist does)`,
      }));
    }
    default:
      return [];
  }
}

interface HttpRouteFilter {
  type?: string;
  extensionRef?: { kind?: string; name?: string };
}

const middlewareFilters = (filters: HttpRouteFilter[]) =>
  filters.filter((f) => f.type === "ExtensionRef" && f.extensionRef?.kind === "Middleware").map((f) => ({ name: f.extensionRef?.name }));

/** Hosts and path prefixes of a Traefik rule such as "Host(`h`) && (Path(`/a`) || PathPrefix(`/a/`))". */
function traefikMatch(match: string): { hosts: string[]; paths: string[] } {
  const values = (matcher: string) => [...match.matchAll(new RegExp(`\\b${matcher}\\(\`([^\`]*)\`\\)`, "g"))].map((m) => m[1]);
  const paths = [...values("Path"), ...values("PathPrefix")];
  return { hosts: values("Host"), paths: paths.length > 0 ? paths : ["/"] };
}

/** Why a route's middlewares restrict nothing; undefined when one of them is an IP allowlist in the stack. */
function missingMiddleware(middlewares: { name?: string }[], stack: Resource[], otherwise?: string): string | undefined {
  const allowlists = stack.filter((r) => r.type === ROUTING.middleware && allowlistOf(r)?.length);
  if (middlewares.some((m) => allowlists.some((r) => r.props.metadata?.name === m.name))) return undefined;
  const named = middlewares.map((m) => m.name).filter(Boolean);
  const why = named.length > 0 ? `its middlewares (${named.join(", ")}) include no ipAllowList Middleware of this stack` : "it has no ipAllowList middleware";
  return otherwise ? `${why}, and ${otherwise}` : why;
}

/** Whether an Envoy Gateway SecurityPolicy denies by default and targets the HTTPRoute `name`. */
function targets(policy: Resource, name: string | undefined): boolean {
  const spec = policy.props.spec ?? {};
  const refs: { kind?: string; name?: string }[] = spec.targetRefs ?? (spec.targetRef ? [spec.targetRef] : []);
  return spec.authorization?.defaultAction === "Deny" && name !== undefined && refs.some((ref) => ref.kind === "HTTPRoute" && ref.name === name);
}

function describeRoute(route: ServedRoute): string {
  const kind = route.resource.type.split(":").pop();
  const hosts = route.hosts.length > 0 ? `host ${route.hosts.join(", ")}` : "any host";
  return `${kind} ${route.resource.name} (${hosts}, paths ${route.paths.join(" ")})`;
}

/** Reports every route that serves the admin host or /admin without an allowlist. */
export function checkAdminRoutes(resources: Resource[], facts: StackFacts, report: ReportViolation): void {
  const routes = resources.flatMap((resource) => servedRoutes(resource, resources));
  for (const route of routes) {
    const admin = (facts.adminHostname !== undefined && route.hosts.includes(facts.adminHostname)) || route.paths.some(reachesAdmin);
    if (!admin || route.unrestricted === undefined) continue;
    report(`${describeRoute(route)} serves Keycloak's admin console and Admin REST API to every network: ${route.unrestricted}; hint: ${route.hint}`, route.resource.urn);
  }
}

export function adminExposurePolicies(facts: StackFacts): (ResourceValidationPolicy | StackValidationPolicy)[] {
  return [
    {
      name: "admin-behind-allowlist",
      description: "On kubernetes, every route to the admin host or /admin is restricted by an IP allowlist.",
      enforcementLevel: "mandatory",
      severity: "critical",
      validateStack: (args, report) => checkAdminRoutes(args.resources, facts, report),
    },
    {
      name: "allowlist-not-everyone",
      description: "IP allowlists (Traefik Middleware, Envoy Gateway SecurityPolicy, nginx annotation) never admit 0.0.0.0/0 or ::/0.",
      enforcementLevel: "mandatory",
      severity: "critical",
      validateResource: forTypes<Record<string, unknown>>([ROUTING.middleware, ROUTING.securityPolicy, ROUTING.ingress], (_props, args, report) => {
        const everyone = (allowlistOf(args) ?? []).filter(admitsEveryone);
        if (everyone.length === 0) return;
        report(
          problem(
            `${args.type.split(":").pop()} ${args.name}`,
            `its allowlist holds ${everyone.join(", ")}, which admits every address, so the route it guards is open to the internet`,
            "list the operators' networks instead, e.g. keycloak-fleet:kubernetes.adminAllowlist: [10.20.0.0/16]",
          ),
        );
      }),
    },
  ];
}
