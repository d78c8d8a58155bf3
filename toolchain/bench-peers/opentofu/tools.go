//go:build tools

// Package tools pins OpenTofu's CLI (cmd/tofu), the bench's peer, so that toolchain/setup.sh
// --bench builds it from this wrapper module. OpenTofu's own go.mod replaces hcl/v2 with its fork;
// a dependency's replaces do not apply, so go.mod here repeats it.
package tools

import _ "github.com/opentofu/opentofu/cmd/tofu"
