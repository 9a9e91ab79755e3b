package main

// The pure half of Run and RunPlugin: from a request to the node command line and environment. Nothing here starts a
// process or reads the environment, so the unit tests can assert the exact arguments the real host would pass.
// Follows constructArguments, constructConfig, constructConfigSecretKeys, parseOptions and the argument/environment
// part of RunPlugin in sdk/nodejs/cmd/pulumi-language-nodejs/main.go at tag v3.248.0.

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/google/shlex"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/config"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

const (
	// Module paths that node resolves from the program (or plugin) directory.
	runModule           = "@pulumi/pulumi/cmd/run"
	runPluginModule     = "@pulumi/pulumi/cmd/run-plugin"
	runPolicyPackModule = "@pulumi/pulumi/cmd/run-policy-pack"

	// The real host lets tests point Run (and non-policy RunPlugin) at another entry script with this variable.
	runPathOverrideVar = "PULUMI_LANGUAGE_NODEJS_RUN_PATH"

	// @pulumi/pulumi's run script exits with this code after it has already printed an actionable message; the
	// engine is then told to bail without adding its own error.
	exitCodeUserActionableMessage = 32
)

// nodeOptions are the Pulumi.yaml `runtime.options` the host understands. packagemanager is validated but only used
// by About and GetProgramDependencies (this stand-in never installs anything).
type nodeOptions struct {
	typescript     bool
	tsconfigPath   string
	nodeArgs       string
	packageManager string
}

var packageManagers = map[string]bool{"auto": true, "npm": true, "yarn": true, "pnpm": true, "bun": true}

// parseOptions reads runtime.options. typescript defaults to true, as in the real host, which is why a policy pack
// whose PulumiPolicy.yaml says only `runtime: nodejs` still runs through ts-node.
func parseOptions(options map[string]any) (nodeOptions, error) {
	opts := nodeOptions{typescript: true, packageManager: "auto"}
	if v, ok := options["typescript"]; ok {
		b, isBool := v.(bool)
		if !isBool {
			return opts, fmt.Errorf("runtime option typescript must be a boolean (true or false), got %#v", v)
		}
		opts.typescript = b
	}
	if v, ok := options["tsconfig"]; ok {
		s, isString := v.(string)
		if !isString {
			return opts, fmt.Errorf("runtime option tsconfig must be a string path to a tsconfig.json, got %#v", v)
		}
		opts.tsconfigPath = s
	}
	if v, ok := options["nodeargs"]; ok {
		s, isString := v.(string)
		if !isString {
			return opts, fmt.Errorf("runtime option nodeargs must be a string of node flags, got %#v", v)
		}
		opts.nodeArgs = s
	}
	if v, ok := options["packagemanager"]; ok {
		s, isString := v.(string)
		if !isString || !packageManagers[s] {
			return opts, fmt.Errorf(
				"runtime option packagemanager must be one of auto, npm, yarn, pnpm or bun, got %#v", v)
		}
		opts.packageManager = s
	}
	return opts, nil
}

// typescriptEnv is what both Run and RunPlugin add for the typescript options: @pulumi/pulumi registers ts-node when
// PULUMI_NODEJS_TYPESCRIPT is set and passes it the tsconfig path.
func typescriptEnv(opts nodeOptions) []string {
	var env []string
	if opts.typescript {
		env = append(env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}
	if opts.tsconfigPath != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+opts.tsconfigPath)
	}
	return env
}

// runCommand is everything needed to start node for a Run request, once the run script has been resolved and the
// monitor proxy and sync-invoke pipes exist.
type runCommand struct {
	Args []string // arguments to node: nodeargs, then the run script and its flags, then the entry point
	Env  []string // added to the host's own environment
}

// runTarget names the addresses and paths that are the host's, not the request's.
type runTarget struct {
	RunScript     string // resolved path of @pulumi/pulumi/cmd/run
	MonitorProxy  string // 127.0.0.1:<port> of this host's monitor proxy
	EngineAddress string // from the command line or Handshake
	PipesDir      string // directory holding the invoke_req/invoke_res FIFOs
	Tracing       string // the -tracing flag the CLI passed, if any
}

func buildRunCommand(req *pulumirpc.RunRequest, target runTarget) (runCommand, error) {
	if req.GetInfo() == nil {
		return runCommand{}, errors.New("RunRequest.info is missing: the engine always sends the program info")
	}
	opts, err := parseOptions(req.GetInfo().GetOptions().AsMap())
	if err != nil {
		return runCommand{}, err
	}
	configJSON, err := runConfigJSON(req.GetConfig())
	if err != nil {
		return runCommand{}, fmt.Errorf("failed to serialize configuration: %w", err)
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	secretKeysJSON, err := json.Marshal(secretKeys)
	if err != nil {
		return runCommand{}, fmt.Errorf("failed to serialize configuration secret keys: %w", err)
	}

	args, err := shlex.Split(opts.nodeArgs)
	if err != nil {
		return runCommand{}, fmt.Errorf("runtime option nodeargs %q cannot be split into arguments: %w", opts.nodeArgs, err)
	}

	args = append(args, target.RunScript)
	flag := func(name, value string) {
		if value != "" {
			args = append(args, "--"+name, value)
		}
	}
	flag("monitor", target.MonitorProxy)
	flag("engine", target.EngineAddress)
	flag("sync", target.PipesDir)
	flag("organization", req.GetOrganization())
	flag("project", req.GetProject())
	flag("root-directory", req.GetInfo().GetRootDirectory())
	flag("stack", req.GetStack())
	flag("pwd", req.GetInfo().GetProgramDirectory())
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	flag("parallel", strconv.Itoa(int(req.GetParallel())))
	flag("tracing", target.Tracing)
	args = append(args, req.GetInfo().GetEntryPoint())
	args = append(args, req.GetArgs()...)

	env := []string{
		"PULUMI_CONFIG=" + configJSON,
		"PULUMI_CONFIG_SECRET_KEYS=" + string(secretKeysJSON),
	}
	env = append(env, typescriptEnv(opts)...)
	return runCommand{Args: args, Env: env}, nil
}

// runConfigJSON presents config keys as <namespace>:config:<name>, the old form that every @pulumi/pulumi version
// still reads (newer ones read both forms).
func runConfigJSON(cfg map[string]string) (string, error) {
	if cfg == nil {
		return "{}", nil
	}
	legacy := make(map[string]string, len(cfg))
	for k, v := range cfg {
		key, err := config.ParseKey(k)
		if err != nil {
			return "", fmt.Errorf("config key %q: %w", k, err)
		}
		legacy[key.Namespace()+":config:"+key.Name()] = v
	}
	b, err := json.Marshal(legacy)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// pluginCommand is the node command for RunPlugin, before the policy pack's stack configuration (if any) is known.
type pluginCommand struct {
	Module string   // module to resolve from the plugin directory
	Args   []string // node arguments after the resolved module path
	Env    []string // the complete environment: the CLI sends it whole in RunPluginRequest.env
	Dir    string   // working directory
}

// isPolicyPack says whether a RunPlugin request is for a policy pack (kind "analyzer"), which the host launches
// through @pulumi/pulumi/cmd/run-policy-pack with the pack directory as last argument and as working directory.
func isPolicyPack(req *pulumirpc.RunPluginRequest) bool {
	return req.GetKind() == string(apitype.AnalyzerPlugin)
}

func buildPluginCommand(req *pulumirpc.RunPluginRequest, runPathOverride string) (pluginCommand, error) {
	if req.GetInfo() == nil {
		return pluginCommand{}, errors.New("RunPluginRequest.info is missing: the engine always sends the plugin info")
	}
	opts, err := parseOptions(req.GetInfo().GetOptions().AsMap())
	if err != nil {
		return pluginCommand{}, err
	}
	nodeArgs, err := shlex.Split(opts.nodeArgs)
	if err != nil {
		return pluginCommand{}, fmt.Errorf("runtime option nodeargs %q cannot be split into arguments: %w", opts.nodeArgs, err)
	}

	cmd := pluginCommand{
		Env: append(append([]string{}, req.GetEnv()...), typescriptEnv(opts)...),
		Dir: req.GetPwd(),
	}
	dir := req.GetInfo().GetProgramDirectory()
	// Unlike Run, nodeargs come after the script here: the real host passes them to the plugin, not to node.
	cmd.Args = append(cmd.Args, nodeArgs...)
	if isPolicyPack(req) {
		cmd.Module = runPolicyPackModule
		cmd.Args = append(cmd.Args, req.GetArgs()...)
		cmd.Args = append(cmd.Args, dir)
		cmd.Dir = dir
	} else {
		cmd.Module = runPluginModule
		if runPathOverride != "" {
			cmd.Module = runPathOverride
		}
		cmd.Args = append(cmd.Args, dir)
		cmd.Args = append(cmd.Args, req.GetArgs()...)
	}
	return cmd, nil
}

// policyPackEnv is what the host adds for a policy pack once the engine has sent ConfigureStack: the settings
// @pulumi/policy reads through @pulumi/pulumi's runtime state.
func policyPackEnv(cfg *pulumirpc.AnalyzerStackConfigureRequest) ([]string, error) {
	if cfg == nil {
		return nil, nil
	}
	var env []string
	add := func(k, v string) {
		if v != "" {
			env = append(env, k+"="+v)
		}
	}
	add("PULUMI_NODEJS_ORGANIZATION", cfg.GetOrganization())
	add("PULUMI_NODEJS_PROJECT", cfg.GetProject())
	add("PULUMI_NODEJS_STACK", cfg.GetStack())
	add("PULUMI_NODEJS_DRY_RUN", strconv.FormatBool(cfg.GetDryRun()))
	if cfg.GetConfig() != nil {
		b, err := json.Marshal(cfg.GetConfig())
		if err != nil {
			return nil, fmt.Errorf("could not marshal stack configuration: %w", err)
		}
		add("PULUMI_CONFIG", string(b))
	}
	return env, nil
}
