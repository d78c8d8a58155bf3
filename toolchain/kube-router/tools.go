//go:build tools

// Package tools pins kube-router, whose network-policy controller enforces the test cluster's
// NetworkPolicies (toolchain/setup.sh builds cmd/kube-router from this module; the cluster runs
// only its firewall, never its BGP router or service proxy).
package tools

import _ "github.com/cloudnativelabs/kube-router/v2/cmd/kube-router"
