// The restore procedure for volume backups (src/platform/kubernetes/backup.ts): its commands are
// what people run and what the cluster tests run step by step, so they must name exactly the
// objects the component declares, keep to kubectl, and be valid shell.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { volumeRestoreSteps, type RestoreStep } from "../../src/platform/kubernetes/backup";
import { deployCluster, finder } from "./fixtures";
import { recordRegistrations, type Registration } from "./mocks";

const sent: Registration[] = recordRegistrations();
const { one } = finder(sent);
const IMAGE = "localhost/keycloak-fleet/postgres:15";

let steps: RestoreStep[];
beforeAll(async () => {
  await deployCluster(sent, {
    namespace: "identity",
    replicas: 3,
    database: { type: "bundled", image: IMAGE },
    backup: { schedule: "30 2 * * 0", target: { type: "volume" } },
  });
  steps = volumeRestoreSteps({ namespace: "identity", name: "keycloak", replicas: 3, image: IMAGE });
});

const commands = () => steps.map((step) => step.command);
/** The kubectl invocations of a pipeline (a pipe inside a quoted `sh -c` stays where it is). */
const stages = (command: string) => command.split(/ \| (?=kubectl )/);
const indexOf = (fragment: string) => commands().findIndex((command) => command.includes(fragment));
/** The JSON of `kubectl run --overrides='...'`. */
const overrides = () => JSON.parse(/--overrides='([^']*)'/.exec(commands()[indexOf("--overrides")])![1]);

describe("volumeRestoreSteps", () => {
  it("runs kubectl only, in the stack's namespace, as valid shell", () => {
    for (const { purpose, command } of steps) {
      expect(purpose).not.toBe("");
      for (const stage of stages(command)) expect(stage).toMatch(/^kubectl -n identity /);
      // sh -n parses without running: quoting mistakes fail here.
      execFileSync("sh", ["-n", "-c", command]);
    }
  });

  it("stops Keycloak and the backups first and starts them again last, at the configured replicas", () => {
    const restore = indexOf("pg_restore");
    const cronJob = one("kubernetes:batch/v1:CronJob", "keycloak-backup").inputs.metadata.name;
    const deployment = one("kubernetes:apps/v1:Deployment", "keycloak").inputs.metadata.name;
    expect(commands()[0]).toBe(`kubectl -n identity patch cronjob ${cronJob} --type=merge -p '{"spec":{"suspend":true}}'`);
    expect(indexOf(`scale deployment ${deployment} --replicas=0`)).toBeLessThan(restore);
    expect(indexOf(`scale deployment ${deployment} --replicas=3`)).toBeGreaterThan(restore);
    expect(indexOf(`rollout status deployment ${deployment}`)).toBeGreaterThan(restore);
    expect(commands().at(-1)).toContain(`patch cronjob ${cronJob} --type=merge -p '{"spec":{"suspend":false}}'`);
  });

  it("waits until Keycloak's own pods are gone before restoring", () => {
    const wait = commands()[indexOf("--for=delete")];
    const selector = /-l (\S+)/.exec(wait)![1];
    const podLabels = one("kubernetes:apps/v1:Deployment", "keycloak").inputs.spec.template.metadata.labels;
    expect(Object.fromEntries(selector.split(",").map((pair) => pair.split("=")))).toEqual(podLabels);
    expect(indexOf("--for=delete")).toBeLessThan(indexOf("pg_restore"));
  });

  it("reads the dumps through a pod that mounts the backup claim read-only, with the database's image", () => {
    const claim = one("kubernetes:core/v1:PersistentVolumeClaim", "keycloak-backup").inputs.metadata.name;
    const { spec } = overrides();
    expect(spec.volumes).toEqual([{ name: "backup", persistentVolumeClaim: { claimName: claim, readOnly: true } }]);
    expect(spec.containers).toEqual([
      expect.objectContaining({ image: IMAGE, volumeMounts: [{ name: "backup", mountPath: "/backup", readOnly: true }] }),
    ]);
    expect(commands()[indexOf("--overrides")]).toContain(`--image=${IMAGE}`);
    expect(indexOf("delete pod")).toBeGreaterThan(indexOf("pg_restore"));
  });

  it("streams the newest dump into pg_restore in the database pod, as the database's owner", () => {
    const statefulSet = one("kubernetes:apps/v1:StatefulSet", "keycloak-postgres").inputs;
    const env = statefulSet.spec.template.spec.containers[0].env;
    const database = env.find((e: { name: string }) => e.name === "POSTGRES_DB").value;
    const user = one("kubernetes:core/v1:Secret", "keycloak-database").inputs.stringData.username;
    const [read, restore] = stages(commands()[indexOf("pg_restore")]);
    // Dump names carry a UTC timestamp, so the last in name order is the newest.
    expect(read).toContain(`sh -c 'cat "$(ls /backup/keycloak-*.dump | tail -n 1)"'`);
    expect(restore).toBe(
      `kubectl -n identity exec -i ${statefulSet.metadata.name}-0 -- pg_restore --clean --if-exists --no-owner -U ${user} -d ${database}`,
    );
  });

  it("is what the README lists, for the default names", () => {
    const readme = fs.readFileSync(path.join(__dirname, "../../README.md"), "utf8");
    const section = readme.slice(readme.indexOf("### Restoring a backup"));
    const listed = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
    const defaults = volumeRestoreSteps({ namespace: "keycloak", name: "keycloak", replicas: 2, image: "postgres:16.4" });
    expect(listed).toBe(defaults.map((step) => `# ${step.purpose}\n${step.command}\n`).join(""));
  });
});
