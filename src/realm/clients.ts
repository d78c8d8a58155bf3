import * as keycloak from "@pulumi/keycloak";
import * as pulumi from "@pulumi/pulumi";
import { clientSecretPurpose } from "../config/secrets";
import type { ClientSpec } from "../config/spec/clients";
import { declareMapper } from "./mappers";
import type { RoleIndex } from "./roles";
import type { RealmScope } from "./scope";

export interface ClientOutputs {
  clientId: pulumi.Output<string>;
  /** Confidential OIDC clients only; a Pulumi secret. */
  clientSecret?: pulumi.Output<string>;
}

/** The clients of a realm, by clientId. */
export class ClientIndex {
  readonly oidc = new Map<string, keycloak.openid.Client>();
  readonly saml = new Map<string, keycloak.saml.Client>();

  constructor(private readonly scope: RealmScope) {}

  isDeclared = (clientId: string): boolean => this.oidc.has(clientId) || this.saml.has(clientId);

  /** The resource of a declared client, to depend on it; undefined for built-in clients. */
  resource = (clientId: string): pulumi.CustomResource | undefined => this.oidc.get(clientId) ?? this.saml.get(clientId);

  private readonly builtIn = new Map<string, pulumi.Output<string>>();

  /** The internal id of a client: a declared one, or a built-in one looked up once (realm-management). */
  id = (clientId: string): pulumi.Output<string> => {
    const declared = this.oidc.get(clientId) ?? this.saml.get(clientId);
    if (declared) return declared.id;
    if (!this.builtIn.has(clientId))
      this.builtIn.set(clientId, keycloak.openid.getClientOutput({ realmId: this.scope.realm.id, clientId }, { parent: this.scope.parent }).id);
    return this.builtIn.get(clientId)!;
  };
}

/** OIDC and SAML clients of a realm, each named `<realm>/<clientId>`. */
export function declareClients(scope: RealmScope, specs: ClientSpec[]): { index: ClientIndex; outputs: Record<string, ClientOutputs> } {
  const index = new ClientIndex(scope);
  const outputs = Object.fromEntries(specs.map((spec) => [spec.clientId, declareClient(scope, index, spec)]));
  // After every client exists, since a mapper may name another client.
  for (const spec of specs)
    for (const mapper of spec.mappers) declareMapper(scope, index, { clientId: index.id(spec.clientId) }, `${scope.name}/${spec.clientId}`, mapper);
  return { index, outputs };
}

function declareClient(scope: RealmScope, index: ClientIndex, spec: ClientSpec): ClientOutputs {
  const { name, realm, parent } = scope;
  const resourceName = `${name}/${spec.clientId}`;
  const common = {
    realmId: realm.id,
    clientId: spec.clientId,
    name: spec.name,
    description: spec.description,
    enabled: spec.enabled,
    validRedirectUris: spec.redirectUris,
    rootUrl: spec.rootUrl,
    baseUrl: spec.baseUrl,
  };
  if (spec.protocol === "saml") {
    const client = new keycloak.saml.Client(resourceName, common, { parent });
    index.saml.set(spec.clientId, client);
    return { clientId: client.clientId };
  }
  const confidential = spec.access === "confidential";
  const secret = confidential ? clientSecret(scope, spec) : undefined;
  const client = new keycloak.openid.Client(
    resourceName,
    {
      ...common,
      accessType: confidential ? "CONFIDENTIAL" : "PUBLIC",
      clientSecret: secret,
      standardFlowEnabled: spec.standardFlow,
      directAccessGrantsEnabled: spec.directAccessGrants,
      serviceAccountsEnabled: spec.serviceAccount,
      webOrigins: spec.webOrigins,
      // Public clients cannot keep a secret; PKCE protects their code exchange instead.
      pkceCodeChallengeMethod: confidential ? undefined : "S256",
    },
    { parent, additionalSecretOutputs: ["clientSecret"] },
  );
  index.oidc.set(spec.clientId, client);
  return { clientId: client.clientId, clientSecret: secret };
}

/** Supplied through stack config, or derived from the stack's seed: the same after a rebuild. */
function clientSecret({ realmName, secrets }: RealmScope, spec: ClientSpec): pulumi.Output<string> {
  return "config" in spec.secret ? secrets.get(spec.secret.config) : secrets.derive(clientSecretPurpose(realmName, spec.clientId));
}

/** Roles granted to the service accounts of clients that have one. */
export function declareServiceAccountRoles(scope: RealmScope, clients: ClientIndex, roles: RoleIndex, specs: ClientSpec[]): void {
  const { name, realm, parent } = scope;
  for (const spec of specs) {
    const client = clients.oidc.get(spec.clientId);
    if (!client || !spec.serviceAccountRoles) continue;
    const userId = client.serviceAccountUserId;
    for (const role of spec.serviceAccountRoles.realm)
      new keycloak.openid.ClientServiceAccountRealmRole(
        `${name}/${spec.clientId}/service-account/${role}`,
        { realmId: realm.id, serviceAccountUserId: userId, role },
        { parent, dependsOn: roles.resource(undefined, role) },
      );
    for (const [clientId, names] of Object.entries(spec.serviceAccountRoles.clients))
      for (const role of names)
        new keycloak.openid.ClientServiceAccountRole(
          `${name}/${spec.clientId}/service-account/${clientId}/${role}`,
          { realmId: realm.id, serviceAccountUserId: userId, clientId: clients.id(clientId), role },
          { parent, dependsOn: roles.resource(clientId, role) },
        );
  }
}
