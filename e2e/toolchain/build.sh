#!/usr/bin/env bash
# Builds the real-engine toolchain for `npm run e2e` from the pinned Go modules beside this script, and prints the
# directory that holds the binaries. Every component is cached outside the work tree, keyed by a hash of what it is
# built from (its go.mod, go.sum and sources here, the Go version, this script), so a second run builds nothing and a
# change to one module rebuilds only that one.
#
#   bash e2e/toolchain/build.sh            # build what is missing; print the bin directory on the last line
#   AKS_OPENAI_WI_CACHE=/some/dir bash ... # cache somewhere else (default: ${XDG_CACHE_HOME:-~/.cache}/aks-openai-wi)
#
# Reaches only the Go module proxy (modules) and Debian (etcd), as every build here must.
set -Eeuo pipefail
# A failing command inside $(...) fails the assignment too: without this, a build function that failed half-way went
# on, and its broken output was cached as complete.
shopt -s inherit_errexit

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache_root=${AKS_OPENAI_WI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/aks-openai-wi}
cache="$cache_root/toolchain"
mkdir -p "$cache"

export PATH="/usr/local/go/bin:$PATH"
# Modules resolve exactly as go.sum pins them; a build never edits go.mod.
export GOFLAGS=-mod=readonly
export GOTOOLCHAIN=local
go_version=$(go env GOVERSION)

log() { printf '[toolchain] %s\n' "$*" >&2; }

# key COMPONENT_DIR: a short hash of the files a component is built from (paths relative to it, so every clone of the
# repository shares the cache), the Go version and this script.
key() {
  {
    echo "$go_version"
    sha256sum <"$here/build.sh"
    (cd "$1" && find . -type f \( -name 'go.mod' -o -name 'go.sum' -o -name '*.go' -o -name '*.sh' -o -name VERSION \) \
      -not -name '*_test.go' -print0 | sort -z | xargs -0 sha256sum)
  } | sha256sum | cut -c1-16
}

# The component directories of this toolchain, in build order; `build` adds to it.
dirs=()

# build NAME FUNCTION EXECUTABLE...: runs FUNCTION OUT_DIR unless NAME-KEY (KEY from the component's directory) is
# already complete in the cache, then checks that OUT_DIR holds every EXECUTABLE before marking it complete. Called
# in this shell, never in $(...), so a failing command in FUNCTION stops the script (set -e) before anything is cached.
build() {
  local name=$1 fn=$2
  shift 2
  local k
  k=$(key "$here/$name")
  local out="$cache/$name-$k"
  if [ -f "$out/.complete" ]; then
    log "$name: cached ($out)"
  else
    log "$name: building into $out"
    local started=$SECONDS
    rm -rf "$out" && mkdir -p "$out"
    "$fn" "$out"
    local executable
    for executable in "$@"; do
      if [ ! -x "$out/$executable" ]; then
        log "$name: the build finished without $executable; nothing was cached"
        exit 1
      fi
    done
    echo "built in $((SECONDS - started)) s with $go_version" >"$out/.complete"
    log "$name: built in $((SECONDS - started)) s"
  fi
  dirs+=("$out")
}

# module_dir COMPONENT_DIR MODULE: where MODULE's source is, downloaded first (`go list -m` alone prints an empty
# directory for a module not in the module cache yet, which a cold machine's first build hit).
module_dir() {
  local dir
  dir=$(cd "$1" && go mod download "$2" && go list -m -f '{{.Dir}}' "$2")
  if [ -z "$dir" ] || [ ! -d "$dir" ]; then
    log "module $2 is not in the module cache after go mod download (GOMODCACHE=$(go env GOMODCACHE))"
    return 1
  fi
  printf '%s\n' "$dir"
}

build_pulumi() {
  local out=$1 dir="$here/pulumi"
  local version
  version=$(cd "$dir" && go list -m -f '{{.Version}}' github.com/pulumi/pulumi/pkg/v3)
  (cd "$dir" && go build -trimpath -o "$out/pulumi" \
    -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$version" \
    github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)
  # The dynamic-provider plugin is a script the CLI release ships beside the binary; sdk/v3 carries it.
  local sdk
  sdk=$(module_dir "$dir" github.com/pulumi/pulumi/sdk/v3)
  install -m 0755 "$sdk/nodejs/dist/pulumi-resource-pulumi-nodejs" "$out/pulumi-resource-pulumi-nodejs"
}

build_language_host() {
  local out=$1
  (cd "$here/language-host" && go build -trimpath -o "$out/pulumi-language-nodejs" .)
}

build_pulumi_kubernetes() {
  local out=$1 dir="$here/pulumi-kubernetes"
  local provider src version
  provider=$(module_dir "$dir" github.com/pulumi/pulumi-kubernetes/provider/v4)
  # The module's cmd/pulumi-resource-kubernetes embeds schema-embed.json and terraform-mapping-embed.json, which its
  # Makefile generates (go:generate) and git does not carry: build the same main package in a scratch copy of this
  # module, generating them there as upstream does, with the version of the tag this commit carries.
  version=$(cat "$dir/VERSION")
  src="$out/src"
  mkdir -p "$src"
  cp "$dir/go.mod" "$dir/go.sum" "$src/"
  cp "$provider/cmd/pulumi-resource-kubernetes/main.go" "$provider/cmd/pulumi-resource-kubernetes/generate.go" \
    "$provider/cmd/pulumi-resource-kubernetes/schema.json" \
    "$provider/cmd/pulumi-resource-kubernetes/terraform-mapping.json" "$src/"
  chmod u+w "$src"/*
  (cd "$src" && VERSION="$version" go run generate.go)
  (cd "$src" && go build -trimpath -o "$out/pulumi-resource-kubernetes" \
    -ldflags "-X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=$version" .)
  rm -rf "$src"
}

build_kubernetes() {
  local out=$1 dir="$here/kubernetes"
  local version minor
  version=$(cd "$dir" && go list -m -f '{{.Version}}' k8s.io/kubernetes)
  minor=$(echo "$version" | cut -d. -f2)
  # What hack/lib/version.sh stamps: the API server reports it at /version, and clients (pulumi-kubernetes
  # among them) decide features from it.
  local ldflags="" pkg
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $pkg.gitVersion=$version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
    ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
  done
  (cd "$dir" && CGO_ENABLED=0 go build -trimpath -o "$out/" -ldflags "$ldflags" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kubectl)
}

build_webhook() {
  local out=$1 dir="$here/azure-workload-identity"
  local version
  version=$(cd "$dir" && go list -m -f '{{.Version}}' github.com/Azure/azure-workload-identity)
  (cd "$dir" && go build -trimpath -o "$out/azure-wi-webhook" \
    -ldflags "-X github.com/Azure/azure-workload-identity/pkg/version.BuildVersion=$version" \
    github.com/Azure/azure-workload-identity/cmd/webhook)
}

build_kubelogin() {
  local out=$1 dir="$here/kubelogin"
  local version
  version=$(cd "$dir" && go list -m -f '{{.Version}}' github.com/Azure/kubelogin)
  # What kubelogin's Makefile stamps (`kubelogin --version` reports it).
  (cd "$dir" && CGO_ENABLED=0 go build -trimpath -o "$out/kubelogin" -ldflags "-X main.gitTag=$version" \
    github.com/Azure/kubelogin)
}

# etcd is Debian's (etcd-server); install it when missing, as .ci/run does for every package it needs.
ensure_etcd() {
  if ! command -v etcd >/dev/null 2>&1 && [ ! -x /usr/bin/etcd ]; then
    log "etcd: installing Debian's etcd-server"
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends etcd-server >&2
  fi
  command -v etcd || echo /usr/bin/etcd
}

# Sourced (by tests/toolchainBuild.test.ts, to try `build` and `module_dir`), define the functions and stop here.
if [ "${BASH_SOURCE[0]}" != "$0" ]; then
  return 0
fi

trap 'log "failed (exit $?) at line $LINENO of build.sh; the component being built was not cached"' ERR
started=$SECONDS
build pulumi build_pulumi pulumi pulumi-resource-pulumi-nodejs
build language-host build_language_host pulumi-language-nodejs
build pulumi-kubernetes build_pulumi_kubernetes pulumi-resource-kubernetes
build kubernetes build_kubernetes kube-apiserver kube-controller-manager kubectl
build azure-workload-identity build_webhook azure-wi-webhook
build kubelogin build_kubelogin kubelogin
etcd_bin=$(ensure_etcd)

# One directory of links, named by the components it joins, so a run sees one consistent set; current/bin points at
# the newest for people and scripts that want the last build.
bin="$cache/bin-$(printf '%s\n' "${dirs[@]}" | sha256sum | cut -c1-16)"
mkdir -p "$bin"
for d in "${dirs[@]}"; do
  for f in "$d"/*; do ln -sfn "$f" "$bin/$(basename "$f")"; done
done
# The CLI looks for its bundled plugins (pulumi-language-nodejs) beside its own executable, symlinks resolved: a hard
# link puts the executable itself in this directory, so the language host here is the bundled one, not an ambient one.
ln -f "$(readlink -f "$bin/pulumi")" "$bin/pulumi.tmp" && mv -f "$bin/pulumi.tmp" "$bin/pulumi"
ln -sfn "$etcd_bin" "$bin/etcd"
mkdir -p "$cache/current" && rm -rf "$cache/current/bin" && ln -s "$bin" "$cache/current/bin"
log "toolchain ready in $((SECONDS - started)) s: $bin"
printf '%s\n' "$bin"
