// PULUMI_SKIP_CHECKPOINTS (the state saved once, at the end) is safe only where a crash can be
// repaired from Keycloak itself: the realm layer, not a cluster whose passwords live in the state.
import { describe, expect, it } from "vitest";
import { refuseSkippedCheckpoints } from "../../src/platform";

describe("state saved only at the end of an update", () => {
  it("is refused on the kubernetes platform, saying why and what to do", () => {
    expect(() => refuseSkippedCheckpoints("kubernetes", { PULUMI_SKIP_CHECKPOINTS: "true" })).toThrow(/PULUMI_SKIP_CHECKPOINTS on the kubernetes platform[\s\S]*hint: unset/);
    expect(() => refuseSkippedCheckpoints("kubernetes", { PULUMI_SKIP_CHECKPOINTS: "1" })).toThrow(/generated passwords/);
  });

  it("is allowed where fleet repair can find every object again, and when it is off", () => {
    for (const platform of ["local", "external"]) expect(() => refuseSkippedCheckpoints(platform, { PULUMI_SKIP_CHECKPOINTS: "true" })).not.toThrow();
    expect(() => refuseSkippedCheckpoints("kubernetes", { PULUMI_SKIP_CHECKPOINTS: "false" })).not.toThrow();
    expect(() => refuseSkippedCheckpoints("kubernetes", {})).not.toThrow();
  });
});
