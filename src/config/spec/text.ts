// The strings of a realm spec as Keycloak stores them: how long they may be (the sizes of its
// database columns) and which characters names may contain. Checked here so that Keycloak never
// answers "Database operation failed" halfway through an update.
import { z } from "zod";
import { received } from "../schema-helpers";

/**
 * Keycloak's column sizes (its Liquibase changelogs, model/jpa/src/main/resources/META-INF):
 * names, descriptions, client URLs, redirect URIs, web origins, group attribute values, user
 * names and e-mails are VARCHAR(255); the realm's display name is NVARCHAR(255) since 26.7 (a
 * realm attribute before); the password policy is VARCHAR(2550).
 */
export const COLUMN = 255;
export const PASSWORD_POLICY_COLUMN = 2550;
/** User attribute values without a length validator: Keycloak's user profile caps them at 2048. */
export const USER_ATTRIBUTE_MAX = 2048;

/** Where a limit comes from, for the message: "Keycloak stores it in a column of 255". */
export const inColumn = (size: number) => `Keycloak stores it in a column of ${size}`;

/** Length in characters (code points), as the database counts them; JS length counts UTF-16 units. */
export const characters = (value: string) => [...value].length;

// Bidirectional controls reorder how text is displayed (U+202E turns "gpj.exe" around), so a
// name can pass for another: embeddings and overrides, isolates, and the three marks.
const BIDI = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;
// Emoji and other pictographs, with the code points that only shape them (variation selectors
// 15/16, the keycap, skin tones).
const SYMBOL = /[\p{Extended_Pictographic}\p{So}\p{Emoji_Modifier}\uFE0E\uFE0F\u20E3]/u;

/** Why one character may not be in a name; undefined when it may. */
function nameCharacterProblem(char: string): string | undefined {
  if (BIDI.test(char)) return "a bidirectional control character: it changes the order in which text is displayed, so a name can pass for another";
  if (/\p{Cc}/u.test(char)) return "a control character";
  if (/\p{Cf}/u.test(char)) return "an invisible formatting character: two names that look the same would differ";
  if (/[\p{Zl}\p{Zp}]/u.test(char)) return "a line or paragraph separator";
  if (/\p{Zs}/u.test(char) && char !== " ") return "a space other than the plain space (U+0020), which looks the same but differs";
  if (/\p{Cs}/u.test(char)) return "half of a broken character (a lone surrogate)";
  if (/\p{Co}/u.test(char)) return "a private-use character, which shows differently on every system";
  if (/\p{Cn}/u.test(char)) return "a code point Unicode has not assigned";
  // Emoji are fine to Keycloak's database (names are nationalized columns), but names are
  // identifiers: they appear in token claims that apps compare byte for byte, in Admin API paths
  // and in Pulumi resource names, and an emoji has several invisible spellings that look alike
  // (with or without variation selector, joined sequences, skin tones). Letters of any script are
  // fine; display names and descriptions may carry emoji.
  if (SYMBOL.test(char))
    return "an emoji or pictographic symbol: names are identifiers (in tokens, URLs and resource names) and symbols have look-alike spellings; hint: use letters, digits and punctuation, and put the emoji in a display name or description";
  return undefined;
}

/** Why one character may not be in free text (display names, descriptions); undefined when it may. */
function textCharacterProblem(char: string): string | undefined {
  if (BIDI.test(char)) return "a bidirectional control character: it changes the order in which text is displayed";
  if (/\p{Cc}/u.test(char) && char !== "\n" && char !== "\t") return "a control character";
  // Zero-width (non-)joiners shape Arabic and Indic scripts and join emoji sequences; every other
  // invisible formatting character only hides something.
  if (/\p{Cf}/u.test(char) && char !== "\u200C" && char !== "\u200D") return "an invisible formatting character";
  if (/\p{Cs}/u.test(char)) return "half of a broken character (a lone surrogate)";
  return undefined;
}

/** "a group name", "an alias". */
export const article = (what: string) => `${/^[aeiou]/i.test(what) ? "an" : "a"} ${what}`;

/** U+202E, the way people look characters up. */
export const codePoint = (char: string) => `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;

/** The first character `problem` refuses, described with its position; undefined when none. */
function firstBadCharacter(value: string, problem: (char: string) => string | undefined): string | undefined {
  const chars = [...value];
  for (const [index, char] of chars.entries()) {
    const why = problem(char);
    if (why) return `contains ${codePoint(char)} at character ${index + 1} of ${chars.length}, ${why}`;
  }
  return undefined;
}

export interface StringRule {
  /** What the field is, for messages: "group name", "display name". */
  what: string;
  /** Most characters Keycloak keeps; undefined where its column is unbounded (text/CLOB). */
  max: number | undefined;
  /** Where `max` comes from, e.g. inColumn(255). */
  why?: string;
  /** Names (identifiers) or free text (shown to people). */
  kind: "name" | "text";
}

/** The problems of one string under `rule`, as messages; empty when it is fine. */
export function stringProblems(value: string, rule: StringRule): string[] {
  const problems: string[] = [];
  const length = characters(value);
  if (rule.max !== undefined && length > rule.max)
    problems.push(`expected ${article(rule.what)} of at most ${rule.max} characters (${rule.why ?? inColumn(rule.max)}), got ${length} characters; hint: shorten it`);
  const bad = firstBadCharacter(value, rule.kind === "name" ? nameCharacterProblem : textCharacterProblem);
  if (bad) problems.push(`the ${rule.what} ${received(value)} ${bad}${bad.includes("hint:") ? "" : "; hint: retype it without that character"}`);
  if (rule.kind === "name" && value !== value.trim()) problems.push(`the ${rule.what} ${received(value)} starts or ends with a space; hint: remove it`);
  return problems;
}

/** Adds the problems of `value` under `rule` to a zod refinement context. */
export function checkString(value: string, rule: StringRule, ctx: z.RefinementCtx): void {
  for (const message of stringProblems(value, rule)) ctx.addIssue({ code: "custom", message, input: value });
}

/** A name (identifier) Keycloak stores in a column of `max` (255 by default). */
export const name = (what: string, max: number | undefined = COLUMN, why?: string) =>
  z
    .string()
    .superRefine((value, ctx) => checkString(value, { what, max, why, kind: "name" }, ctx))
    .meta(lengthSchema(max));

/** Free text people read (display names, descriptions), in a column of `max` (255 by default). */
export const text = (what: string, max: number | undefined = COLUMN, why?: string) =>
  z
    .string()
    .superRefine((value, ctx) => checkString(value, { what, max, why, kind: "text" }, ctx))
    .meta(lengthSchema(max));

/** The limit in the published JSON Schema too (its maxLength counts characters, as Keycloak does), for editors. */
export const lengthSchema = (max: number | undefined) => (max === undefined ? {} : { maxLength: max });
