// npm run bench -- [--runs N] [--sizes 10,100,1000] [--only TEXT ...]: runs every measurement N
// times (default 3), interleaved (run 1 of each, then run 2 of each, ...) so that a change in the
// machine's load falls on all tools alike, and prints the medians side by side with the ratios
// of keycloak-fleet to each peer, also written to bench/results/latest.md. Not part of npm test:
// it times, it does not assert (beyond checking that each tool did the work it was timed for).
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { type KeycloakUnderTest, startBenchKeycloak } from "./keycloak";
import { type BenchContext, type Measurement, measurementName, type Sample, type Tool } from "./measurement";
import { programStart } from "./measurements/program-start";
import { refusalMeasurements } from "./measurements/refusal";
import { benchRealm, objectCount } from "./realm-mix";
import { fleetMeasurements } from "./subjects/fleet";
import { keycloakImportMeasurements } from "./subjects/keycloak-import";
import { openTofuMeasurements } from "./subjects/opentofu";
import { OPERATIONS } from "./subjects/subject";

const RESULTS = path.join(__dirname, "results", "latest.md");
const PEERS: Tool[] = ["OpenTofu", "Keycloak import"];
const PEER_OPERATION: Record<string, string> = {
  "create, state saved at the end": "create on an empty realm",
  "one field changed, state saved at the end": "one field changed",
};

interface Result {
  measurement: Measurement;
  samples: Sample[];
}

const log = (message: string) => process.stderr.write(`==> ${message}\n`);
const loadAverage = () => os.loadavg().map((n) => n.toFixed(2)).join(" ");
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

/** Per size, each operation with every tool that does it, in that order: the interleaving of a round. */
function allMeasurements(sizes: number[]): Measurement[] {
  const converging = sizes.flatMap((objects) => {
    const all = [...fleetMeasurements(objects), ...openTofuMeasurements(objects), ...keycloakImportMeasurements(objects)];
    return OPERATIONS.flatMap((operation) => all.filter((m) => m.operation === operation));
  });
  return [...refusalMeasurements, programStart, ...converging];
}

function chosen(measurements: Measurement[], only: string[]): Measurement[] {
  const picked = only.length ? measurements.filter((m) => only.some((text) => measurementName(m).includes(text))) : measurements;
  if (picked.length === 0)
    throw new Error(`no measurement matches ${only.join(", ")}; the measurements are:\n${measurements.map((m) => `  ${measurementName(m)}`).join("\n")}`);
  return picked;
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
    log(`preparing ${measurementName(measurement)}`);
    prepared.push({ measurement, run: await measurement.prepare(context), samples: [] as Sample[] });
  }
  for (let i = 1; i <= runs; i++) {
    for (const entry of prepared) {
      const sample = await entry.run();
      entry.samples.push(sample);
      const memory = sample.peakMiB === undefined ? "" : `, peak ${Math.round(sample.peakMiB)} MiB`;
      log(`${measurementName(entry.measurement)}: run ${i} of ${runs}: ${sample.seconds.toFixed(2)} s${memory} (load ${loadAverage()})`);
    }
  }
  return prepared.map(({ measurement, samples }) => ({ measurement, samples }));
}

const fixed = (n: number | undefined, digits = 2) => (n === undefined ? "-" : n.toFixed(digits));
const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? "-" : `${(a / b).toFixed(1)}x`);

/** The side-by-side table: one row per size and operation, and a peak-memory row per size. */
function comparison(results: Result[]): string[] {
  const find = (tool: Tool, operation: string, objects: number | undefined) =>
    results.find((r) => r.measurement.tool === tool && r.measurement.operation === operation && r.measurement.objects === objects);
  const medianOf = (result: Result | undefined, pick: (s: Sample) => number | undefined) => {
    const values = result?.samples.map(pick).filter((v): v is number => v !== undefined) ?? [];
    return values.length ? median(values) : undefined;
  };
  const rows: string[] = [];
  const keys = [...new Map(results.map(({ measurement: m }) => [`${m.objects}|${m.operation}`, m])).values()];
  for (const { objects, operation } of keys) {
    const fleet = medianOf(find("keycloak-fleet", operation, objects), (s) => s.seconds);
    // A way of keycloak-fleet's own to do the same work compares with the peers' way to do it.
    const peerOperation = PEER_OPERATION[operation] ?? operation;
    const peers = PEERS.map((tool) => medianOf(find(tool, peerOperation, objects), (s) => s.seconds));
    rows.push(`| ${objects ?? "-"} | ${operation} | ${fixed(fleet)} | ${peers.map((p) => `${fixed(p)} | ${ratio(fleet, p)}`).join(" | ")} |`);
    if (operation === OPERATIONS[0]) {
      const memory = (tool: Tool) => medianOf(find(tool, operation, objects), (s) => s.peakMiB);
      const fleetMemory = memory("keycloak-fleet");
      rows.push(`| ${objects} | peak memory during the create (MiB) | ${fixed(fleetMemory, 0)} | ${PEERS.map((tool) => `${fixed(memory(tool), 0)} | ${ratio(fleetMemory, memory(tool))}`).join(" | ")} |`);
    }
  }
  return [
    "| objects | operation | keycloak-fleet | OpenTofu | fleet / OpenTofu | Keycloak import | fleet / import |",
    "|---|---|---|---|---|---|---|",
    ...rows,
  ];
}

function report(results: Result[], runs: number, loadBefore: string, loadAfter: string, sizes: number[]): string {
  const sizesLine = sizes.map((n) => `${n} (${objectCount(benchRealm("size", n))} Keycloak objects)`).join(", ");
  return [
    `keycloak-fleet bench, ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC, ${os.cpus().length} cores, ${runs} interleaved runs each, load average (1, 5, 15 min) ${loadBefore} before, ${loadAfter} after`,
    "",
    `Medians in seconds; realm sizes ${sizesLine}.`,
    "",
    ...comparison(results),
    "",
    "Every run:",
    "",
    ...results.map(({ measurement, samples }) => `- ${measurementName(measurement)}: ${samples.map((s) => s.seconds.toFixed(2)).join(", ")} s. ${measurement.description}`),
  ].join("\n");
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { runs: { type: "string", default: "3" }, sizes: { type: "string", default: "10,100,1000" }, only: { type: "string", multiple: true, default: [] } },
  });
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs takes a whole number of at least 1, got ${values.runs}`);
  const sizes = values.sizes.split(",").map(Number);
  if (sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--sizes takes whole numbers separated by commas, such as 10,100,1000; got ${values.sizes}`);
  const measurements = chosen(allMeasurements(sizes), values.only);
  const context = benchContext();
  try {
    const loadBefore = loadAverage();
    const results = await measure(measurements, runs, context);
    const text = report(results, runs, loadBefore, loadAverage(), sizes);
    fs.mkdirSync(path.dirname(RESULTS), { recursive: true });
    fs.writeFileSync(RESULTS, `${text}\n`);
    process.stdout.write(`${text}\n`);
    log(`written to ${path.relative(process.cwd(), RESULTS)}`);
  } finally {
    await context.close();
  }
}

main().catch((error: Error) => {
  process.stderr.write(`error: ${error.message}\n`);
  process.exitCode = 1;
});
