#!/usr/bin/env bash
# Provision everything keycloak-fleet needs on this machine, idempotently: npm packages, a Java
# runtime, the Keycloak server distribution, the Pulumi CLI with its Node.js language host, and
# the provider plugins. Every artefact is cached outside the repo, keyed by version, so a warm
# run costs seconds. Progress goes to stderr.
#
# Usage: setup.sh [--tests | --postgres]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ensure_node_modules() {
  step "npm packages"
  local stamp=$FLEET_ROOT/node_modules/.fleet-lock-sha
  local want
  want=$(sha256sum "$FLEET_ROOT/package-lock.json" | cut -d' ' -f1)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    (cd "$FLEET_ROOT" && npm ci --no-audit --no-fund --loglevel=error >&2)
    echo "$want" >"$stamp"
  fi
  done_step
}

ensure_java() {
  step "Java runtime >= $JAVA_MIN_MAJOR"
  local major
  major=$(java -XshowSettings:properties -version 2>&1 | sed -n 's/ *java.specification.version = //p')
  if [ -z "$major" ] || [ "${major%%.*}" -lt "$JAVA_MIN_MAJOR" ]; then
    apt-get update -qq >&2 && apt-get install -y -qq "openjdk-$JAVA_MIN_MAJOR-jre-headless" >&2
  fi
  done_step "$(java -version 2>&1 | head -n 1)"
}

ensure_chromium() {
  step "Chromium for browser login tests"
  apt_install "${CHROMIUM_PATH:-/usr/bin/chromium}" chromium
  done_step "$("${CHROMIUM_PATH:-/usr/bin/chromium}" --version 2>/dev/null)"
}

ensure_ldap_server() {
  step "OpenLDAP server for federation tests"
  apt_install /usr/sbin/slapd slapd
  apt_install ldapwhoami ldap-utils
  done_step "$(/usr/sbin/slapd -VV 2>&1 | head -n 1)"
}

# The local platform's production mode runs on a PostgreSQL server of its own (the tests run it too).
ensure_postgres() {
  step "PostgreSQL $IMAGE_POSTGRES_MAJOR server for the local platform's production mode"
  apt_install "$POSTGRES_BIN/initdb" "postgresql-$IMAGE_POSTGRES_MAJOR"
  done_step "$("$POSTGRES_BIN/postgres" --version)"
}

# The test cluster's Kubernetes binaries, all from k8s.io/kubernetes in one `go build` so they
# share compiled packages (toolchain/kubernetes), and etcd from Debian. kube-apiserver also
# serves the manifest test (test/e2e/kubernetes-manifests.test.ts).
ensure_kubernetes() {
  local version=$KUBERNETES_VERSION
  step "Kubernetes $version binaries and etcd"
  apt_install etcd etcd-server
  grep -q "k8s.io/kubernetes v$version\$" "$FLEET_ROOT/toolchain/kubernetes/go.mod" ||
    fail "toolchain/kubernetes/go.mod does not require k8s.io/kubernetes v$version (KUBERNETES_VERSION in toolchain/versions.env)"
  locked kubernetes build_kubernetes
  done_step "$("$KUBERNETES_BIN/kubelet" --version), $(etcd --version | head -n 1)"
}

build_kubernetes() {
  [ -x "$KUBERNETES_BIN/kubelet" ] && return
  echo "    building from Go modules (first time only, 10-25 minutes on 2 cores)" >&2
  local version=$KUBERNETES_VERSION
  local major=${version%%.*} minor=${version#*.}
  minor=${minor%%.*}
  local packages=() binary
  for binary in $KUBERNETES_BINARIES; do packages+=("k8s.io/kubernetes/cmd/$binary"); done
  go_build "$FLEET_ROOT/toolchain/kubernetes" "$KUBERNETES_BIN/" \
    "-s -w -X k8s.io/component-base/version.gitVersion=v$version -X k8s.io/component-base/version.gitMajor=$major -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/component-base/version.gitTreeState=clean" \
    "${packages[@]}"
}

# CoreDNS with the plugins the test cluster needs (toolchain/coredns): pods resolve Services.
ensure_coredns() {
  step "CoreDNS $COREDNS_VERSION"
  grep -q "github.com/coredns/coredns v$COREDNS_VERSION\$" "$FLEET_ROOT/toolchain/coredns/go.mod" ||
    fail "toolchain/coredns/go.mod does not require coredns v$COREDNS_VERSION (COREDNS_VERSION in toolchain/versions.env)"
  locked coredns build_coredns
  done_step "$("$COREDNS" -version | head -n 1)"
}

build_coredns() {
  [ -x "$COREDNS" ] && return
  echo "    building from Go modules (first time only, a few minutes)" >&2
  go_build "$FLEET_ROOT/toolchain/coredns" "$COREDNS" "-s -w" .
}

# Traefik, the test cluster's ingress controller (toolchain/traefik), and the CRDs it serves:
# its own (traefik.io) and the Gateway API's standard channel at the version its build uses.
ensure_traefik() {
  step "Traefik $TRAEFIK_VERSION"
  grep -q "github.com/traefik/traefik/v3 v$TRAEFIK_VERSION\$" "$FLEET_ROOT/toolchain/traefik/go.mod" ||
    fail "toolchain/traefik/go.mod does not require traefik v$TRAEFIK_VERSION (TRAEFIK_VERSION in toolchain/versions.env)"
  locked traefik build_traefik
  done_step "$("$TRAEFIK_HOME/traefik" version | sed -n 's/^Version: *//p')"
}

build_traefik() {
  [ -x "$TRAEFIK_HOME/traefik" ] && return
  echo "    building from Go modules (first time only, about 10 minutes on 2 cores)" >&2
  local staging=$TRAEFIK_HOME.staging work=$FLEET_CACHE/build/traefik
  rm -rf "$staging"
  # Static (no cgo), as Traefik's own releases: the image holds the binary alone.
  CGO_ENABLED=0 go_build "$FLEET_ROOT/toolchain/traefik" "$staging/traefik" \
    "-s -w -X github.com/traefik/traefik/v3/pkg/version.Version=$TRAEFIK_VERSION" github.com/traefik/traefik/v3/cmd/traefik
  local traefik_dir gateway_dir gateway_version
  traefik_dir=$(cd "$work" && go list -m -f '{{.Dir}}' github.com/traefik/traefik/v3)
  read -r gateway_version gateway_dir < <(cd "$work" && go list -m -f '{{.Version}} {{.Dir}}' sigs.k8s.io/gateway-api)
  [ "$gateway_version" = "v$GATEWAY_API_VERSION" ] ||
    fail "Traefik $TRAEFIK_VERSION builds with sigs.k8s.io/gateway-api $gateway_version, not v$GATEWAY_API_VERSION (GATEWAY_API_VERSION in toolchain/versions.env)"
  mkdir -p "$staging/crds/gateway-api"
  cp "$traefik_dir/docs/content/reference/dynamic-configuration/kubernetes-crd-definition-v1.yml" "$staging/crds/traefik.yml"
  cp "$gateway_dir"/config/crd/standard/*.yaml "$staging/crds/gateway-api/"
  chmod -R u+w "$staging/crds"
  rm -rf "$TRAEFIK_HOME" && mv "$staging" "$TRAEFIK_HOME"
}

# kube-router (toolchain/kube-router), whose firewall controller enforces the test cluster's
# NetworkPolicies. Static, like Traefik.
ensure_kube_router() {
  step "kube-router $KUBE_ROUTER_VERSION"
  grep -q "github.com/cloudnativelabs/kube-router/v2 v$KUBE_ROUTER_VERSION\$" "$FLEET_ROOT/toolchain/kube-router/go.mod" ||
    fail "toolchain/kube-router/go.mod does not require kube-router v$KUBE_ROUTER_VERSION (KUBE_ROUTER_VERSION in toolchain/versions.env)"
  locked kube-router build_kube_router
  done_step "$("$KUBE_ROUTER" --version 2>&1 | sed -n 's/.* version \(v[^,]*\),.*/\1/p')"
}

build_kube_router() {
  [ -x "$KUBE_ROUTER" ] && return
  echo "    building from Go modules (first time only, a few minutes on 2 cores)" >&2
  CGO_ENABLED=0 go_build "$FLEET_ROOT/toolchain/kube-router" "$KUBE_ROUTER" \
    "-s -w -X github.com/cloudnativelabs/kube-router/v2/pkg/version.Version=v$KUBE_ROUTER_VERSION" github.com/cloudnativelabs/kube-router/v2/cmd/kube-router
}

# locked NAME COMMAND...: COMMAND under a lock of NAME in the cache, so that a second run (the
# tests asking for a tool that a background build is still making) waits for the first instead
# of racing it in the same build directory.
locked() {
  local name=$1
  shift
  mkdir -p "$FLEET_CACHE"
  (
    flock 8
    "$@"
  ) 8>"$FLEET_CACHE/$name.lock"
}

# The test cluster's tools, for the files that vitest.config.mts runs last (the Kubernetes
# manifests on a kube-apiserver, then the cluster tier). --tests starts this in the background.
ensure_cluster_tools() {
  ensure_kubernetes
  ensure_coredns
  ensure_traefik
  ensure_kube_router
}

# The node's container runtime and networking, from Debian: containerd, runc, CNI plugins,
# iptables and conntrack for kube-proxy, socat for port-forward, ipset for kube-router.
ensure_container_runtime() {
  step "container runtime"
  apt_install containerd containerd
  apt_install runc runc
  apt_install /usr/lib/cni/bridge containernetworking-plugins
  apt_install iptables iptables
  apt_install conntrack conntrack
  apt_install socat socat
  apt_install ipset ipset
  done_step "$(containerd --version), $(runc --version | head -n 1)"
}

# ensure_keycloak [VERSION SHA512 HOME]: the distribution from Maven Central, checked against
# versions.env; the current one by default, the oldest supported one for the tests.
ensure_keycloak() {
  local version=${1:-$KEYCLOAK_VERSION} sha512=${2:-$KEYCLOAK_SHA512} home=${3:-$KEYCLOAK_HOME}
  step "Keycloak server $version"
  if [ ! -x "$home/bin/kc.sh" ]; then
    local url=https://repo.maven.apache.org/maven2/org/keycloak/keycloak-quarkus-dist/$version/keycloak-quarkus-dist-$version.tar.gz
    local archive=$FLEET_CACHE/downloads/keycloak-quarkus-dist-$version.tar.gz
    mkdir -p "$FLEET_CACHE/downloads"
    if ! echo "$sha512  $archive" | sha512sum --check --status 2>/dev/null; then
      curl --fail --location --silent --show-error --retry 3 -o "$archive.part" "$url"
      echo "$sha512  $archive.part" | sha512sum --check --status ||
        fail "checksum mismatch for $url (expected sha512 $sha512 from toolchain/versions.env)"
      mv "$archive.part" "$archive"
    fi
    local staging=$FLEET_CACHE/keycloak-$version.staging
    rm -rf "$staging" && mkdir -p "$staging"
    tar -xzf "$archive" -C "$staging" --strip-components=1
    mv "$staging" "$home"
  fi
  done_step "$home"
}

# go_build WRAPPER_DIR OUTPUT LDFLAGS PACKAGE...: build PACKAGEs from a committed wrapper module.
# OUTPUT is a file for one package, or a directory ending in "/" for several (each binary named
# after its package). The build runs on a copy in the cache so the repo stays clean and `go mod`
# may update go.sum there; OUTPUT appears whole or not at all.
go_build() {
  local wrapper=$1 output=${2%/} ldflags=$3
  local suffix=${2#"$output"}
  shift 3
  local work=$FLEET_CACHE/build/$(basename "$output")
  rm -rf "$work" "$output.tmp" && mkdir -p "$work" "$(dirname "$output")" && cp -r "$wrapper"/. "$work"/
  (cd "$work" && GOFLAGS=-mod=mod go build -trimpath -ldflags "$ldflags" -o "$output.tmp$suffix" "$@" >&2)
  rm -rf "$output" && mv "$output.tmp" "$output"
}

ensure_pulumi() {
  local version
  version=$(npm_version @pulumi/pulumi)
  step "Pulumi CLI $version"
  if [ ! -x "$FLEET_BIN/pulumi" ] && command -v pulumi >/dev/null 2>&1; then
    done_step "using $(command -v pulumi) ($(pulumi version))"
    return
  fi
  local bin=$FLEET_CACHE/pulumi-$version/pulumi
  grep -q "github.com/pulumi/pulumi/pkg/v3 v$version\$" "$FLEET_ROOT/toolchain/pulumi-cli/go.mod" ||
    fail "toolchain/pulumi-cli/go.mod does not require pkg/v3 v$version, the @pulumi/pulumi that package.json pins"
  if [ ! -x "$bin" ]; then
    echo "    building from Go modules (first time only, several minutes on 2 cores)" >&2
    go_build "$FLEET_ROOT/toolchain/pulumi-cli" "$bin" "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$version" \
      github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
  fi
  # The engine looks for its language host next to the running `pulumi`, so this checkout gets a
  # bin directory of its own: a hard link to the cached CLI (a symlink would resolve back to the
  # cache) and this checkout's language host.
  mkdir -p "$FLEET_BIN"
  ln -f "$bin" "$FLEET_BIN/pulumi" 2>/dev/null || cp -f "$bin" "$FLEET_BIN/pulumi"
  ln -sf ../../toolchain/language-host/pulumi-language-nodejs "$FLEET_BIN/pulumi-language-nodejs"
  fleet_env
  done_step "$(pulumi version)"
}

# ensure_plugin NAME: the resource plugin for the @pulumi/NAME that package.json pins, built from
# toolchain/plugins/NAME; a change there (e.g. a newer bridge in go.mod) builds and installs anew.
ensure_plugin() {
  local name=$1 version source
  version=$(npm_version "@pulumi/$name")
  source=$(cat "$FLEET_ROOT/toolchain/plugins/$name"/{go.mod,go.sum,main.go} | sha256sum | cut -c1-12)
  step "provider plugin $name $version ($source)"
  local bin=$FLEET_CACHE/plugin-$name-$version-$source/pulumi-resource-$name
  local installed=${PULUMI_HOME:-$HOME/.pulumi}/plugins/resource-$name-v$version/pulumi-resource-$name
  if [ -x "$bin" ] && cmp -s "$bin" "$installed"; then
    done_step "installed"
    return
  fi
  if [ ! -x "$bin" ]; then
    echo "    building from Go modules (first time only, several minutes on 2 cores)" >&2
    go_build "$FLEET_ROOT/toolchain/plugins/$name" "$bin" "-X main.version=$version" .
  fi
  pulumi plugin install resource "$name" "$version" --file "$bin" --reinstall >&2
  done_step "built and installed"
}

# The bench's peer (bench/subjects/opentofu.ts): OpenTofu and the upstream Keycloak provider at the
# commit the project's plugin bridges, each built from its wrapper module under toolchain/bench-peers.
ensure_bench_peers() {
  step "OpenTofu $OPENTOFU_VERSION and terraform-provider-keycloak for the bench"
  grep -q "github.com/opentofu/opentofu v$OPENTOFU_VERSION\$" "$FLEET_ROOT/toolchain/bench-peers/opentofu/go.mod" ||
    fail "toolchain/bench-peers/opentofu/go.mod does not require opentofu v$OPENTOFU_VERSION (OPENTOFU_VERSION in toolchain/versions.env)"
  local bridged
  bridged=$(grep -o 'github.com/keycloak/terraform-provider-keycloak v[^ ]*' "$FLEET_ROOT/toolchain/plugins/keycloak/go.mod")
  grep -q "$bridged\$" "$FLEET_ROOT/toolchain/bench-peers/terraform-provider-keycloak/go.mod" ||
    fail "toolchain/bench-peers/terraform-provider-keycloak/go.mod must require the provider the plugin bridges ($bridged)"
  if [ ! -x "$OPENTOFU" ]; then
    echo "    building OpenTofu from Go modules (first time only, several minutes on 2 cores)" >&2
    go_build "$FLEET_ROOT/toolchain/bench-peers/opentofu" "$OPENTOFU" "-s -w" github.com/opentofu/opentofu/cmd/tofu
  fi
  if [ ! -x "$TOFU_KEYCLOAK_PROVIDER_DIR/terraform-provider-keycloak" ]; then
    echo "    building terraform-provider-keycloak from Go modules (first time only)" >&2
    go_build "$FLEET_ROOT/toolchain/bench-peers/terraform-provider-keycloak" "$TOFU_KEYCLOAK_PROVIDER_DIR/terraform-provider-keycloak" "-s -w" github.com/keycloak/terraform-provider-keycloak
  fi
  done_step "$("$OPENTOFU" version | head -n 1)"
}

# setup.sh [--tests | --bench | --postgres | --kubernetes | --cluster-tools]: --tests adds what only
# the tests need (a browser, test peers); --bench the benchmark's peers (npm run bench); --postgres
# installs only PostgreSQL (dev:up asks for it the first time a stack runs in production mode);
# --kubernetes and --cluster-tools build (or wait for) only those, as the tests that need them ask.
main() {
  local started=$SECONDS
  case "${1:-}" in
    --postgres) ensure_postgres && return ;;
    --kubernetes) ensure_kubernetes && return ;;
    --cluster-tools) ensure_cluster_tools && return ;;
  esac
  ensure_node_modules
  ensure_java
  ensure_keycloak
  if [ "${1:-}" = --tests ]; then
    ensure_keycloak "$KEYCLOAK_OLDEST_VERSION" "$KEYCLOAK_OLDEST_SHA512" "$KEYCLOAK_OLDEST_HOME"
    ensure_chromium
    ensure_ldap_server
    ensure_postgres
    ensure_container_runtime
    apt_install etcd etcd-server
    # The test cluster's images and Go builds (Kubernetes, CoreDNS, Traefik, kube-router: half an
    # hour of CPU from empty caches) are needed only by the files vitest.config.mts runs last.
    # They run in the background at the lowest priority, on the CPU the other tests leave idle,
    # and are not waited for here: those files wait for them (locks in images.sh and locked()).
    in_background "container images for the test cluster" images "$FLEET_ROOT/toolchain/images.sh"
    if [ ! -x "$KUBERNETES_BIN/kubelet" ] || [ ! -x "$COREDNS" ] || [ ! -x "$TRAEFIK_HOME/traefik" ] || [ ! -x "$KUBE_ROUTER" ]; then
      in_background "Kubernetes, CoreDNS, Traefik and kube-router for the test cluster" cluster-tools "$FLEET_ROOT/toolchain/setup.sh" --cluster-tools
    fi
  fi
  fleet_env
  ensure_pulumi
  ensure_plugin keycloak
  if [ "${1:-}" = --bench ]; then ensure_bench_peers; fi
  printf '==> toolchain ready in %ss\n' "$((SECONDS - started))" >&2
}

# in_background WHAT LOG COMMAND...: starts COMMAND at the lowest priority, its output in LOG.log.
in_background() {
  local what=$1 log=$FLEET_CACHE/$2.log
  shift 2
  echo "==> $what: in the background at low priority (log: $log)" >&2
  nice -n 19 bash "$@" >"$log" 2>&1 &
}

main "$@"
