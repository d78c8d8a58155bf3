import * as pulumi from "@pulumi/pulumi";

export interface Registration {
  type: string;
  name: string;
  /** Inputs with secrets unwrapped to their values. */
  inputs: Record<string, any>;
  /** Top-level input names that arrived as Pulumi secrets. */
  secretInputs: string[];
  provider?: string;
}

const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const isSecretValue = (v: unknown): v is { value: unknown } => typeof v === "object" && v !== null && SECRET_SIG in v;

function unwrap(value: unknown): unknown {
  if (isSecretValue(value)) return unwrap(value.value);
  if (Array.isArray(value)) return value.map(unwrap);
  if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrap(v)]));
  return value;
}

/**
 * Installs Pulumi mocks that record every resource registration into the returned list (clear
 * it between tests; one mock monitor per file keeps late component outputs of earlier tests
 * valid).
 */
export function recordRegistrations(): Registration[] {
  const registrations: Registration[] = [];
  pulumi.runtime.setMocks(
    {
      newResource: ({ type, name, inputs, provider }) => {
        const secretInputs = Object.keys(inputs).filter((k) => isSecretValue(inputs[k]));
        registrations.push({ type, name, inputs: unwrap(inputs) as Record<string, any>, secretInputs, provider });
        return { id: inputs.realm ?? `${name}-id`, state: inputs };
      },
      call: ({ inputs }) => inputs,
    },
    "keycloak-fleet",
    "unit",
    false,
  );
  return registrations;
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
