import type * as keycloak from "@pulumi/keycloak";
import * as pulumi from "@pulumi/pulumi";
import type { SecretStore } from "../config/secrets";
import type { RealmSpec } from "../config/spec/realm";
import { adoptionTransform, type Adoption } from "./adoption";
import { declareOtpBrowserFlow, declareRequiredActions, withOtpRole } from "./authentication";
import { declareClients, declareServiceAccountRoles, type ClientOutputs } from "./clients";
import { declareUserFederation } from "./federation";
import { declareDefaultGroups, declareGroups } from "./groups";
import { declareIdentityProviders } from "./identity-providers";
import { declareDefaultRoles, RoleIndex } from "./roles";
import type { RealmScope } from "./scope";
import { declareClientScopes, declareScopeAssignments } from "./scopes";
import { declareEvents, declareRealm } from "./settings";
import { declareUserProfile } from "./user-profile";
import { declareUsers } from "./users";

export interface RealmArgs {
  /** The validated realm spec (see src/config/spec/). */
  readonly spec: RealmSpec;
  /** Base URL of the Keycloak that serves the realm, for the realm's public URL. */
  readonly keycloakUrl: string;
  /** Secrets the spec refers to, and generated ones. */
  readonly secrets: SecretStore;
  /**
   * The setting paths the spec file states (RealmSource.declared). An `existing` realm manages
   * only these and keeps its live values for the rest; when absent, every setting is managed.
   */
  readonly declared?: readonly string[];
  /** For an `existing` realm: what Keycloak already holds, to import instead of create. */
  readonly adoption?: Adoption;
}

/**
 * One Keycloak realm and everything it holds, declared from a realm spec. Children are named
 * from spec keys (realm name, clientId, group path, username, alias), never from list
 * positions, so reordering a spec's lists changes nothing.
 */
export class Realm extends pulumi.ComponentResource {
  /** The realm's issuer URL, e.g. http://127.0.0.1:8080/realms/platform. */
  readonly url: pulumi.Output<string>;
  readonly realm: keycloak.Realm;
  /** Per clientId: its id and (confidential OIDC clients) its secret, a Pulumi secret. */
  readonly clients: Record<string, ClientOutputs>;
  /** Per username, for users whose initial password was generated: that password, a Pulumi secret. */
  readonly users: Record<string, { initialPassword: pulumi.Output<string> }>;

  constructor(name: string, args: RealmArgs, opts?: pulumi.ComponentResourceOptions) {
    const adopt = args.adoption && adoptionTransform(args.adoption);
    super("keycloak-fleet:realm:Realm", name, {}, adopt ? { ...opts, transforms: [...(opts?.transforms ?? []), adopt] } : opts);
    const spec = withOtpRole(args.spec);
    this.realm = declareRealm(name, spec, args.secrets, this, args.declared, args.adoption?.live.realmSettings);
    const scope: RealmScope = { name, realmName: spec.realm, realm: this.realm, parent: this, secrets: args.secrets };

    declareEvents(scope, spec);
    const clients = declareClients(scope, spec.clients);
    const roles = new RoleIndex(scope, clients.index.id, clients.index.isDeclared);
    roles.declareAll(spec);
    declareServiceAccountRoles(scope, clients.index, roles, spec.clients);
    declareDefaultRoles(scope, roles, spec.defaultRoles);
    const scopes = declareClientScopes(scope, clients.index, spec.clientScopes);
    declareScopeAssignments(scope, clients.index, scopes, spec.clients);
    const groups = declareGroups(scope, roles, spec.groups);
    declareDefaultGroups(scope, groups, spec.defaultGroups);
    this.users = declareUsers(scope, groups, spec.users, declareUserProfile(scope, spec.userProfile));
    declareIdentityProviders(scope, spec.identityProviders);
    declareUserFederation(scope, spec.userFederation);
    declareRequiredActions(scope, spec.authentication.requiredActions);
    declareOtpBrowserFlow(scope, spec);

    this.clients = clients.outputs;
    this.url = pulumi.interpolate`${args.keycloakUrl}/realms/${this.realm.realm}`;
    this.registerOutputs({ url: this.url, clients: this.clients, users: this.users });
  }
}
