import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
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
    ],
  },
});
