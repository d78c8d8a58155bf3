import * as pulumi from "@pulumi/pulumi";

export interface Registration {
  type: string;
  name: string;
  inputs: Record<string, any>;
  provider?: string;
}

/**
 * Installs Pulumi mocks that record every resource registration into the returned list (clear
 * it between tests; one mock monitor per file keeps late component outputs of earlier tests
 * valid). Keycloak-generated values (a confidential client's secret) are filled in the way
 * Keycloak would.
 */
export function recordRegistrations(): Registration[] {
  const registrations: Registration[] = [];
  pulumi.runtime.setMocks(
    {
      newResource: ({ type, name, inputs, provider }) => {
        registrations.push({ type, name, inputs, provider });
        const state = type === "keycloak:openid/client:Client" ? { ...inputs, clientSecret: `generated-${name}` } : inputs;
        return { id: inputs.realm ?? `${name}-id`, state };
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

/** The value of an output, once known. */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply(resolve));
}
