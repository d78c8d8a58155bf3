//go:build tools

// Package tools pins kube-apiserver's main package so `go build` can build it from this wrapper
// module. The k8s.io/kubernetes go.mod replaces every k8s.io staging module with a local path, so
// `go install pkg@version` refuses; this module requires each staging module at the published
// v0.X.Y that matches kubernetes v1.X.Y instead. The e2e tests use the binary to check that the
// kubernetes platform's objects are accepted by a real API server (server-side dry run).
package tools

import _ "k8s.io/kubernetes/cmd/kube-apiserver"
