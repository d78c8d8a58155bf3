// Command pulumi-resource-keycloak serves the Keycloak Terraform provider to the Pulumi
// engine through the Terraform bridge.
//
// The official plugin's Go module is not served by the module proxy these machines reach,
// so keycloak-fleet builds the plugin from the two modules that are: the upstream Terraform
// provider and the bridge. What the official module adds is naming: this file maps each
// Terraform resource onto the type token @pulumi/keycloak uses for it. The proxy serves one
// upstream version only, v4.5.0 (go.mod), older than the v5.9.0 that @pulumi/keycloak 6.13.0
// was generated from: inputs added since (e.g. authentication execution priorities) are not
// there. The end-to-end tests deploy every resource type the realm layer uses.
package main

import (
	"strings"

	"github.com/keycloak/terraform-provider-keycloak/provider"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"
	shim "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfshim"
	shimv2 "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfshim/sdk-v2"
)

// version is stamped by the toolchain with -ldflags -X main.version=...
var version = "0.0.0-dev"

// namespaces of @pulumi/keycloak; a Terraform name that starts with none of them lives in index.
var namespaces = []string{"authentication", "ldap", "oidc", "openid", "saml"}

// sdkNames holds the resources whose SDK type name is not the mechanical one (the SDK
// shortened or reworded them).
var sdkNames = map[string]string{
	"keycloak_attribute_to_role_identity_provider_mapper": "AttributeToRoleIdentityMapper",
	"keycloak_custom_identity_provider_mapper":            "CustomIdentityProviderMapping",
	"keycloak_hardcoded_role_identity_provider_mapper":    "HardcodedRoleIdentityMapper",
	"keycloak_realm_keystore_java_keystore":               "RealmKeystoreJavaGenerated",
	"keycloak_openid_client_client_policy":                "ClientPolicy",
	"keycloak_saml_client_default_scopes":                 "ClientDefaultScope",
}

func main() {
	p := shimv2.NewProvider(provider.KeycloakProvider(nil))
	info := tfbridge.ProviderInfo{
		P:           p,
		Name:        "keycloak",
		Version:     version,
		Resources:   map[string]*tfbridge.ResourceInfo{},
		DataSources: map[string]*tfbridge.DataSourceInfo{},
	}
	p.ResourcesMap().Range(func(tfName string, _ shim.Resource) bool {
		module, name := split(tfName)
		if override, ok := sdkNames[tfName]; ok {
			name = override
		}
		info.Resources[tfName] = &tfbridge.ResourceInfo{Tok: tfbridge.MakeResource("keycloak", module, name)}
		return true
	})
	p.DataSourcesMap().Range(func(tfName string, _ shim.Resource) bool {
		module, name := split(tfName)
		if module == "authentication" { // the SDK keeps these two functions in index
			module, name = "index", "Authentication"+name
		}
		info.DataSources[tfName] = &tfbridge.DataSourceInfo{Tok: tfbridge.MakeDataSource("keycloak", module, "get"+name)}
		return true
	})
	tfbridge.Main("keycloak", version, info, nil)
}

// split turns keycloak_openid_client_scope into ("openid", "ClientScope").
func split(tfName string) (module, name string) {
	words := strings.Split(strings.TrimPrefix(tfName, "keycloak_"), "_")
	module = "index"
	for _, ns := range namespaces {
		if words[0] == ns && len(words) > 1 {
			module, words = ns, words[1:]
			break
		}
	}
	for _, w := range words {
		name += strings.ToUpper(w[:1]) + w[1:]
	}
	return module, name
}
