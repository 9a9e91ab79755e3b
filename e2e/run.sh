#!/usr/bin/env bash
# npm run e2e: the program under the real Pulumi CLI, language host stand-in excepted (docs/e2e.md), the real
# pulumi-kubernetes provider and a real kube-apiserver, with Azure as loopback stand-ins.
#
#   1. builds the toolchain from the pinned Go modules (cached; e2e/toolchain/build.sh), with network access to the
#      Go module proxy and Debian only;
#   2. runs the scenarios inside a new network namespace that has nothing but loopback, so no test, and nothing a test
#      starts (the CLI, plugins, the webhook, the Azure SDK's IMDS probe), can send a packet anywhere else.
#
#   npm run e2e                      # every scenario
#   npm run e2e -- e2e/scenarios/seed.test.ts   # some
set -euo pipefail
cd "$(dirname "$0")/.."

bin=$(bash e2e/toolchain/build.sh | tail -n 1)
[ -x "$bin/pulumi" ] || { echo "e2e: the toolchain build did not produce $bin/pulumi" >&2; exit 1; }

if [ "$#" -gt 0 ]; then
  scenarios=("$@")
else
  scenarios=(e2e/scenarios/*.test.ts)
fi

# A loopback-only network namespace needs root (CAP_SYS_ADMIN); this project's machines and CI run as root.
if ! unshare --net -- true 2>/dev/null; then
  echo "e2e: cannot create a network namespace (unshare --net); run as root. Refusing to run with a network." >&2
  exit 1
fi

export AKS_OPENAI_WI_E2E_TOOLCHAIN="$bin"
# Scenarios run one at a time: each starts its own cluster, and the machine has two cores.
exec unshare --net -- sh -c 'ip link set lo up && exec node --import tsx --test --test-concurrency=1 "$@"' e2e \
  "${scenarios[@]}"
