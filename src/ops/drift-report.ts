// A refreshed preview's engine events turned into what a person reads: each resource that
// differs, by what the spec calls it, and each field as "in code <value>, live <value>", with
// ids replaced by names and secrets never shown.
import type { EngineEvent, OpType, StepEventMetadata, StepEventStateMetadata } from "@pulumi/pulumi/automation";
import type { IdKind, KeycloakNames } from "./keycloak-names";
import { realmLocalName, realmOf, type ResourceRef, specName, UNKNOWN } from "./spec-names";

export interface DriftEntry {
  /** The realm the resource belongs to; undefined outside realms (the provider). */
  realm?: string;
  /** What the spec calls the resource: "client jupyterhub in realm platform". */
  resource: string;
  /** What differs and what the code will do about it: "missing live: will be recreated". */
  status: string;
  /** One line per field that differs: `field: in code <value>, live <value>`. */
  fields: string[];
}

/** The operations of a preview that mean Keycloak is not as the code says. */
const STATUS: Partial<Record<OpType, string>> = {
  update: "changed live",
  replace: "changed live in a field Keycloak cannot change in place: will be replaced",
  delete: "in Keycloak but no longer in the code: will be deleted",
  import: "exists live, not yet managed: will be adopted",
};

/** Fields that hold Keycloak ids, what kind of object they point at, and how to call them. */
const ID_FIELDS: Record<string, { kind: IdKind; label: string }> = {
  roleIds: { kind: "role", label: "roles" },
  compositeRoles: { kind: "role", label: "composite roles" },
  groupIds: { kind: "group", label: "groups" },
  groupId: { kind: "group", label: "group" },
  parentId: { kind: "group", label: "parent group" },
  clientId: { kind: "client", label: "clientId" },
  clientScopeId: { kind: "clientScope", label: "client scope" },
  serviceAccountUserId: { kind: "user", label: "service account" },
};

/** Fields that hold secrets, wherever they sit (clientSecret, smtpServer.auth.password, ...). */
const SECRET_FIELD = /(^|\.)(clientSecret|bindCredential|password|initialPassword)(\.|$)/;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The engine shows a secret as {<signature>: <secret sig>, ciphertext: "[secret]"}. */
function isSecret(value: unknown): boolean {
  return typeof value === "object" && value !== null && (value as Record<string, unknown>)["4dabf18193072939515e22adb298388d"] === "1b47061264138c4ac30d75fd1eb44270";
}

/** What a refreshed preview's events say: the state before the refresh, and the plan. */
export class PreviewSteps {
  /** Each resource as the state had it before the refresh, by URN. */
  readonly before = new Map<string, StepEventStateMetadata>();
  /** URNs by the id they had before the refresh, to name what a computed id stands for. */
  private readonly urnsById = new Map<string, string>();
  /** Every planned step of a custom resource, by URN, in the engine's order. */
  readonly planned = new Map<string, StepEventMetadata>();

  record(event: EngineEvent): void {
    const step = event.resourcePreEvent?.metadata;
    if (!step) return;
    if (step.op === "refresh") {
      if (!step.old) return;
      this.before.set(step.urn, step.old);
      if (step.old.id) this.urnsById.set(step.old.id, step.urn);
    } else if ((step.new ?? step.old)?.custom) {
      this.planned.set(step.urn, step);
    }
  }

  /** How many resources the preview compared with Keycloak. */
  get compared(): number {
    return this.planned.size;
  }

  /**
   * What the computed ids in a field stand for: the objects the field pointed at before the
   * refresh that Keycloak lost and the update recreates (a deleted client role, say).
   */
  recreatedTargets(urn: string, path: string): string[] {
    const previous = [getPath(this.before.get(urn)?.inputs, path)].flat();
    return previous.flatMap((id) => {
      const target = typeof id === "string" ? this.planned.get(this.urnsById.get(id) ?? "") : undefined;
      return target && (target.op === "create" || target.op === "replace") ? [`${shortName(refOf(target))} (recreated by the fix)`] : [];
    });
  }
}

/** The entries of the report, sorted; empty when Keycloak matches the code. */
export async function driftEntries(steps: PreviewSteps, names: KeycloakNames): Promise<DriftEntry[]> {
  const entries: DriftEntry[] = [];
  for (const step of steps.planned.values()) {
    const ref = refOf(step);
    const entry = { realm: realmOf(ref), resource: specName(ref) };
    if (step.op === "create") {
      const status = steps.before.has(step.urn) ? "missing live: will be recreated" : "not deployed yet: will be created";
      entries.push({ ...entry, status, fields: [] });
    } else if (STATUS[step.op]) {
      const fields = step.op === "update" || step.op === "replace" ? await fieldLines(step, steps, names) : [];
      entries.push({ ...entry, status: STATUS[step.op]!, fields });
    }
  }
  return entries.sort(byRealmThenName);
}

/** The engine works in parallel; a report sorted by realm (its settings first), then by name, reads the same each time. */
function byRealmThenName(a: DriftEntry, b: DriftEntry): number {
  const key = (entry: DriftEntry) => [entry.realm ?? "", entry.resource === `realm ${entry.realm}` ? "0" : `1${entry.resource}`];
  const [ka, kb] = [key(a), key(b)];
  return ka[0].localeCompare(kb[0]) || ka[1].localeCompare(kb[1]);
}

/** The report as lines of text. */
export function formatEntries(entries: DriftEntry[]): string[] {
  return entries.flatMap((entry) => [`${entry.resource}: ${entry.status}`, ...entry.fields.map((field) => `  ${field}`)]);
}

/** The resource a step is about, as state or code describe it. */
export function refOf(step: StepEventMetadata): ResourceRef {
  const state = (step.new ?? step.old)!;
  return { urn: step.urn, type: step.type, parent: state.parent, inputs: { ...step.old?.inputs, ...step.new?.inputs } };
}

/** How lists name an object: "grafana/grafana_editor", "/admin", "jupyterhub". */
function shortName(resource: ResourceRef): string {
  if (resource.type === "keycloak:index/role:Role") return realmLocalName(resource);
  if (resource.type === "keycloak:index/group:Group") return `/${realmLocalName(resource)}`;
  return specName(resource);
}

/** A field as reports name it: id fields by what they hold ("roles" for roleIds). */
export function fieldLabel(path: string): string {
  const parts = path.split(".");
  const idField = ID_FIELDS[parts[parts.length - 1]];
  return idField ? [...parts.slice(0, -1), idField.label].join(".") : path;
}

/** The fields a step changes: detailed paths up to their first list index ("validRedirectUris"). */
export function changedPaths(step: StepEventMetadata): string[] {
  const paths = step.detailedDiff ? Object.keys(step.detailedDiff) : (step.diffs ?? []);
  return [...new Set(paths.map((path) => path.split("[")[0]).filter((path) => path !== "" && !path.startsWith("__")))];
}

function getPath(object: unknown, path: string): unknown {
  return path.split(".").reduce<unknown>((value, key) => (typeof value === "object" && value !== null ? (value as Record<string, unknown>)[key] : undefined), object);
}

async function fieldLines(step: StepEventMetadata, steps: PreviewSteps, names: KeycloakNames): Promise<string[]> {
  const resource = refOf(step);
  const lines = changedPaths(step).map(async (path) => {
    const inCode = getPath(step.new?.inputs, path);
    const live = getPath(step.old?.outputs, path);
    const idField = ID_FIELDS[path.split(".").pop()!];
    const label = fieldLabel(path);
    if (SECRET_FIELD.test(path) || isSecret(inCode) || isSecret(live)) return `${label}: (secret) differs`;
    const renderer = new ValueRenderer(names, realmOf(resource), idField?.kind, steps.recreatedTargets(step.urn, path));
    const code = await renderer.field(inCode);
    const actual = await renderer.field(live);
    return `${label}: in code ${code.text}, live ${actual.text}${listDifference(code.items, actual.items)}`;
  });
  return Promise.all(lines);
}

/** For lists, which entries only one side has: the point of a long list that differs. */
function listDifference(code: string[] | undefined, live: string[] | undefined): string {
  if (!code || !live) return "";
  const missing = code.filter((item) => !live.includes(item));
  const extra = live.filter((item) => !code.includes(item));
  // Worth saying only when the lists share something: otherwise both sides already say it all.
  if (missing.length === code.length && extra.length === live.length) return "";
  const parts = [missing.length ? `missing live: ${missing.join(", ")}` : "", extra.length ? `only live: ${extra.join(", ")}` : ""].filter(Boolean);
  return parts.length ? ` (${parts.join("; ")})` : "";
}

/** Values as text: strings quoted, ids as the names they stand for, secrets hidden. */
class ValueRenderer {
  constructor(
    private readonly names: KeycloakNames,
    private readonly realm: string | undefined,
    private readonly kind: IdKind | undefined,
    /** Names for the computed entries, in order. */
    private readonly standIns: string[],
  ) {}

  /** A field's value as text, and a list's entries one by one. */
  async field(value: unknown): Promise<{ text: string; items?: string[] }> {
    if (!Array.isArray(value)) return { text: await this.value(value) };
    const items = await this.values(value);
    return { text: `[${items.join(", ")}]`, items };
  }

  /** In order, so that computed entries take their stand-ins in order. */
  private async values(values: unknown[]): Promise<string[]> {
    const texts: string[] = [];
    for (const value of values) texts.push(await this.value(value));
    return texts;
  }

  private async value(value: unknown): Promise<string> {
    if (value === undefined || value === null) return "(not set)";
    if (value === UNKNOWN) return this.standIns.shift() ?? "(known once the fix runs)";
    if (isSecret(value)) return "(secret)";
    if (typeof value === "string") return UUID.test(value) ? this.idName(value) : JSON.stringify(value);
    if (Array.isArray(value)) return `[${(await this.values(value)).join(", ")}]`;
    if (typeof value === "object") {
      const entries = Object.entries(value).filter(([key]) => !key.startsWith("__"));
      const texts = await this.values(entries.map(([, item]) => item));
      return `{${entries.map(([key], i) => `${key}: ${texts[i]}`).join(", ")}}`;
    }
    return String(value);
  }

  /** An id field's id by name; elsewhere a value that merely looks like an id stays as it is. */
  private async idName(id: string): Promise<string> {
    const name = this.realm === undefined ? undefined : await this.names.nameOf(this.kind, this.realm, id);
    return name ?? (this.kind ? "(an object Keycloak no longer has)" : JSON.stringify(id));
  }
}
