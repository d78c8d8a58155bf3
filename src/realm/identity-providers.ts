import * as keycloak from "@pulumi/keycloak";
import type * as pulumi from "@pulumi/pulumi";
import type { IdentityProviderMapper, IdentityProviderSpec } from "../config/spec/identity-providers";
import { groupPath } from "../config/spec/groups";
import type { RealmScope } from "./scope";

/** Login through another identity provider, named `<realm>/idp/<alias>`. */
export function declareIdentityProviders(scope: RealmScope, specs: IdentityProviderSpec[]): void {
  for (const spec of specs) {
    const provider = declareProvider(scope, spec);
    spec.mappers.forEach((mapper) => declareIdpMapper(scope, spec, provider, mapper));
  }
}

function declareProvider(scope: RealmScope, spec: IdentityProviderSpec): pulumi.CustomResource {
  const { name, realm, parent, secrets } = scope;
  const resourceName = `${name}/idp/${spec.alias}`;
  const common = {
    realm: realm.id,
    alias: spec.alias,
    displayName: spec.displayName,
    enabled: spec.enabled,
    syncMode: spec.syncMode,
    trustEmail: spec.trustEmail,
    firstBrokerLoginFlowAlias: spec.firstBrokerLoginFlow,
  };
  const opts = { parent };
  switch (spec.type) {
    case "google": {
      // Keycloak fixes the Google provider's alias ("google"); the spec checks it is that.
      const { alias: _fixed, ...rest } = common;
      return new keycloak.oidc.GoogleIdentityProvider(
        resourceName,
        { ...rest, clientId: spec.clientId, clientSecret: secrets.get(spec.clientSecret.config), defaultScopes: spec.defaultScopes, hostedDomain: spec.hostedDomain },
        opts,
      );
    }
    case "github":
      // Keycloak's GitHub provider has fixed endpoints; the generic resource needs them spelt out.
      return new keycloak.oidc.IdentityProvider(
        resourceName,
        {
          ...common,
          providerId: "github",
          clientId: spec.clientId,
          clientSecret: secrets.get(spec.clientSecret.config),
          defaultScopes: spec.defaultScopes,
          authorizationUrl: "https://github.com/login/oauth/authorize",
          tokenUrl: "https://github.com/login/oauth/access_token",
        },
        opts,
      );
    case "oidc":
      return new keycloak.oidc.IdentityProvider(
        resourceName,
        {
          ...common,
          clientId: spec.clientId,
          clientSecret: secrets.get(spec.clientSecret.config),
          defaultScopes: spec.defaultScopes,
          authorizationUrl: spec.authorizationUrl,
          tokenUrl: spec.tokenUrl,
          userInfoUrl: spec.userInfoUrl,
          jwksUrl: spec.jwksUrl,
          logoutUrl: spec.logoutUrl,
          issuer: spec.issuer,
          validateSignature: spec.jwksUrl !== undefined,
        },
        opts,
      );
    case "saml":
      return new keycloak.saml.IdentityProvider(
        resourceName,
        {
          ...common,
          entityId: spec.entityId,
          singleSignOnServiceUrl: spec.singleSignOnServiceUrl,
          singleLogoutServiceUrl: spec.singleLogoutServiceUrl,
          nameIdPolicyFormat: spec.nameIdPolicyFormat,
        },
        opts,
      );
  }
}

/** Keycloak's mapper types for each kind of mapping, and their config. */
function mapperConfig(idp: IdentityProviderSpec, mapper: IdentityProviderMapper): { type: string; config: Record<string, string> } {
  const saml = idp.type === "saml";
  switch (mapper.type) {
    case "attribute":
      return saml
        ? { type: "saml-user-attribute-idp-mapper", config: { "attribute.name": mapper.claim, "user.attribute": mapper.userAttribute } }
        : { type: "oidc-user-attribute-idp-mapper", config: { claim: mapper.claim, "user.attribute": mapper.userAttribute } };
    case "claimToGroup":
      return {
        type: saml ? "saml-advanced-group-idp-mapper" : "oidc-advanced-group-idp-mapper",
        config: { claims: JSON.stringify([{ key: mapper.claim, value: mapper.value }]), group: groupPath(mapper.group) },
      };
    case "claimToRole":
      return saml
        ? { type: "saml-role-idp-mapper", config: { "attribute.name": mapper.claim, "attribute.value": mapper.value, role: mapper.role } }
        : { type: "oidc-role-idp-mapper", config: { claim: mapper.claim, "claim.value": mapper.value, role: mapper.role } };
    case "hardcodedGroup":
      return { type: "oidc-hardcoded-group-idp-mapper", config: { group: groupPath(mapper.group) } };
  }
}

function declareIdpMapper({ name, realm, parent }: RealmScope, idp: IdentityProviderSpec, provider: pulumi.CustomResource, mapper: IdentityProviderMapper): void {
  const { type, config } = mapperConfig(idp, mapper);
  new keycloak.CustomIdentityProviderMapping(
    `${name}/idp/${idp.alias}/${mapper.name}`,
    {
      realm: realm.id,
      identityProviderAlias: idp.alias,
      identityProviderMapper: type,
      name: mapper.name,
      extraConfig: { syncMode: "INHERIT", ...config },
    },
    { parent, dependsOn: provider },
  );
}
