//go:build tools

// Package tools pins the Pulumi CLI's main package so `go build` can build it from this
// wrapper module (the CLI's own go.mod has local replaces, so `go install pkg@version` refuses).
package tools

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
