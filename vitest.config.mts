import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * The files that need the test cluster's tools after every other file, the cluster tier (test/
 * cluster) last: from empty caches toolchain/setup.sh builds Kubernetes, CoreDNS, Traefik and
 * kube-router in the background, on the CPU the rest of the run leaves idle.
 */
class ClusterToolsLast extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (file: TestSpecification) => (file.moduleId.includes("/test/cluster/") ? 2 : file.moduleId.endsWith("/kubernetes-manifests.test.ts") ? 1 : 0);
    return [0, 1, 2].flatMap((r) => sorted.filter((f) => rank(f) === r));
  }
}

// The oldest Keycloak the product supports (toolchain/versions.env, exported with its home by
// toolchain/lib.sh): its project runs the core e2e files on it, and its name says the version.
const oldestKeycloakVersion = process.env.KEYCLOAK_OLDEST_VERSION ?? "unprovisioned";
const oldestKeycloakCoreFiles = ["test/e2e/skeleton.test.ts", "test/e2e/kitchen-sink.test.ts", "test/e2e/platform.test.ts"];

export default defineConfig({
  test: {
    sequence: { sequencer: ClusterToolsLast },
    projects: [
      // Mocks only, seconds in all; but a busy 2-core machine stretches the slowest past 5 s.
      { test: { name: "unit", include: ["test/unit/**/*.test.ts"], testTimeout: 30_000 } },
      {
        test: {
          name: "e2e",
          // test/cluster: the cluster tier, a real single-node Kubernetes (test/cluster/cluster.ts).
          include: ["test/e2e/**/*.test.ts", "test/cluster/**/*.test.ts"],
          // One Keycloak for the whole run (global-setup.ts); files take turns on 2 cores.
          globalSetup: ["test/e2e/global-setup.ts"],
          fileParallelism: false,
          testTimeout: 600_000,
          hookTimeout: 600_000,
        },
      },
      {
        test: {
          name: `e2e-oldest-keycloak-${oldestKeycloakVersion}`,
          include: oldestKeycloakCoreFiles,
          // The same global setup starts this project's own Keycloak from the distribution its env
          // names, and the files' workers (and any Keycloak they start) see the same. Files of
          // both e2e projects share vitest's one sequential queue: never two at once.
          env: { KEYCLOAK_HOME: process.env.KEYCLOAK_OLDEST_HOME ?? "" },
          globalSetup: ["test/e2e/global-setup.ts"],
          fileParallelism: false,
          testTimeout: 600_000,
          hookTimeout: 600_000,
        },
      },
    ],
  },
});
