// The bench's Keycloak: the same distribution and dev mode as `npm run dev:up`, with its own
// data directory, loopback port and random admin secrets.
import * as path from "node:path";
import { randomSecret } from "../src/ops/workspace";
import { freePort, startLocalKeycloak, stopLocalKeycloak } from "../src/platform/local/server";

export interface KeycloakUnderTest {
  url: string;
  port: number;
  admin: { username: string; password: string; clientId: string; clientSecret: string };
  stop(): Promise<void>;
}

export async function startBenchKeycloak(workDir: string): Promise<KeycloakUnderTest> {
  const dataDir = path.join(workDir, "keycloak");
  const port = await freePort();
  const admin = { username: "admin", password: randomSecret(), clientId: "keycloak-fleet", clientSecret: randomSecret() };
  // A busy machine can take minutes to start Keycloak.
  const server = await startLocalKeycloak({ dataDir, port, admin, timeoutMs: 600_000 });
  return { url: server.url, port, admin, stop: async () => void (await stopLocalKeycloak(dataDir)) };
}
