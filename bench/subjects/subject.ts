// A tool under measurement, converging one bench realm on the run's Keycloak. Every tool starts
// each create from the same place (no realm in Keycloak, nothing in its state) and answers the
// no-change plans and the one-field change on the realm its create made.
import type { BenchContext, Measurement, Sample, Tool } from "../measurement";

export interface Subject {
  /** Untimed: the realm gone from Keycloak and from the tool's state. */
  reset(): Promise<void>;
  create(): Promise<Sample>;
  /** The same create with the state saved once, at the end (keycloak-fleet: PULUMI_SKIP_CHECKPOINTS). */
  createSavingAtEnd?(): Promise<Sample>;
  /** A plan that must find nothing to change, reading Keycloak first or not. */
  plan?(refresh: boolean): Promise<Sample>;
  /** The first realm role's description set to `description`: one update, in place. */
  change?(description: string, savingAtEnd?: boolean): Promise<Sample>;
}

export const OPERATIONS = [
  "create on an empty realm",
  "create, state saved at the end",
  "no change, no refresh",
  "no change, with refresh",
  "one field changed",
  "one field changed, state saved at the end",
] as const;
export type Operation = (typeof OPERATIONS)[number];

/**
 * The measurements of one tool on one realm size, sharing one subject (made on first use). In
 * the runner's interleaved rounds each create comes before the plans and the change of its round.
 */
export function subjectMeasurements(
  tool: Tool,
  objects: number,
  describe: Partial<Record<Operation, string>>,
  makeSubject: (context: BenchContext) => Promise<Subject>,
): Measurement[] {
  let subject: Promise<Subject> | undefined;
  const shared = (context: BenchContext) => (subject ??= makeSubject(context));
  let changes = 0;
  // Whether a create has converged the realm; a run of plans or changes alone (--only) makes it
  // first, untimed.
  let created = false;
  const creating = (create: () => Promise<Sample>) => async () => {
    created = false;
    const sample = await create();
    created = true;
    return sample;
  };
  const createFresh = (s: Subject) => creating(async () => (await s.reset(), s.create()));
  const onCreated = (s: Subject, work: () => Promise<Sample>) => async () => {
    if (!created) await createFresh(s)();
    return work();
  };
  const runs: Record<Operation, (s: Subject) => (() => Promise<Sample>) | undefined> = {
    "create on an empty realm": createFresh,
    "create, state saved at the end": (s) => s.createSavingAtEnd && creating(async () => (await s.reset(), s.createSavingAtEnd!())),
    "no change, no refresh": (s) => s.plan && onCreated(s, () => s.plan!(false)),
    "no change, with refresh": (s) => s.plan && onCreated(s, () => s.plan!(true)),
    "one field changed": (s) => s.change && onCreated(s, () => s.change!(`changed by bench run ${++changes}`)),
    "one field changed, state saved at the end": (s) => s.change && onCreated(s, () => s.change!(`changed by bench run ${++changes}`, true)),
  };
  return OPERATIONS.filter((operation) => describe[operation] !== undefined).map((operation) => ({
    tool,
    operation,
    objects,
    description: describe[operation]!,
    prepare: async (context) => {
      const run = runs[operation](await shared(context));
      if (!run) throw new Error(`${tool} has no way to measure "${operation}"`);
      return run;
    },
  }));
}
