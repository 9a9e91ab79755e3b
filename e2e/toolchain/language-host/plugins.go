package main

// Plugin discovery for GetRequiredPackages: every package.json under a node_modules folder below the program directory
// whose "pulumi" block says `"resource": true` names a resource plugin the engine must load. Follows
// getPackagesFromDir, getPackageInfo, getPluginName, getPluginVersion and compatibleVersions in
// sdk/nodejs/cmd/pulumi-language-nodejs/main.go at tag v3.248.0.

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// packageJSON is the part of a package.json that discovery reads.
type packageJSON struct {
	Name    string                  `json:"name"`
	Version string                  `json:"version"`
	Pulumi  plugin.PulumiPluginJSON `json:"pulumi"`
}

// discovery is the result of one walk: the plugins found, every @pulumi/pulumi copy by package.json path, and the
// errors met on the way (discovery goes on past a bad package.json, as the real host does).
type discovery struct {
	Packages       []*pulumirpc.PackageDependency
	PulumiVersions map[string]semver.Version
	Errors         []error
}

func discoverPackages(programDir string) discovery {
	d := discovery{PulumiVersions: map[string]semver.Version{}}
	d.walk(programDir, false, map[string]bool{})
	return d
}

func (d *discovery) walk(dir string, inNodeModules bool, visited map[string]bool) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		d.Errors = append(d.Errors, fmt.Errorf("getting full path for plugin dir %s: %w", dir, err))
		return
	}
	if visited[dir] {
		return
	}
	visited[dir] = true

	entries, err := os.ReadDir(dir)
	if err != nil {
		d.Errors = append(d.Errors, fmt.Errorf("reading plugin dir %s: %w", dir, err))
		return
	}
	for _, entry := range entries {
		path := filepath.Join(dir, entry.Name())
		isDir := entry.IsDir()
		// Workspaces link packages into node_modules; follow the link but remember where it leads, so a cycle or a
		// package reachable twice is walked once.
		if entry.Type()&fs.ModeSymlink != 0 {
			resolved, err := filepath.EvalSymlinks(path)
			if err != nil {
				d.Errors = append(d.Errors, fmt.Errorf("resolving link in plugin dir %s: %w", path, err))
				continue
			}
			info, err := os.Stat(resolved)
			if err != nil {
				d.Errors = append(d.Errors, err)
				continue
			}
			path, isDir = resolved, info.IsDir()
		}

		switch {
		case isDir:
			// A nested policy pack's plugins are the pack's dependencies, not the program's.
			pack, err := workspace.DetectPolicyPackPathAt(path)
			if err != nil {
				d.Errors = append(d.Errors, err)
				continue
			}
			if pack != "" {
				continue
			}
			d.walk(path, inNodeModules || filepath.Base(dir) == "node_modules", visited)
		case inNodeModules && entry.Name() == "package.json":
			d.readPackageJSON(path)
		}
	}
}

func (d *discovery) readPackageJSON(path string) {
	b, err := os.ReadFile(path)
	if err != nil {
		d.Errors = append(d.Errors, fmt.Errorf("reading package.json %s: %w", path, err))
		return
	}
	var info packageJSON
	if err := json.Unmarshal(b, &info); err != nil {
		d.Errors = append(d.Errors, fmt.Errorf("unmarshaling package.json %s: %w", path, err))
		return
	}
	if info.Name == "@pulumi/pulumi" {
		v, err := semver.Parse(info.Version)
		if err != nil {
			d.Errors = append(d.Errors, fmt.Errorf("could not understand version %s in '%s': %w", info.Version, path, err))
			return
		}
		d.PulumiVersions[path] = v
	}
	dep, err := packageDependency(info)
	if err != nil {
		d.Errors = append(d.Errors, fmt.Errorf("unmarshaling package.json %s: %w", path, err))
		return
	}
	if dep != nil {
		d.Packages = append(d.Packages, dep)
	}
}

// packageDependency returns the plugin a package.json declares, or nil when it declares none.
func packageDependency(info packageJSON) (*pulumirpc.PackageDependency, error) {
	if !info.Pulumi.Resource {
		return nil, nil
	}
	name, err := pluginName(info)
	if err != nil {
		return nil, err
	}
	version := info.Pulumi.Version
	if version == "" {
		version = info.Version
	}
	if version == "" {
		return nil, errors.New(`missing expected "version" property`)
	}
	if !strings.HasPrefix(version, "v") {
		version = "v" + version
	}
	dep := &pulumirpc.PackageDependency{
		Name:    name,
		Kind:    "resource",
		Version: version,
		Server:  info.Pulumi.Server,
	}
	if p := info.Pulumi.Parameterization; p != nil {
		dep.Parameterization = &pulumirpc.PackageParameterization{Name: p.Name, Version: p.Version, Value: p.Value}
	}
	return dep, nil
}

// pluginName is pulumi.name when given; otherwise an @pulumi/ package's bare name. A third-party package must name
// its plugin.
func pluginName(info packageJSON) (string, error) {
	if info.Pulumi.Name != "" {
		return info.Pulumi.Name, nil
	}
	if info.Name == "" {
		return "", errors.New(`missing expected "name" property`)
	}
	if rest, ok := strings.CutPrefix(info.Name, "@pulumi/"); ok {
		return rest, nil
	}
	return "", fmt.Errorf(`missing property "name" for the third-party plugin '%v' inside package.json under the "pulumi" section`,
		info.Name)
}

// incompatiblePulumiCopies returns a warning when two copies of @pulumi/pulumi differ in a way the real host warns
// about (a different major version after 2.x), or "" when they are compatible. Paths are compared in sorted order so
// the warning names the same pair on every run.
func incompatiblePulumiCopies(versions map[string]semver.Version) string {
	paths := make([]string, 0, len(versions))
	for p := range versions {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths[min(1, len(paths)):] {
		first, v := versions[paths[0]], versions[p]
		if ok, why := compatibleVersions(v, first); !ok {
			return fmt.Sprintf("Found incompatible versions of @pulumi/pulumi. %s\n  Version %s referenced at %s\n"+
				"  Version %s referenced at %s\n", why, first, paths[0], v, p)
		}
	}
	return ""
}

func compatibleVersions(a, b semver.Version) (bool, string) {
	switch {
	case a.Major == 0 && b.Major == 0:
		if a.Minor != b.Minor {
			return false, "Differing major or minor versions are not supported."
		}
	case a.Major >= 1 && a.Major <= 2 && b.Major >= 1 && b.Major <= 2:
	case a.Major > 2 || b.Major > 2:
		if a.Major != b.Major {
			return false, "Differing major versions are not supported."
		}
	case a.Major == 1 && b.Major == 0 && b.Minor == 17 || b.Major == 1 && a.Major == 0 && a.Minor == 17:
	default:
		return false, "Differing major or minor versions are not supported."
	}
	return true, ""
}
