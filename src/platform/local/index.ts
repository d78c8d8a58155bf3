import type { StackConfig } from "../../config/stack";

/** The local platform's Keycloak listens on loopback; `npm run dev:up` starts it on this port. */
export function localUrl(local: NonNullable<StackConfig["local"]>): string {
  return `http://127.0.0.1:${local.port}`;
}
