#!/usr/bin/env bash
# Self-test of the stand-in pulumi-language-nodejs under the real Pulumi CLI, offline.
#
#   bash e2e/toolchain/language-host/selftest.sh <path to pulumi> <path to pulumi-language-nodejs>
#
# Runs, in a network namespace that has only loopback and against a local file backend in a temporary folder:
#   program (selftest/program): stack init, config (one secret), preview, up, stack output, up --expect-no-changes;
#   policy pack (selftest/policy): preview --policy-pack passes, then fails naming the policy on a bad config value;
#   consumer (selftest/consumer): a second stack reading the first one's output through a StackReference;
#   destroy of both.
# Every project's node_modules is a link to the repository's node_modules, so nothing is installed. The script needs
# pulumi-resource-pulumi-nodejs (the dynamic provider plugin, a script from sdk/v3's nodejs/dist) next to the CLI.
# It exits non-zero on the first failed step. LH_SELFTEST_KEEP=1 keeps the temporary folder for inspection.
set -euo pipefail

if [ "$#" -ne 2 ]; then
  echo "usage: $0 <path to pulumi> <path to pulumi-language-nodejs>" >&2
  exit 2
fi
cli=$(readlink -f "$1")
host=$(readlink -f "$2")
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
for f in "$cli" "$host"; do
  [ -x "$f" ] || { echo "selftest: $f is not an executable file" >&2; exit 2; }
done
dynamic_provider=$(dirname "$cli")/pulumi-resource-pulumi-nodejs
[ -x "$dynamic_provider" ] || {
  echo "selftest: $dynamic_provider is missing: the toolchain build must put sdk/v3's nodejs/dist scripts next to the CLI" >&2
  exit 2
}
[ -d "$repo/node_modules/@pulumi/pulumi" ] || { echo "selftest: run npm ci in $repo first" >&2; exit 2; }

# Re-run inside a loopback-only network namespace: nothing the CLI, the host, node or a plugin does can leave it.
if [ -z "${LH_SELFTEST_IN_NETNS:-}" ]; then
  exec unshare -n -- env LH_SELFTEST_IN_NETNS=1 sh -c 'ip link set lo up && exec bash "$0" "$@"' "$0" "$cli" "$host"
fi
if ip -o link show | grep -qv ': lo:'; then
  echo "selftest: refusing to run: this network namespace has an interface other than lo" >&2
  exit 1
fi

tmp=$(mktemp -d /tmp/lh-selftest.XXXXXX)
if [ -z "${LH_SELFTEST_KEEP:-}" ]; then
  trap 'rm -rf "$tmp"' EXIT
else
  echo "selftest: keeping $tmp"
fi

# The CLI finds bundled plugins (the nodejs language host, the pulumi-nodejs dynamic provider) next to its own
# executable, and warns when $PATH offers a different one; so the three go together into one folder.
bin=$tmp/bin
mkdir -p "$bin"
cp "$cli" "$bin/pulumi"
cp "$host" "$bin/pulumi-language-nodejs"
cp "$dynamic_provider" "$bin/pulumi-resource-pulumi-nodejs"

export PATH="$bin:$PATH"
export PULUMI_HOME="$tmp/home"
export PULUMI_BACKEND_URL="file://$tmp/state"
export PULUMI_CONFIG_PASSPHRASE=test
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_LANGUAGE_HOST_RPC_LOG="$tmp/rpc.log"
# GetRequiredPackages reports every provider package in node_modules (this repository's: azure-native, azuread,
# kubernetes), and the engine tries to download each one that is not installed before every preview, up and destroy.
# Offline that only fails (and is not fatal), but it is a connection attempt: switch acquisition off.
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
mkdir -p "$tmp/state" "$tmp/home"

for project in program consumer policy; do
  cp -r "$here/selftest/$project" "$tmp/$project"
  ln -s "$repo/node_modules" "$tmp/$project/node_modules"
done

step=0
# run_step pass|fail NAME CMD...: runs CMD with its output in $tmp/NN-NAME.log, which becomes $last_log. CMD must
# exit 0 (pass) or non-zero (fail); otherwise the log is printed and the script exits.
run_step() {
  local want=$1 name=$2
  shift 2
  step=$((step + 1))
  last_log=$(printf '%s/%02d-%s.log' "$tmp" "$step" "$name")
  local got=pass
  "$@" >"$last_log" 2>&1 || got=fail
  if [ "$got" != "$want" ]; then
    echo "FAIL $name: wanted it to $want, it did not: $*" >&2
    cat "$last_log" >&2
    exit 1
  fi
  if [ "$want" = pass ]; then echo "ok   $name"; else echo "ok   $name (failed as expected)"; fi
}
run() { run_step pass "$@"; }
run_fails() { run_step fail "$@"; }
expect_in_log() {
  if ! grep -qF -- "$1" "$last_log"; then
    echo "FAIL: $(basename "$last_log") does not contain: $1" >&2
    cat "$last_log" >&2
    exit 1
  fi
}
expect_not_in_log() {
  if grep -qiF -- "$1" "$last_log"; then
    echo "FAIL: $(basename "$last_log") contains: $1" >&2
    cat "$last_log" >&2
    exit 1
  fi
}
expect_json() {
  local got
  got=$(node -e 'const fs=require("fs");console.log(JSON.stringify(JSON.parse(fs.readFileSync(process.argv[1],"utf8"))))' "$last_log")
  if [ "$got" != "$1" ]; then
    echo "FAIL: $(basename "$last_log") is $got, want $1" >&2
    exit 1
  fi
}

p=(--non-interactive --color never)

cd "$tmp/program"
run stack-init pulumi stack init dev "${p[@]}"
run config-who pulumi config set who world "${p[@]}"
run config-token pulumi config set --secret token s3cret "${p[@]}"
run install pulumi install --no-plugins "${p[@]}"
expect_in_log "Dependencies already installed in $tmp/program/node_modules"
# Verbose, to see what the engine does with the plugins the host reported.
run preview pulumi preview "${p[@]}" -v=7 --logtostderr
expect_in_log "pulumi-nodejs:dynamic:Resource greeting create"
expect_in_log "gatherPackagesFromProgram(): package kubernetes-"
expect_not_in_log "doing install"
# The CLI warns when it takes a bundled plugin from $PATH instead of from next to itself.
expect_not_in_log "from \$PATH"
run up pulumi up --yes "${p[@]}"
expect_in_log "pulumi-nodejs:dynamic:Resource greeting created"
run stack-output pulumi stack output --json "${p[@]}"
expect_json '{"dryRunAtStart":false,"message":"hello world","project":"lh-selftest","stack":"dev","tokenLength":"[secret]"}'
run stack-output-secrets pulumi stack output --json --show-secrets "${p[@]}"
expect_json '{"dryRunAtStart":false,"message":"hello world","project":"lh-selftest","stack":"dev","tokenLength":6}'
run up-no-changes pulumi up --yes --expect-no-changes "${p[@]}"

run policy-preview pulumi preview --policy-pack "$tmp/policy" "${p[@]}"
expect_in_log "configured for stack dev"
run config-mallory pulumi config set who mallory "${p[@]}"
run_fails policy-violation pulumi preview --policy-pack "$tmp/policy" "${p[@]}"
expect_in_log "no-greeting-for-mallory"
expect_in_log "greeting addresses mallory"
run config-world pulumi config set who world "${p[@]}"
# The project's own TypeScript pack loads through the host (its policies have nothing to say about a greeting).
run project-policy-preview pulumi preview --policy-pack "$repo/policy" "${p[@]}"
expect_in_log "aks-openai-wi-guardrails@v0.1.0 (local: $repo/policy)"

cd "$tmp/consumer"
run consumer-stack-init pulumi stack init dev "${p[@]}"
run consumer-config pulumi config set producer organization/lh-selftest/dev "${p[@]}"
run consumer-up pulumi up --yes "${p[@]}"
run consumer-output pulumi stack output --json "${p[@]}"
expect_json '{"greeting":"hello world"}'
run consumer-destroy pulumi destroy --yes "${p[@]}"

cd "$tmp/program"
run destroy pulumi destroy --yes "${p[@]}"
expect_in_log "pulumi-nodejs:dynamic:Resource greeting deleted"
run stack-output-after-destroy pulumi stack output --json "${p[@]}"
expect_json '{}'

# The RPCs the CLI called on the language host over the whole run, with how often and their status codes.
echo "language host RPCs (count, method, code):"
awk '{print $3, $4}' "$tmp/rpc.log" | sort | uniq -c | sed 's/^/  /'
# A policy pack's RunPlugin ends Canceled: that is how the CLI stops the pack.
if awk '$4 != "OK" && !($3 ~ /RunPlugin$/ && $4 == "Canceled")' "$tmp/rpc.log" | grep -q .; then
  echo "FAIL: RPCs failed:" >&2
  awk '$4 != "OK" && !($3 ~ /RunPlugin$/ && $4 == "Canceled")' "$tmp/rpc.log" >&2
  exit 1
fi
for method in Run RunPlugin GetRequiredPackages InstallDependencies; do
  grep -q "/pulumirpc.LanguageRuntime/$method " "$tmp/rpc.log" || { echo "FAIL: the CLI never called $method" >&2; exit 1; }
done
echo "selftest: all steps passed"
