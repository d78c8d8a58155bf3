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
  if [ ! -x "$KUBERNETES_BIN/kubelet" ]; then
    echo "    building from Go modules (first time only, 10-25 minutes on 2 cores)" >&2
    local major=${version%%.*} minor=${version#*.}
    minor=${minor%%.*}
    local packages=() binary
    for binary in $KUBERNETES_BINARIES; do packages+=("k8s.io/kubernetes/cmd/$binary"); done
    go_build "$FLEET_ROOT/toolchain/kubernetes" "$KUBERNETES_BIN/" \
      "-s -w -X k8s.io/component-base/version.gitVersion=v$version -X k8s.io/component-base/version.gitMajor=$major -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/component-base/version.gitTreeState=clean" \
      "${packages[@]}"
  fi
  done_step "$("$KUBERNETES_BIN/kubelet" --version), $(etcd --version | head -n 1)"
}

# CoreDNS with the plugins the test cluster needs (toolchain/coredns): pods resolve Services.
ensure_coredns() {
  step "CoreDNS $COREDNS_VERSION"
  grep -q "github.com/coredns/coredns v$COREDNS_VERSION\$" "$FLEET_ROOT/toolchain/coredns/go.mod" ||
    fail "toolchain/coredns/go.mod does not require coredns v$COREDNS_VERSION (COREDNS_VERSION in toolchain/versions.env)"
  if [ ! -x "$COREDNS" ]; then
    echo "    building from Go modules (first time only, a few minutes)" >&2
    go_build "$FLEET_ROOT/toolchain/coredns" "$COREDNS" "-s -w" .
  fi
  done_step "$("$COREDNS" -version | head -n 1)"
}

# The node's container runtime and networking, from Debian: containerd, runc, CNI plugins,
# iptables and conntrack for kube-proxy, socat for port-forward.
ensure_container_runtime() {
  step "container runtime"
  apt_install containerd containerd
  apt_install runc runc
  apt_install /usr/lib/cni/bridge containernetworking-plugins
  apt_install iptables iptables
  apt_install conntrack conntrack
  apt_install socat socat
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

# ensure_plugin NAME: the resource plugin for the @pulumi/NAME that package.json pins.
ensure_plugin() {
  local name=$1 version
  version=$(npm_version "@pulumi/$name")
  step "provider plugin $name $version"
  if pulumi plugin ls --json 2>/dev/null | node -e '
      const [name, version] = process.argv.slice(1);
      const plugins = JSON.parse(require("fs").readFileSync(0, "utf8") || "[]");
      process.exit(plugins.some((p) => p.name === name && p.kind === "resource" && p.version === version) ? 0 : 1);
    ' "$name" "$version"; then
    done_step "installed"
    return
  fi
  local bin=$FLEET_CACHE/plugin-$name-$version/pulumi-resource-$name
  if [ ! -x "$bin" ]; then
    echo "    building from Go modules (first time only, several minutes on 2 cores)" >&2
    go_build "$FLEET_ROOT/toolchain/plugins/$name" "$bin" "-X main.version=$version" .
  fi
  pulumi plugin install resource "$name" "$version" --file "$bin" >&2
  done_step "built and installed"
}

# setup.sh [--tests | --postgres]: --tests adds what only the tests need (a browser, test peers);
# --postgres installs only PostgreSQL (dev:up asks for it the first time a stack runs in
# production mode).
main() {
  local started=$SECONDS
  if [ "${1:-}" = --postgres ]; then
    ensure_postgres
    return
  fi
  ensure_node_modules
  ensure_java
  ensure_keycloak
  local images_log=$FLEET_CACHE/images.log images=
  if [ "${1:-}" = --tests ]; then
    ensure_keycloak "$KEYCLOAK_OLDEST_VERSION" "$KEYCLOAK_OLDEST_SHA512" "$KEYCLOAK_OLDEST_HOME"
    ensure_chromium
    ensure_ldap_server
    ensure_postgres
    ensure_container_runtime
    # Building the images is mostly downloads and disk, the Go builds below mostly CPU: overlap them.
    echo "==> container images for the test cluster, in the background (log: $images_log)" >&2
    bash "$FLEET_ROOT/toolchain/images.sh" >"$images_log" 2>&1 &
    images=$!
  fi
  fleet_env
  ensure_pulumi
  ensure_plugin keycloak
  if [ -n "$images" ]; then
    ensure_kubernetes
    ensure_coredns
    step "container images for the test cluster"
    wait "$images" || { tail -n 40 "$images_log" >&2; fail "building the test cluster's images failed (log: $images_log)"; }
    done_step "$(grep -c '^[a-z]*=localhost/' "$images_log") images"
  fi
  printf '==> toolchain ready in %ss\n' "$((SECONDS - started))" >&2
}

main "$@"
