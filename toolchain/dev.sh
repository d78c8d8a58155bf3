#!/usr/bin/env bash
# npm run dev:up / dev:down: provision the toolchain, then run the dev command of the fleet CLI.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bash "$FLEET_ROOT/toolchain/setup.sh"
fleet_env
cd "$FLEET_ROOT"
exec node --require tsx/cjs src/ops/cli.ts dev "$@"
