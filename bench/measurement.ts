// What one measurement is, and what the runner lends it: a work directory and, started on first
// demand and shared by every measurement of the run, one Keycloak on this machine.
import type { KeycloakUnderTest } from "./keycloak";

export interface BenchContext {
  /** A directory of this run's own, removed when it ends. */
  workDir: string;
  /** The run's Keycloak, started on the first call. */
  keycloak(): Promise<KeycloakUnderTest>;
}

export interface Measurement {
  /** Its row in the table. */
  name: string;
  /** What a run times, one line under the table. */
  description: string;
  /** Sets up what its runs need (a project, a stack); resolves to one run, which resolves to the seconds it took. */
  prepare(context: BenchContext): Promise<() => Promise<number>>;
}

/** The seconds `work` takes. */
export async function seconds(work: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - started) / 1e9;
}
