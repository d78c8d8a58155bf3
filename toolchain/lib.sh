# Shared by the toolchain scripts: where things live and how progress is printed.
# shellcheck shell=bash
set -euo pipefail

FLEET_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
FLEET_CACHE=${KEYCLOAK_FLEET_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/keycloak-fleet}
# Per checkout: the built Pulumi CLI with this checkout's language host beside it.
FLEET_BIN=$FLEET_ROOT/.fleet/bin
# shellcheck source=versions.env
source "$FLEET_ROOT/toolchain/versions.env"
export KEYCLOAK_HOME=$FLEET_CACHE/keycloak-$KEYCLOAK_VERSION
# The oldest supported Keycloak, beside it (setup.sh --tests; vitest.config.mts's e2e-oldest).
export KEYCLOAK_OLDEST_VERSION KEYCLOAK_OLDEST_HOME=$FLEET_CACHE/keycloak-$KEYCLOAK_OLDEST_VERSION
# Debian's PostgreSQL of the local platform's production mode: the same major as the cluster's image.
export POSTGRES_BIN=/usr/lib/postgresql/$IMAGE_POSTGRES_MAJOR/bin
# The bench's peer: OpenTofu, and the upstream provider it loads through dev_overrides (a directory).
export OPENTOFU=$FLEET_CACHE/opentofu-$OPENTOFU_VERSION/tofu
export TOFU_KEYCLOAK_PROVIDER_DIR=$FLEET_CACHE/terraform-provider-keycloak-$(grep -o 'terraform-provider-keycloak v[^ ]*' "$FLEET_ROOT/toolchain/plugins/keycloak/go.mod" | cut -d' ' -f2)
export KUBERNETES_BIN=$FLEET_CACHE/kubernetes-$KUBERNETES_VERSION
KUBERNETES_BINARIES="kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl"
export KUBE_APISERVER=$KUBERNETES_BIN/kube-apiserver
# Keyed by the wrapper's own files too: its main.go chooses the plugins.
export COREDNS=$FLEET_CACHE/coredns-$COREDNS_VERSION-$(cat "$FLEET_ROOT"/toolchain/coredns/* | sha256sum | cut -c1-12)/coredns
# Traefik's binary and the CRDs of its build (crds/traefik.yml, crds/gateway-api/*.yaml).
export TRAEFIK_HOME=$FLEET_CACHE/traefik-$TRAEFIK_VERSION
export KUBE_ROUTER=$FLEET_CACHE/kube-router-$KUBE_ROUTER_VERSION/kube-router

step_started=0
step() { step_started=$SECONDS; printf '==> %s\n' "$*" >&2; }
done_step() { printf '    ok (%ss) %s\n' "$((SECONDS - step_started))" "${1:-}" >&2; }
fail() { printf 'error: %s\n' "$*" >&2; exit 1; }

# npm_version PACKAGE: the version package.json pins for PACKAGE.
npm_version() {
  node -e 'const p=require(process.argv[1]);const d={...p.dependencies,...p.devDependencies};console.log(d[process.argv[2]]||"")' \
    "$FLEET_ROOT/package.json" "$1"
}

# fleet_env: the environment every toolchain command runs in.
fleet_env() {
  export PULUMI_SKIP_UPDATE_CHECK=true
  export PULUMI_DIY_BACKEND_NO_LEGACY_WARNING=true
  export KEYCLOAK_FLEET_CACHE=$FLEET_CACHE
  # setup.sh fills FLEET_BIN only when the machine has no Pulumi of its own.
  if [ -x "$FLEET_BIN/pulumi" ]; then
    case ":$PATH:" in *":$FLEET_BIN:"*) ;; *) export PATH=$FLEET_BIN:$PATH ;; esac
  fi
}

# apt_install THING PACKAGE: install the Debian PACKAGE unless THING (a command on PATH, or an
# absolute path to a file the package provides) is already there. The package lists are
# refreshed once per run.
apt_updated=false
apt_install() {
  local command=$1 package=$2
  if [[ $command == /* ]]; then [ -e "$command" ] && return; elif command -v "$command" >/dev/null 2>&1; then return; fi
  local apt=(apt-get -qq -o DPkg::Lock::Timeout=900)
  if ! $apt_updated; then "${apt[@]}" update >&2 && apt_updated=true; fi
  DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y "$package" >&2
}
