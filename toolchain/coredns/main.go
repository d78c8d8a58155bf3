// Command coredns is the test cluster's DNS server: CoreDNS with only the plugins a single-node
// cluster needs (bind to one address, Service and Pod names from the API server, errors, a cache), so the build stays
// small. Pods resolve `<service>.<namespace>.svc.cluster.local` as on any cluster; nothing is
// forwarded, because nothing outside this machine may be contacted.
package main

import (
	_ "github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"
	_ "github.com/coredns/coredns/plugin/bind"
	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/kubernetes"
)

func main() { coremain.Run() }
