import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";

/**
 * e2e/toolchain/build.sh caches each component as complete once built. A cold machine's first `.ci/run` found it
 * caching a pulumi-kubernetes directory with no plugin in it: `go list -m` printed an empty module directory (the module
 * was not downloaded yet), the copies from it failed, and the failure inside $(...) did not stop the script. These
 * tests source the script and run its `build` and `module_dir` with stand-in components; no module is downloaded.
 */

const BUILD_SH = path.resolve(__dirname, "..", "e2e", "toolchain", "build.sh");
const GO = "/usr/local/go/bin/go";
const NO_GO = existsSync(GO) ? false : `needs Go at ${GO} (the toolchain build's own requirement)`;

const PROVIDER_MODULE = "github.com/pulumi/pulumi-kubernetes/provider/v4";

/** This machine's module downloads (GOMODCACHE/cache/download), served as a file:// proxy. */
function moduleDownloads(): string {
    const cache = spawnSync(GO, ["env", "GOMODCACHE"], { encoding: "utf8" }).stdout.trim();
    return path.join(cache, "cache", "download");
}

/** Why the cold-cache test cannot run here: the module proxy it stands in for is this machine's earlier downloads. */
function noModuleProxy(): string | false {
    if (NO_GO) {
        return NO_GO;
    }
    const versions = path.join(moduleDownloads(), PROVIDER_MODULE, "@v");
    return existsSync(versions) && readdirSync(versions).some((file) => file.endsWith(".zip"))
        ? false
        : `needs ${PROVIDER_MODULE} in this machine's module cache (npm run e2e downloads it) to serve as the proxy`;
}

interface Sourced {
    readonly status: number | null;
    readonly stderr: string;
    readonly stdout: string;
    /** What the cache holds afterwards: component directories and whether each is marked complete. */
    readonly cached: Record<string, boolean>;
}

/** Sources build.sh with an empty cache of its own, then runs `script` in the same shell. */
function sourced(script: string, env: NodeJS.ProcessEnv = {}): Sourced {
    const cacheRoot = mkdtempSync(path.join(tmpdir(), "aks-openai-wi-toolchain-"));
    try {
        const result = spawnSync("bash", ["-c", `source ${JSON.stringify(BUILD_SH)}\n${script}`], {
            encoding: "utf8",
            env: { ...process.env, AKS_OPENAI_WI_CACHE: cacheRoot, ...env },
        });
        const toolchain = path.join(cacheRoot, "toolchain");
        const cached = Object.fromEntries(
            readdirSync(toolchain).map((dir) => [
                dir.replace(/-[0-9a-f]{16}$/, ""),
                existsSync(path.join(toolchain, dir, ".complete")),
            ]),
        );
        return { status: result.status, stderr: result.stderr, stdout: result.stdout, cached };
    } finally {
        rmSync(cacheRoot, { recursive: true, force: true });
    }
}

describe("e2e/toolchain/build.sh caches only what it built", { skip: NO_GO }, () => {
    it("stops at a command that fails half-way through a component's build, and caches nothing", () => {
        // The shape of the cold-machine failure: a copy from an empty module directory, then commands that succeed.
        const run = sourced(`
            fake() {
                cp /cmd/pulumi-resource-kubernetes/main.go "$1/"
                touch "$1/pulumi-resource-kubernetes" && chmod +x "$1/pulumi-resource-kubernetes"
            }
            build pulumi-kubernetes fake pulumi-resource-kubernetes
            echo "went on after the failure"`);
        assert.notEqual(run.status, 0);
        assert.match(run.stderr, /cannot stat '\/cmd\/pulumi-resource-kubernetes\/main.go'/);
        assert.doesNotMatch(run.stdout, /went on/);
        assert.deepEqual(run.cached, { "pulumi-kubernetes": false });
    });

    it("refuses a build that ends without one of its executables, naming it", () => {
        const run = sourced(`
            fake() { touch "$1/kube-apiserver" && chmod +x "$1/kube-apiserver"; }
            build kubernetes fake kube-apiserver kube-controller-manager`);
        assert.notEqual(run.status, 0);
        assert.match(run.stderr, /kubernetes: the build finished without kube-controller-manager; nothing was cached/);
        assert.deepEqual(run.cached, { kubernetes: false });
    });

    it("marks a build complete once every executable is there, and a second run builds nothing", () => {
        const run = sourced(`
            fake() { echo building >&2; printf '#!/bin/sh\\n' >"$1/kubelogin" && chmod +x "$1/kubelogin"; }
            build kubelogin fake kubelogin
            build kubelogin fake kubelogin
            printf '%s\\n' "\${dirs[@]}"`);
        assert.equal(run.status, 0, run.stderr);
        assert.equal(run.stderr.match(/^building$/gm)?.length, 1);
        assert.match(run.stderr, /kubelogin: cached /);
        assert.deepEqual(run.cached, { kubelogin: true });
        assert.equal(run.stdout.trim().split("\n").length, 2);
    });

    it("finds a module the module cache does not hold yet, as on a cold machine", { skip: noModuleProxy() }, () => {
        // A fresh module cache, and this machine's module cache as a file:// proxy: what the Go module proxy serves, with
        // no network. `go list -m` alone printed an empty directory here.
        const freshModuleCache = mkdtempSync(path.join(tmpdir(), "aks-openai-wi-gomodcache-"));
        try {
            const run = sourced(`module_dir "$here/pulumi-kubernetes" ${PROVIDER_MODULE}`, {
                GOPROXY: `file://${moduleDownloads()}`,
                GOSUMDB: "off",
                GOMODCACHE: freshModuleCache,
            });
            assert.equal(run.status, 0, run.stderr);
            const dir = run.stdout.trim();
            assert.ok(dir.startsWith(`${freshModuleCache}/github.com/pulumi/pulumi-kubernetes/provider/v4@`), dir);
            assert.ok(existsSync(path.join(dir, "cmd", "pulumi-resource-kubernetes", "main.go")));
        } finally {
            // The module cache is read-only by design; make it removable first.
            spawnSync("chmod", ["-R", "u+w", freshModuleCache]);
            rmSync(freshModuleCache, { recursive: true, force: true });
        }
    });

    it("fails, naming the module, when it cannot download it", () => {
        // GOPROXY=off: the download is refused at once, as on a machine that cannot reach the proxy.
        const emptyModuleCache = mkdtempSync(path.join(tmpdir(), "aks-openai-wi-gomodcache-"));
        try {
            const run = sourced(`module_dir "$here/pulumi-kubernetes" ${PROVIDER_MODULE} && echo "went on"`, {
                GOPROXY: "off",
                GOMODCACHE: emptyModuleCache,
            });
            assert.notEqual(run.status, 0);
            assert.match(run.stderr, /GOPROXY=off/);
            assert.doesNotMatch(run.stdout, /went on/);
        } finally {
            rmSync(emptyModuleCache, { recursive: true, force: true });
        }
    });
});
