// The toolchain's background builds, from the tests that need them. From empty caches `npm test`
// (toolchain/setup.sh --tests) starts the test cluster's Go builds in the background and does not
// wait for them; the files that need them run last (vitest.config.mts) and wait here, on the same
// locks the builds hold. Warm, this returns in a second.
import { execFile } from "node:child_process";
import * as path from "node:path";
import { promisify } from "node:util";

const SETUP = path.resolve(__dirname, "../../toolchain/setup.sh");

/** `setup.sh --kubernetes` (kube-apiserver and the rest) or `--cluster-tools` (those, CoreDNS, Traefik, kube-router). */
export async function toolchainReady(part: "kubernetes" | "cluster-tools", log: (line: string) => void = console.log): Promise<void> {
  const started = Date.now();
  try {
    await promisify(execFile)("bash", [SETUP, `--${part}`], { encoding: "utf8", maxBuffer: 16 * 1024 * 1024 });
  } catch (error: any) {
    throw new Error(`toolchain/setup.sh --${part} failed:\n${String(error.stderr ?? error.message).split("\n").slice(-30).join("\n")}`);
  }
  const waited = Math.round((Date.now() - started) / 1000);
  if (waited > 10) log(`toolchain: waited ${waited}s for the ${part} build that setup.sh started in the background`);
}
