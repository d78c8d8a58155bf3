// What one measurement is, and what the runner lends it: a work directory and, started on first
// demand and shared by every measurement of the run, one Keycloak on this machine.
import type { KeycloakUnderTest } from "./keycloak";

export interface BenchContext {
  /** A directory of this run's own, removed when it ends. */
  workDir: string;
  /** The run's Keycloak, started on the first call. */
  keycloak(): Promise<KeycloakUnderTest>;
}

/** Who does the work: the product, or a peer on the same content and the same Keycloak. */
export type Tool = "keycloak-fleet" | "OpenTofu" | "Keycloak import";

/** One timed run: seconds, and the peak memory of the process tree where the tool has one. */
export interface Sample {
  seconds: number;
  peakMiB?: number;
}

export interface Measurement {
  tool: Tool;
  /** What is timed, the same words for every tool that does it ("create on an empty realm"). */
  operation: string;
  /** The size of the realm it works on, for the operations that converge one. */
  objects?: number;
  /** What a run times, one line under the table. */
  description: string;
  /** Sets up what its runs need (a project, a stack); resolves to one run. */
  prepare(context: BenchContext): Promise<() => Promise<Sample>>;
}

/** How a measurement is named in logs and matched by --only. */
export const measurementName = (m: Pick<Measurement, "tool" | "operation" | "objects">) =>
  `${m.tool}: ${m.operation}${m.objects === undefined ? "" : ` (${m.objects} objects)`}`;

/** The seconds `work` takes. */
export async function seconds(work: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - started) / 1e9;
}
