// npm run bench -- [--runs N] [--only TEXT ...]: runs every measurement N times (default 3),
// interleaved (run 1 of each, then run 2 of each, ...) so that a change in the machine's load
// falls on all of them alike, and prints the medians as a table, also written to
// bench/results/latest.md. Not part of npm test: it times, it does not assert.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { type KeycloakUnderTest, startBenchKeycloak } from "./keycloak";
import type { BenchContext, Measurement } from "./measurement";
import { programStart } from "./measurements/program-start";
import { refusalMeasurements } from "./measurements/refusal";

const MEASUREMENTS: Measurement[] = [...refusalMeasurements, programStart];
const RESULTS = path.join(__dirname, "results", "latest.md");

interface Result {
  measurement: Measurement;
  runs: number[];
}

const log = (message: string) => process.stderr.write(`==> ${message}\n`);
const loadAverage = () => os.loadavg().map((n) => n.toFixed(2)).join(" ");
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

function chosenMeasurements(only: string[]): Measurement[] {
  const chosen = only.length ? MEASUREMENTS.filter((m) => only.some((text) => m.name.includes(text))) : MEASUREMENTS;
  if (chosen.length === 0) throw new Error(`no measurement matches ${only.join(", ")}; the measurements are:\n${MEASUREMENTS.map((m) => `  ${m.name}`).join("\n")}`);
  return chosen;
}

/** A work directory, and the Keycloak that measurements start on demand; both gone at the end. */
function benchContext(): BenchContext & { close(): Promise<void> } {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-bench-"));
  let keycloak: Promise<KeycloakUnderTest> | undefined;
  return {
    workDir,
    keycloak: () => {
      keycloak ??= (log("starting Keycloak (minutes on a busy machine)"), startBenchKeycloak(workDir));
      return keycloak;
    },
    close: async () => {
      if (keycloak) await (await keycloak).stop();
      fs.rmSync(workDir, { recursive: true, force: true });
    },
  };
}

async function measure(measurements: Measurement[], runs: number, context: BenchContext): Promise<Result[]> {
  const prepared = [];
  for (const measurement of measurements) {
    log(`preparing ${measurement.name}`);
    prepared.push({ measurement, run: await measurement.prepare(context), runs: [] as number[] });
  }
  for (let i = 1; i <= runs; i++) {
    for (const entry of prepared) {
      const took = await entry.run();
      entry.runs.push(took);
      log(`${entry.measurement.name}: run ${i} of ${runs}: ${took.toFixed(2)} s (load ${loadAverage()})`);
    }
  }
  return prepared.map(({ measurement, runs }) => ({ measurement, runs }));
}

function table(results: Result[], loadBefore: string, loadAfter: string): string {
  const rows = results.map(({ measurement, runs }) => `| ${measurement.name} | ${median(runs).toFixed(2)} | ${runs.map((s) => s.toFixed(2)).join(", ")} |`);
  return [
    `keycloak-fleet bench, ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC, ${os.cpus().length} cores, load average (1, 5, 15 min) ${loadBefore} before, ${loadAfter} after`,
    "",
    "| measurement | median (s) | runs (s) |",
    "|---|---|---|",
    ...rows,
    "",
    ...results.map(({ measurement }) => `- ${measurement.name}: ${measurement.description}`),
  ].join("\n");
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: "string", default: "3" }, only: { type: "string", multiple: true, default: [] } } });
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs takes a whole number of at least 1, got ${values.runs}`);
  const measurements = chosenMeasurements(values.only);
  const context = benchContext();
  try {
    const loadBefore = loadAverage();
    const results = await measure(measurements, runs, context);
    const report = table(results, loadBefore, loadAverage());
    fs.mkdirSync(path.dirname(RESULTS), { recursive: true });
    fs.writeFileSync(RESULTS, `${report}\n`);
    process.stdout.write(`${report}\n`);
    log(`written to ${path.relative(process.cwd(), RESULTS)}`);
  } finally {
    await context.close();
  }
}

main().catch((error: Error) => {
  process.stderr.write(`error: ${error.message}\n`);
  process.exitCode = 1;
});
