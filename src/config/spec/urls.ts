// URLs of a realm spec, checked as Keycloak (and the browsers and directories behind it) will
// use them: the WHATWG parser alone accepts far too much ("htp:/app example.com" parses).
import { z } from "zod";
import { received } from "../schema-helpers";
import { characters, codePoint, COLUMN, inColumn, lengthSchema } from "./text";

/** Characters no URL may hold as such: spaces, controls and invisible formatting (percent-encode them). */
const NOT_IN_URLS = /[\s\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

/**
 * Why `value` is not a URL of one of `schemes` with a host; undefined when it is one. The
 * scheme, the "//" and the characters are each checked, so one message names every mistake of
 * "htp:/app example.com".
 */
function urlProblem(value: string, schemes: string[]): string | undefined {
  const reasons: string[] = [];
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(value)?.[1];
  const allowed = schemes.map((s) => `${s}://`).join(" or ");
  if (!scheme) reasons.push(`it has no scheme (${allowed})`);
  else if (!schemes.includes(scheme.toLowerCase())) reasons.push(`its scheme "${scheme}" is not ${allowed.replaceAll("://", "")}`);
  if (scheme && !value.slice(scheme.length + 1).startsWith("//")) reasons.push(`"${scheme}:" is not followed by // and a host`);
  const bad = NOT_IN_URLS.exec(value);
  if (bad) reasons.push(`it contains ${bad[0] === " " ? "a space" : codePoint(bad[0])} at character ${characters(value.slice(0, bad.index)) + 1} (percent-encode it, e.g. %20)`);
  if (reasons.length > 0) return reasons.join("; ");
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "it does not parse as a URL";
  }
  if (!url.hostname) return "it has no host";
  if (url.username || url.password) return "it carries a user name or password; hint: credentials go in stack config secrets, never in URLs";
  return undefined;
}

const HTTP = ["http", "https"];

interface UrlRule {
  /** What the field must be, for messages: "an absolute http(s) URL". */
  what: string;
  example: string;
  /** Most characters Keycloak keeps; undefined where its column is unbounded. */
  max?: number;
}

/** Quotes the value, unless it carries credentials (which must not appear in a message). */
const quote = (value: string) => (/^[^:/]+:\/\/[^/@]*@/.test(value) ? "a URL with credentials (not shown)" : received(value));

function checkUrl(value: string, rule: UrlRule, ctx: z.RefinementCtx, problem: string | undefined): void {
  if (problem)
    ctx.addIssue({ code: "custom", input: value, message: `expected ${rule.what}, got ${quote(value)}: ${problem}${problem.includes("hint:") ? "" : `; hint: write it like "${rule.example}"`}` });
  else if (rule.max !== undefined && characters(value) > rule.max)
    ctx.addIssue({ code: "custom", input: value, message: `expected ${rule.what} of at most ${rule.max} characters (${inColumn(rule.max)}), got ${characters(value)} characters; hint: shorten it` });
}

/** An absolute http(s) URL with a host, in a column of `max` (255 by default; undefined: unbounded). */
export const httpUrl = (example: string, max: number | undefined = COLUMN) =>
  z
    .string()
    .superRefine((value, ctx) => checkUrl(value, { what: "an absolute http(s) URL", example, max }, ctx, urlProblem(value, HTTP)))
    .meta({ ...lengthSchema(max), format: "uri", pattern: "^[Hh][Tt][Tt][Pp][Ss]?://" });

/**
 * A client's base URL: absolute, or a path that Keycloak resolves against the root URL (the
 * admin console's own clients use /realms/<realm>/account/).
 */
export const baseUrl = () =>
  z
    .string()
    .superRefine((value, ctx) => {
      const rule = { what: 'an absolute http(s) URL or a path starting with "/"', example: "https://app.example.com/home", max: COLUMN };
      checkUrl(value, rule, ctx, isPath(value) ? pathProblem(value) : urlProblem(value, HTTP));
    })
    .meta(lengthSchema(COLUMN));

const isPath = (value: string) => value.startsWith("/") && !value.startsWith("//");

function pathProblem(value: string): string | undefined {
  const bad = NOT_IN_URLS.exec(value);
  return bad ? `it contains ${bad[0] === " " ? "a space" : codePoint(bad[0])} at character ${characters(value.slice(0, bad.index)) + 1} (percent-encode it)` : undefined;
}

/**
 * Where Keycloak reaches a directory: ldap:// or ldaps:// with a host and optional port, several
 * separated by spaces (Keycloak tries them in order).
 */
export const ldapUrls = () =>
  z
    .string()
    .superRefine((value, ctx) => {
      const rule = { what: "ldap:// or ldaps:// URLs (several separated by a space)", example: "ldaps://ldap.example.com:636" };
      const problem = value
        .split(" ")
        .map((url) => (url === "" ? "it has an empty entry (two spaces, or a space at an end)" : (urlProblem(url, ["ldap", "ldaps"]) ?? ldapProblem(new URL(url)))))
        .find((found) => found !== undefined);
      checkUrl(value, rule, ctx, problem);
    })
    .meta({ pattern: "^ldaps?://" });

function ldapProblem(url: URL): string | undefined {
  if ((url.pathname && url.pathname !== "/") || url.search || url.hash) return "it has a path, query or fragment; hint: the base DNs go in usersDn and groupMapper.groupsDn";
  return undefined;
}
