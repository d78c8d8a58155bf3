// Rules on the realm resource: TLS, brute-force protection, password length, OTP policy.
import type { ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { forTypes, KEYCLOAK, problem, type Check } from "./resources";
import { platformName, type StackFacts } from "./stack";

/** The inputs of keycloak.Realm these rules read. */
interface RealmInputs {
  realm: string;
  sslRequired: string;
  passwordPolicy: string;
  securityDefenses: { bruteForceDetection?: { maxLoginFailures?: number } };
  otpPolicy: { type?: string; algorithm?: string; digits?: number; period?: number };
}

const onRealm = (check: Check<RealmInputs>) => forTypes<RealmInputs>([KEYCLOAK.realm], check);
const subject = (realm: Partial<RealmInputs>, args: ResourceValidationArgs) => `realm "${realm.realm ?? args.name}"`;

/**
 * The shortest password the baseline accepts. OWASP ASVS 4.0.3, V2.1.1: user-set passwords of
 * at least 12 characters; NIST SP 800-63B asks for at least 8 only next to a second factor, and
 * realms here require OTP for some groups only.
 */
export const MIN_PASSWORD_LENGTH = 12;

/** What Keycloak's `length` password policy means without an argument. */
const KEYCLOAK_DEFAULT_LENGTH = 8;

/**
 * The minimum length a Keycloak password policy ("length(12) and notUsername") sets; 0 when it
 * sets none, so Keycloak accepts a one-character password.
 */
export function minimumPasswordLength(policy: string | undefined): number {
  const lengths = (policy ?? "")
    .split(/\s+and\s+/)
    .map((part) => /^\s*length\s*(?:\(\s*(\d+)\s*\))?\s*$/.exec(part))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => (match[1] === undefined ? KEYCLOAK_DEFAULT_LENGTH : Number(match[1])));
  return Math.max(0, ...lengths);
}

/** The OTP settings authenticator apps handle and that keep a code short-lived. */
export const OTP = {
  types: ["totp", "hotp"],
  algorithms: ["HmacSHA1", "HmacSHA256", "HmacSHA512"],
  digits: [6, 8],
  period: { min: 30, max: 60 },
} as const;

/** What is wrong with an OTP policy, one phrase each; empty when it is sane. */
export function otpProblems(otp: Partial<RealmInputs["otpPolicy"]>): string[] {
  const problems: string[] = [];
  const { type, algorithm, digits, period } = otp;
  if (type !== undefined && !(OTP.types as readonly string[]).includes(type)) problems.push(`type "${type}" is not ${OTP.types.join(" or ")}`);
  if (algorithm !== undefined && !(OTP.algorithms as readonly string[]).includes(algorithm))
    problems.push(`algorithm "${algorithm}" is not one of ${OTP.algorithms.join(", ")}`);
  if (digits !== undefined && !(OTP.digits as readonly number[]).includes(digits)) problems.push(`${digits} digits (allowed: ${OTP.digits.join(" or ")})`);
  if (type !== "hotp" && period !== undefined && (period < OTP.period.min || period > OTP.period.max))
    problems.push(`a period of ${period} s (allowed: ${OTP.period.min} to ${OTP.period.max} s)`);
  return problems;
}

export function realmPolicies(facts: StackFacts): ResourceValidationPolicy[] {
  return [
    {
      name: "realm-ssl-required",
      description: 'Realms require TLS ("sslRequired: none" only on the local platform).',
      enforcementLevel: "mandatory",
      severity: "high",
      validateResource: onRealm((realm, args, report) => {
        if (realm.sslRequired !== "none" || facts.platform === "local") return;
        report(
          problem(
            subject(realm, args),
            `sslRequired is "none" on ${platformName(facts)}, so Keycloak takes passwords and issues tokens over plain HTTP from any network`,
            'set sslRequired: external (TLS except from private addresses) or all in the realm spec; "none" is for the local platform only',
          ),
        );
      }),
    },
    {
      name: "realm-brute-force-protection",
      description: "Realms lock accounts out after repeated failed logins.",
      enforcementLevel: "mandatory",
      severity: "high",
      validateResource: onRealm((realm, args, report) => {
        if (realm.securityDefenses?.bruteForceDetection) return;
        report(
          problem(
            subject(realm, args),
            "brute-force detection is off, so anyone may guess passwords without limit",
            "add bruteForce: {} to the realm spec (30 failures, then growing waits up to 15 minutes) or set its maxFailures, waitIncrement and maxWait",
          ),
        );
      }),
    },
    {
      name: "realm-password-length",
      description: `Realms require passwords of at least ${MIN_PASSWORD_LENGTH} characters (OWASP ASVS V2.1.1).`,
      enforcementLevel: "mandatory",
      severity: "high",
      validateResource: onRealm((realm, args, report) => {
        const length = minimumPasswordLength(realm.passwordPolicy);
        if (length >= MIN_PASSWORD_LENGTH) return;
        const now = realm.passwordPolicy ? `its password policy "${realm.passwordPolicy}" allows passwords of ${length || "any"} characters` : "it has no password policy, so a one-character password is accepted";
        report(
          problem(
            subject(realm, args),
            `${now}; the baseline is at least ${MIN_PASSWORD_LENGTH} (OWASP ASVS V2.1.1)`,
            `set passwordPolicy: "length(${MIN_PASSWORD_LENGTH}) and notUsername" in the realm spec (or raise its length(...))`,
          ),
        );
      }),
    },
    {
      name: "realm-otp-policy",
      description: `OTP codes have ${OTP.digits.join(" or ")} digits, a ${OTP.period.min}-${OTP.period.max} s period and a known HMAC algorithm.`,
      enforcementLevel: "mandatory",
      severity: "medium",
      validateResource: onRealm((realm, args, report) => {
        const problems = realm.otpPolicy ? otpProblems(realm.otpPolicy) : [];
        if (problems.length === 0) return;
        report(
          problem(
            subject(realm, args),
            `its OTP policy has ${problems.join(", ")}`,
            "use authentication.otp: { type: totp, algorithm: HmacSHA1, digits: 6, period: 30 }, which every authenticator app supports",
          ),
        );
      }),
    },
  ];
}
