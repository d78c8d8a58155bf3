//go:build tools

// Package tools pins the Kubernetes binaries the test cluster runs, so one `go build` builds them
// all from this wrapper module and shares the compiled packages between them. The k8s.io/kubernetes
// go.mod replaces every k8s.io staging module with a local path, so `go install pkg@version`
// refuses; this module requires each staging module at the published v0.X.Y that matches
// kubernetes v1.X.Y instead.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-proxy"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubelet"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
