import * as pulumi from "@pulumi/pulumi";

/** The resource options that reach the engine, read from the registration request itself. */
export interface SentOptions {
  protect: boolean;
  retainOnDelete: boolean;
  additionalSecretOutputs: string[];
  /** URNs this resource waits for (a component in dependsOn expands to its children). */
  dependencies: string[];
  ignoreChanges: string[];
}

export interface Registration {
  type: string;
  name: string;
  /** Inputs with secrets unwrapped to their values. */
  inputs: Record<string, any>;
  /** Top-level input names that arrived as Pulumi secrets. */
  secretInputs: string[];
  /** Paths such as `stringData` or `spec.env[0].value` of every input that arrived as a secret. */
  secretPaths: string[];
  options: SentOptions;
  provider?: string;
}

const RANDOM_PASSWORD = "random:index/randomPassword:RandomPassword";
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const isSecretValue = (v: unknown): v is { value: unknown } => typeof v === "object" && v !== null && SECRET_SIG in v;

/** What the mocked random provider generates for the RandomPassword `name`: stable and easy to find. */
export const generated = (name: string) => `GENERATED-${name}`;

/** Unwraps secrets like the engine would store them, noting where each one was. */
function reveal(value: unknown, path: string, secretPaths: string[]): unknown {
  if (isSecretValue(value)) {
    secretPaths.push(path);
    return reveal(value.value, path, secretPaths);
  }
  if (Array.isArray(value)) return value.map((v, i) => reveal(v, `${path}[${i}]`, secretPaths));
  if (typeof value === "object" && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, reveal(v, path ? `${path}.${k}` : k, secretPaths)]));
  return value;
}

/**
 * Installs Pulumi mocks that record every registration into the returned list (clear it
 * between tests; one mock monitor per file keeps late component outputs of earlier tests
 * valid): inputs, where secrets were, and the options the engine would receive (protect,
 * retainOnDelete, ...), which the mocks' newResource never sees, by wrapping the mock monitor's
 * registerResource. A realm's id is its name, as with the real provider; the random provider
 * answers with `generate(name)`: `generated(name)` unless a test needs real random values.
 * `preview` runs the program as `pulumi preview` does (pulumi.runtime.isDryRun()).
 */
export function recordRegistrations({ generate = generated, preview = false }: { generate?: (name: string) => string; preview?: boolean } = {}): Registration[] {
  const sent: Registration[] = [];
  const options = new Map<string, SentOptions>();
  pulumi.runtime.setMocks(
    {
      newResource: ({ type, name, inputs, provider }) => {
        const secretPaths: string[] = [];
        const revealed = reveal(inputs, "", secretPaths) as Record<string, any>;
        const secretInputs = secretPaths.filter((path) => !/[.[]/.test(path));
        sent.push({ type, name, inputs: revealed, secretInputs, secretPaths, options: options.get(`${type}::${name}`)!, provider });
        const state = type === RANDOM_PASSWORD ? { ...inputs, result: generate(name) } : inputs;
        return { id: inputs.realm ?? `${name}-id`, state };
      },
      call: ({ inputs }) => inputs,
    },
    "keycloak-fleet",
    "unit",
    preview,
  );
  const monitor = pulumi.runtime.getMonitor() as any;
  const registerResource = monitor.registerResource.bind(monitor);
  monitor.registerResource = (request: any, callback: unknown) => {
    options.set(`${request.getType()}::${request.getName()}`, {
      protect: request.getProtect() ?? false,
      retainOnDelete: request.getRetainondelete() ?? false,
      additionalSecretOutputs: request.getAdditionalsecretoutputsList(),
      dependencies: request.getDependenciesList(),
      ignoreChanges: request.getIgnorechangesList(),
    });
    return registerResource(request, callback);
  };
  return sent;
}

/** Every string anywhere in `value`, with its path. */
export function strings(value: unknown, path = ""): { path: string; value: string }[] {
  if (typeof value === "string") return [{ path, value }];
  if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, `${path}[${i}]`));
  if (typeof value === "object" && value !== null) return Object.entries(value).flatMap(([k, v]) => strings(v, path ? `${path}.${k}` : k));
  return [];
}

/** Resolves once every output is known, so all registrations have happened. */
export function settled(...outputs: pulumi.Output<unknown>[]): Promise<unknown[]> {
  return new Promise((resolve) => pulumi.all(outputs).apply(resolve));
}

/**
 * Resolves once registrations have stopped arriving: resources whose inputs wait on other
 * resources' outputs register later than the code that declares them.
 */
export async function allRegistered(registrations: Registration[]): Promise<void> {
  let stable = 0;
  for (let last = -1; stable < 5; await new Promise((r) => setTimeout(r, 20))) {
    stable = registrations.length === last ? stable + 1 : 0;
    last = registrations.length;
  }
}

/** The value of an output, once known. */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply(resolve));
}
