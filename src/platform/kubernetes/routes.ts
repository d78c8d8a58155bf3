import { createHash } from "node:crypto";
import type { KubernetesPlatform } from "../../config/stack";

/**
 * The paths Keycloak's reverse-proxy guide recommends exposing publicly. Never /admin/,
 * /metrics or /health: `hostname-admin` moves the console, but only the proxy keeps the Admin
 * REST API off the public host.
 */
export const PUBLIC_PATHS = ["/realms", "/resources", "/js", "/.well-known"];

/** One thing the ingress serves; exposure.ts renders it for the chosen controller. */
export interface Route {
  /** Names the route's objects: `<cluster>-<name>`. */
  name: string;
  host: string;
  /** Path prefixes matched element by element: "/realms" matches /realms and /realms/x, not /realmsx. */
  paths: string[];
  /** The only source networks served; everyone when unset. */
  allowlist?: string[];
  /** Where routes overlap on a host, the higher wins: a restricted realm beats the public route. */
  priority: number;
}

/**
 * The public route, one restricted route per allowlisted realm, and the admin route. The admin
 * host serves every path, realms included, to adminAllowlist only.
 */
export function routesFor(config: Pick<KubernetesPlatform, "hostname" | "adminHostname" | "adminAllowlist" | "realmAllowlists">): Route[] {
  const realms = Object.entries(config.realmAllowlists ?? {}).map(([realm, allowlist]) => ({
    name: realmRouteName(realm),
    host: config.hostname,
    paths: [`/realms/${realm}`],
    allowlist,
    priority: 20,
  }));
  return [
    { name: "public", host: config.hostname, paths: PUBLIC_PATHS, priority: 10 },
    ...realms,
    { name: "admin", host: config.adminHostname, paths: ["/"], allowlist: config.adminAllowlist, priority: 10 },
  ];
}

/**
 * A Kubernetes name part for a realm's route. Realm names may hold upper case, "." and "_";
 * such names get a hash of the original so that "a.b" and "a_b" stay apart.
 */
export function realmRouteName(realm: string): string {
  const slug = realm.toLowerCase().replace(/[^a-z0-9-]/g, "-");
  return slug === realm ? `realm-${realm}` : `realm-${slug}-${createHash("sha256").update(realm).digest("hex").slice(0, 6)}`;
}

/** Traefik's rule for a route: its `PathPrefix` matches strings, so element matching takes two matchers. */
export function traefikMatch(route: Route): string {
  const paths = route.paths.map((p) => (p === "/" ? "PathPrefix(`/`)" : `Path(\`${p}\`) || PathPrefix(\`${p}/\`)`));
  return `Host(\`${route.host}\`) && (${paths.join(" || ")})`;
}
