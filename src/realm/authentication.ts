import * as keycloak from "@pulumi/keycloak";
import type * as pulumi from "@pulumi/pulumi";
import type { AuthenticationSpec } from "../config/spec/authentication";
import { groupPath } from "../config/spec/groups";
import type { RealmSpec } from "../config/spec/realm";
import type { RealmScope } from "./scope";

/** The realm role that marks users who must use OTP (given to the groups that require it). */
const OTP_ROLE = "otp-required";

/**
 * Requiring OTP for some groups is a role condition in the login flow: the spec gains the role
 * and the groups gain it, before anything is declared.
 */
export function withOtpRole(spec: RealmSpec): RealmSpec {
  const required = spec.authentication.requireOtp;
  if (!required || !("groups" in required)) return spec;
  const paths = new Set(required.groups.map(groupPath));
  const grant = (groups: RealmSpec["groups"], parent = ""): RealmSpec["groups"] =>
    groups.map((group) => {
      const path = `${parent}/${group.name}`;
      const roles = paths.has(path) ? { realm: [...(group.roles?.realm ?? []), OTP_ROLE], clients: group.roles?.clients ?? {} } : group.roles;
      return { ...group, roles, subGroups: grant(group.subGroups, path) };
    });
  return {
    ...spec,
    roles: [...spec.roles, { name: OTP_ROLE, description: "Must log in with a one-time password (keycloak-fleet)", composites: undefined }],
    groups: grant(spec.groups),
  };
}

/** Required actions users may be asked to perform, e.g. CONFIGURE_TOTP as a default action. */
export function declareRequiredActions({ name, realm, parent }: RealmScope, actions: AuthenticationSpec["requiredActions"]): void {
  for (const action of actions)
    new keycloak.RequiredAction(
      `${name}/required-action/${action.alias}`,
      { realmId: realm.id, alias: action.alias, enabled: action.enabled, defaultAction: action.default },
      { parent },
    );
}

/**
 * A copy of the browser flow with an OTP step (for everyone, or only for holders of OTP_ROLE),
 * bound as the realm's browser flow once every execution exists. Executions are created one
 * after the other: their order in the flow is their creation order.
 */
export function declareOtpBrowserFlow(scope: RealmScope, spec: RealmSpec): void {
  const required = spec.authentication.requireOtp;
  if (!required) return;
  const { name, realm, parent } = scope;
  const alias = "browser with otp";
  const flow = new keycloak.authentication.Flow(`${name}/flow/browser-otp`, { realmId: realm.id, alias, providerId: "basic-flow" }, { parent });
  const steps = new Steps(parent, flow);

  steps.execution(`${name}/flow/browser-otp/cookie`, { realmId: realm.id, parentFlowAlias: flow.alias, authenticator: "auth-cookie", requirement: "ALTERNATIVE" });
  steps.execution(`${name}/flow/browser-otp/idp-redirector`, { realmId: realm.id, parentFlowAlias: flow.alias, authenticator: "identity-provider-redirector", requirement: "ALTERNATIVE" });
  const forms = steps.subflow(`${name}/flow/browser-otp/forms`, { realmId: realm.id, parentFlowAlias: flow.alias, alias: `${alias} forms`, requirement: "ALTERNATIVE" });
  steps.execution(`${name}/flow/browser-otp/forms/password`, { realmId: realm.id, parentFlowAlias: forms.alias, authenticator: "auth-username-password-form", requirement: "REQUIRED" });
  if ("everyone" in required) {
    steps.execution(`${name}/flow/browser-otp/forms/otp`, { realmId: realm.id, parentFlowAlias: forms.alias, authenticator: "auth-otp-form", requirement: "REQUIRED" });
  } else {
    const conditional = steps.subflow(`${name}/flow/browser-otp/forms/conditional-otp`, { realmId: realm.id, parentFlowAlias: forms.alias, alias: `${alias} conditional`, requirement: "CONDITIONAL" });
    const condition = steps.execution(`${name}/flow/browser-otp/forms/conditional-otp/role`, { realmId: realm.id, parentFlowAlias: conditional.alias, authenticator: "conditional-user-role", requirement: "REQUIRED" });
    steps.add(
      new keycloak.authentication.ExecutionConfig(
        `${name}/flow/browser-otp/forms/conditional-otp/role/config`,
        { realmId: realm.id, executionId: condition.id, alias: `${spec.realm}-otp-role`, config: { condUserRole: OTP_ROLE, negate: "false" } },
        { parent, dependsOn: steps.last },
      ),
    );
    steps.execution(`${name}/flow/browser-otp/forms/conditional-otp/otp`, { realmId: realm.id, parentFlowAlias: conditional.alias, authenticator: "auth-otp-form", requirement: "REQUIRED" });
  }
  new keycloak.authentication.Bindings(`${name}/flow-bindings`, { realmId: realm.id, browserFlow: flow.alias }, { parent, dependsOn: steps.all });
}

/** Flow steps created strictly in sequence; `all` is what a binding must wait for. */
class Steps {
  readonly all: pulumi.Resource[] = [];
  constructor(private readonly parent: pulumi.Resource, first: pulumi.Resource) {
    this.all.push(first);
  }
  get last(): pulumi.Resource {
    return this.all[this.all.length - 1];
  }
  add<T extends pulumi.Resource>(resource: T): T {
    this.all.push(resource);
    return resource;
  }
  execution(name: string, args: keycloak.authentication.ExecutionArgs): keycloak.authentication.Execution {
    return this.add(new keycloak.authentication.Execution(name, args, { parent: this.parent, dependsOn: this.last }));
  }
  subflow(name: string, args: Omit<keycloak.authentication.SubflowArgs, "providerId">): keycloak.authentication.Subflow {
    return this.add(new keycloak.authentication.Subflow(name, { ...args, providerId: "basic-flow" }, { parent: this.parent, dependsOn: this.last }));
  }
}
