import { z } from "zod";
import { received, wholeNumber } from "../schema-helpers";

const OtpPolicy = z
  .object({
    type: z.enum(["totp", "hotp"]).default("totp"),
    algorithm: z.enum(["HmacSHA1", "HmacSHA256", "HmacSHA512"]).default("HmacSHA1"),
    /** The code lengths Keycloak's OTP policy offers (and authenticator apps support). */
    digits: z
      .literal([6, 8], { error: (iss) => `expected 6 or 8 digits (the code lengths Keycloak's OTP policy offers), got ${received(iss.input)}; hint: 6 is what most authenticator apps expect` })
      .default(6),
    period: wholeNumber(15, 120, "seconds").default(30),
    lookAhead: wholeNumber(0, 10, "periods").default(1),
  })
  .strict();

export const AuthenticationSpec = z
  .object({
    otp: OtpPolicy.optional(),
    /**
     * OTP at browser login, for everyone or for members of the given groups (paths). Builds a
     * copy of the browser flow with a conditional OTP step and binds it once complete.
     */
    requireOtp: z.union([z.object({ everyone: z.literal(true) }).strict(), z.object({ groups: z.array(z.string()).min(1) }).strict()]).optional(),
    /** Required actions users may be asked to do; `default` ones apply to every new user. */
    requiredActions: z
      .array(
        z
          .object({
            alias: z.enum(["CONFIGURE_TOTP", "UPDATE_PASSWORD", "VERIFY_EMAIL", "UPDATE_PROFILE", "TERMS_AND_CONDITIONS"]),
            enabled: z.boolean().default(true),
            default: z.boolean().default(false),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();
export type AuthenticationSpec = z.output<typeof AuthenticationSpec>;
