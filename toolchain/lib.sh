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
export KUBE_APISERVER=$FLEET_CACHE/kube-apiserver-$KUBE_APISERVER_VERSION/kube-apiserver

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
