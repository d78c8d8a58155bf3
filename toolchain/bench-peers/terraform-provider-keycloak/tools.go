//go:build tools

// Package tools pins the upstream Terraform provider for Keycloak at the commit the project's
// Keycloak plugin bridges (toolchain/plugins/keycloak/go.mod), so the bench's OpenTofu peer
// drives exactly the same provider code; toolchain/setup.sh --bench builds it from here.
package tools

import _ "github.com/keycloak/terraform-provider-keycloak"
