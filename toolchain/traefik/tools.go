//go:build tools

// Package tools pins Traefik, the test cluster's ingress controller (its Kubernetes CRD and
// Gateway API providers), so setup.sh builds github.com/traefik/traefik/v3/cmd/traefik from this
// module. Traefik's own go.mod replaces and excludes modules, which `go install pkg@version`
// refuses and a dependency's go.mod cannot do: this module repeats those directives (go.mod).
package tools

import _ "github.com/traefik/traefik/v3/cmd/traefik"
