// The temporary passwords `users add` and `users reset-password` print: they must pass the usual
// Keycloak password policies (every character class, at most 32 characters) and never repeat.
import { describe, expect, it } from "vitest";
import { temporaryPassword } from "../../src/ops/user-passwords";

describe("temporary passwords", () => {
  const passwords = Array.from({ length: 2000 }, temporaryPassword);

  it("are 32 URL- and shell-safe characters with upper and lower case, a digit and a special character", () => {
    for (const password of passwords) {
      expect(password).toMatch(/^[A-Za-z0-9_-]{32}$/);
      for (const characterClass of [/[A-Z]/, /[a-z]/, /[0-9]/, /[-_]/]) expect(password).toMatch(characterClass);
    }
  });

  it("never repeat", () => {
    expect(new Set(passwords).size).toBe(passwords.length);
  });
});
