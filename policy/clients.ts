// Rules on clients: where Keycloak may send authorization codes, and PKCE for public clients.
import type { ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { forTypes, KEYCLOAK, problem } from "./resources";

/** The inputs of keycloak.openid.Client and keycloak.saml.Client these rules read. */
interface ClientInputs {
  clientId: string;
  validRedirectUris: string[];
  accessType: string;
  standardFlowEnabled: boolean;
  pkceCodeChallengeMethod: string;
}

const CLIENTS = [KEYCLOAK.openidClient, KEYCLOAK.samlClient];

/** The project names clients `<realm>/<clientId>`, which says both. */
const subject = (client: Partial<ClientInputs>, args: ResourceValidationArgs) =>
  args.name.endsWith(`/${client.clientId}`) ? `client ${args.name}` : `client "${client.clientId ?? args.name}" (${args.name})`;

/**
 * How far a redirect URI's wildcard reaches. Keycloak matches a URI ending in "*" as a prefix,
 * so what counts is what comes before the "*": a whole origin ("https://app.example.com/") keeps
 * codes on that site ("path"); anything shorter lets the prefix match other hosts
 * ("https://app.example.com*" matches app.example.com.evil.example) or everything ("*", "/*",
 * "https://*"), which is "any".
 */
export function wildcardReach(uri: string): "none" | "path" | "any" {
  const star = uri.indexOf("*");
  if (star < 0) return "none";
  const prefix = uri.slice(0, star);
  if (prefix === "" || prefix === "/") return "any";
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:/.exec(prefix);
  // A relative URI below the client's root URL ("/app/*") stays on the client's own origin.
  if (!scheme) return "path";
  const rest = prefix.slice(scheme[0].length);
  // The host ends at the first "/", "?" or "#"; until then the wildcard can still change it.
  if (rest.startsWith("//")) return /^\/\/[^/?#]+[/?#]/.test(rest) ? "path" : "any";
  // Custom schemes of native apps ("com.example.app:/callback*") have no host: a path is enough.
  return rest.replace(/^\/+/, "") === "" ? "any" : "path";
}

export function clientPolicies(): ResourceValidationPolicy[] {
  return [
    {
      name: "client-redirect-uris-not-wildcard-only",
      description: 'Redirect URIs name the app: no "*", "/*", "https://*" or wildcard in the host.',
      enforcementLevel: "mandatory",
      severity: "critical",
      validateResource: forTypes<ClientInputs>(CLIENTS, (client, args, report) => {
        const open = (client.validRedirectUris ?? []).filter((uri) => wildcardReach(uri) === "any");
        if (open.length === 0) return;
        report(
          problem(
            subject(client, args),
            `redirect URI${open.length > 1 ? "s" : ""} ${open.map((uri) => `"${uri}"`).join(", ")} let Keycloak send authorization codes and tokens to any site`,
            'list the app\'s callback URLs, e.g. "https://app.example.com/oauth/callback"; a wildcard may follow a whole origin ("https://app.example.com/*")',
          ),
        );
      }),
    },
    {
      name: "client-redirect-uris-exact",
      description: "Redirect URIs are exact (RFC 9700, OAuth 2.0 Security Best Current Practice, section 2.1).",
      enforcementLevel: "advisory",
      severity: "low",
      validateResource: forTypes<ClientInputs>(CLIENTS, (client, args, report) => {
        const prefixes = (client.validRedirectUris ?? []).filter((uri) => wildcardReach(uri) === "path");
        if (prefixes.length === 0) return;
        report(
          problem(
            subject(client, args),
            `redirect URI${prefixes.length > 1 ? "s" : ""} ${prefixes.map((uri) => `"${uri}"`).join(", ")} match${prefixes.length > 1 ? "" : "es"} any path of the app, an open redirect there leaks codes`,
            "list the exact callback URLs instead",
          ),
        );
      }),
    },
    {
      name: "public-client-pkce",
      description: "Public clients with the authorization code flow use PKCE with S256.",
      enforcementLevel: "mandatory",
      severity: "high",
      validateResource: forTypes<ClientInputs>([KEYCLOAK.openidClient], (client, args, report) => {
        if (client.accessType !== "PUBLIC" || client.standardFlowEnabled !== true || client.pkceCodeChallengeMethod === "S256") return;
        const now = client.pkceCodeChallengeMethod ? `PKCE method "${client.pkceCodeChallengeMethod}"` : "no PKCE";
        report(
          problem(
            subject(client, args),
            `a public client with the authorization code flow and ${now}: it has no secret, so whoever intercepts a code can redeem it`,
            'set pkceCodeChallengeMethod: "S256" (keycloak-fleet does for access: public); or make the client confidential',
          ),
        );
      }),
    },
  ];
}
