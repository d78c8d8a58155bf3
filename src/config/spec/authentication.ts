import { z } from "zod";

const OtpPolicy = z
  .object({
    type: z.enum(["totp", "hotp"]).default("totp"),
    algorithm: z.enum(["HmacSHA1", "HmacSHA256", "HmacSHA512"]).default("HmacSHA1"),
    digits: z.union([z.literal(6), z.literal(8)]).default(6),
    period: z.number().int().min(15).max(120).default(30),
    lookAhead: z.number().int().min(0).max(10).default(1),
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
