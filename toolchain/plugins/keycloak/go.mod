module keycloak-fleet/toolchain/plugins/keycloak

go 1.25.11

require (
	github.com/keycloak/terraform-provider-keycloak v0.0.0-20241206084240-f87470c95855
	github.com/pulumi/pulumi-terraform-bridge/v3 v3.135.0
	github.com/pulumi/pulumi/sdk/v3 v3.253.0
)

// The bridge patches the Terraform plugin SDK; these are the versions it is built against.
replace (
	github.com/hashicorp/terraform-plugin-sdk/v2 => github.com/pulumi/terraform-plugin-sdk/v2 v2.0.0-20260318212141-5525259d096b
	github.com/hashicorp/vault => github.com/hashicorp/vault v1.2.0
)
