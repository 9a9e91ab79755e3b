package main

import (
	"reflect"
	"strings"
	"testing"

	"google.golang.org/protobuf/types/known/structpb"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

func programInfo(t *testing.T, options map[string]any) *pulumirpc.ProgramInfo {
	t.Helper()
	opts, err := structpb.NewStruct(options)
	if err != nil {
		t.Fatal(err)
	}
	return &pulumirpc.ProgramInfo{
		RootDirectory:    "/src/proj",
		ProgramDirectory: "/src/proj",
		EntryPoint:       ".",
		Options:          opts,
	}
}

var target = runTarget{
	RunScript:     "/src/proj/node_modules/@pulumi/pulumi/cmd/run/index.js",
	MonitorProxy:  "127.0.0.1:4001",
	EngineAddress: "127.0.0.1:4000",
	PipesDir:      "/tmp/pulumi-node-pipes123",
}

// The exact command line the real host builds for `pulumi preview` of this project (Pulumi.yaml: typescript: true).
func TestBuildRunCommandPreview(t *testing.T) {
	req := &pulumirpc.RunRequest{
		MonitorAddress:   "127.0.0.1:5000", // the engine's; node gets the proxy instead
		Project:          "aks-openai-wi",
		Stack:            "dev",
		Organization:     "organization",
		DryRun:           true,
		Parallel:         16,
		Config:           map[string]string{"aks-openai-wi:resourceGroupName": "rg-ai", "azure-native:location": "westeurope"},
		ConfigSecretKeys: []string{"aks-openai-wi:apiKey"},
		Args:             []string{"extra"},
		Info:             programInfo(t, map[string]any{"typescript": true}),
	}
	got, err := buildRunCommand(req, target)
	if err != nil {
		t.Fatal(err)
	}
	wantArgs := []string{
		"/src/proj/node_modules/@pulumi/pulumi/cmd/run/index.js",
		"--monitor", "127.0.0.1:4001",
		"--engine", "127.0.0.1:4000",
		"--sync", "/tmp/pulumi-node-pipes123",
		"--organization", "organization",
		"--project", "aks-openai-wi",
		"--root-directory", "/src/proj",
		"--stack", "dev",
		"--pwd", "/src/proj",
		"--dry-run",
		"--parallel", "16",
		".",
		"extra",
	}
	if !reflect.DeepEqual(got.Args, wantArgs) {
		t.Errorf("args:\n got %q\nwant %q", got.Args, wantArgs)
	}
	wantEnv := []string{
		`PULUMI_CONFIG={"aks-openai-wi:config:resourceGroupName":"rg-ai","azure-native:config:location":"westeurope"}`,
		`PULUMI_CONFIG_SECRET_KEYS=["aks-openai-wi:apiKey"]`,
		"PULUMI_NODEJS_TYPESCRIPT=true",
	}
	if !reflect.DeepEqual(got.Env, wantEnv) {
		t.Errorf("env:\n got %q\nwant %q", got.Env, wantEnv)
	}
}

// `pulumi up`: no --dry-run; empty config still reaches node as {} and []; nodeargs go before the run script;
// typescript: false and a tsconfig path are honoured; tracing is handed on.
func TestBuildRunCommandUpWithOptions(t *testing.T) {
	req := &pulumirpc.RunRequest{
		Project:  "consumer",
		Stack:    "dev",
		Parallel: 1,
		Info: programInfo(t, map[string]any{
			"typescript": false,
			"tsconfig":   "tsconfig.build.json",
			"nodeargs":   "--max-old-space-size=4096 --require 'a b.js'",
		}),
	}
	withTracing := target
	withTracing.Tracing = "http://127.0.0.1:9411/api/v1/spans"
	got, err := buildRunCommand(req, withTracing)
	if err != nil {
		t.Fatal(err)
	}
	wantArgs := []string{
		"--max-old-space-size=4096", "--require", "a b.js",
		"/src/proj/node_modules/@pulumi/pulumi/cmd/run/index.js",
		"--monitor", "127.0.0.1:4001",
		"--engine", "127.0.0.1:4000",
		"--sync", "/tmp/pulumi-node-pipes123",
		"--project", "consumer",
		"--root-directory", "/src/proj",
		"--stack", "dev",
		"--pwd", "/src/proj",
		"--parallel", "1",
		"--tracing", "http://127.0.0.1:9411/api/v1/spans",
		".",
	}
	if !reflect.DeepEqual(got.Args, wantArgs) {
		t.Errorf("args:\n got %q\nwant %q", got.Args, wantArgs)
	}
	wantEnv := []string{"PULUMI_CONFIG={}", "PULUMI_CONFIG_SECRET_KEYS=[]", "PULUMI_NODEJS_TSCONFIG_PATH=tsconfig.build.json"}
	if !reflect.DeepEqual(got.Env, wantEnv) {
		t.Errorf("env:\n got %q\nwant %q", got.Env, wantEnv)
	}
}

func TestBuildRunCommandRejectsBadInput(t *testing.T) {
	cases := []struct {
		name    string
		req     *pulumirpc.RunRequest
		wantErr string
	}{
		{"no info", &pulumirpc.RunRequest{}, "RunRequest.info is missing"},
		{
			"typescript not a boolean",
			&pulumirpc.RunRequest{Info: programInfo(t, map[string]any{"typescript": "yes"})},
			`runtime option typescript must be a boolean (true or false), got "yes"`,
		},
		{
			"unbalanced quote in nodeargs",
			&pulumirpc.RunRequest{Info: programInfo(t, map[string]any{"nodeargs": "--inspect 'oops"})},
			`runtime option nodeargs "--inspect 'oops" cannot be split into arguments`,
		},
		{
			"config key without namespace",
			&pulumirpc.RunRequest{Config: map[string]string{"noNamespace": "x"}, Info: programInfo(t, nil)},
			`failed to serialize configuration: config key "noNamespace"`,
		},
		{
			"unknown package manager",
			&pulumirpc.RunRequest{Info: programInfo(t, map[string]any{"packagemanager": "cargo"})},
			`runtime option packagemanager must be one of auto, npm, yarn, pnpm or bun, got "cargo"`,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := buildRunCommand(c.req, target)
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("error = %v, want it to contain %q", err, c.wantErr)
			}
		})
	}
}

// What the CLI sends for `pulumi preview --policy-pack policy`: kind analyzer, the engine address as the only
// argument, the whole environment. The pack directory comes last and is the working directory.
func TestBuildPluginCommandPolicyPack(t *testing.T) {
	info := programInfo(t, nil) // PulumiPolicy.yaml `runtime: nodejs` has no options: typescript defaults to true
	info.ProgramDirectory, info.RootDirectory = "/src/proj/policy", "/src/proj/policy"
	req := &pulumirpc.RunPluginRequest{
		Pwd:  "/src/proj",
		Args: []string{"127.0.0.1:4000"},
		Env:  []string{"PATH=/usr/bin", "PULUMI_HOME=/tmp/home"},
		Info: info,
		Kind: "analyzer",
	}
	got, err := buildPluginCommand(req, "/ignored/for/policy/packs.js")
	if err != nil {
		t.Fatal(err)
	}
	want := pluginCommand{
		Module: "@pulumi/pulumi/cmd/run-policy-pack",
		Args:   []string{"127.0.0.1:4000", "/src/proj/policy"},
		Env:    []string{"PATH=/usr/bin", "PULUMI_HOME=/tmp/home", "PULUMI_NODEJS_TYPESCRIPT=true"},
		Dir:    "/src/proj/policy",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	if req.Env[len(req.Env)-1] != "PULUMI_HOME=/tmp/home" {
		t.Errorf("buildPluginCommand changed the request's env slice: %q", req.Env)
	}
}

// Any other plugin kind: run-plugin (or the override), plugin directory first, then the CLI's arguments, nodeargs
// after the script, working directory the CLI's.
func TestBuildPluginCommandResourcePlugin(t *testing.T) {
	info := programInfo(t, map[string]any{"typescript": false, "nodeargs": "--trace-warnings"})
	info.ProgramDirectory = "/plugins/thing"
	req := &pulumirpc.RunPluginRequest{
		Pwd: "/src/proj", Args: []string{"127.0.0.1:4000"}, Env: []string{"A=1"}, Info: info, Kind: "resource",
	}
	got, err := buildPluginCommand(req, "")
	if err != nil {
		t.Fatal(err)
	}
	want := pluginCommand{
		Module: "@pulumi/pulumi/cmd/run-plugin",
		Args:   []string{"--trace-warnings", "/plugins/thing", "127.0.0.1:4000"},
		Env:    []string{"A=1"},
		Dir:    "/src/proj",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	overridden, err := buildPluginCommand(req, "/custom/run.js")
	if err != nil {
		t.Fatal(err)
	}
	if overridden.Module != "/custom/run.js" {
		t.Errorf("module with %s set = %q, want /custom/run.js", runPathOverrideVar, overridden.Module)
	}
}

func TestPolicyPackEnv(t *testing.T) {
	got, err := policyPackEnv(&pulumirpc.AnalyzerStackConfigureRequest{
		Stack:        "dev",
		Project:      "aks-openai-wi",
		Organization: "organization",
		DryRun:       true,
		Config:       map[string]string{"aks-openai-wi:namespace": "pets"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"PULUMI_NODEJS_ORGANIZATION=organization",
		"PULUMI_NODEJS_PROJECT=aks-openai-wi",
		"PULUMI_NODEJS_STACK=dev",
		"PULUMI_NODEJS_DRY_RUN=true",
		`PULUMI_CONFIG={"aks-openai-wi:namespace":"pets"}`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	// `pulumi policy publish` configures nothing: no extra environment.
	if none, err := policyPackEnv(nil); err != nil || none != nil {
		t.Errorf("policyPackEnv(nil) = %q, %v; want nil, nil", none, err)
	}
}

func TestRunResponseForExit(t *testing.T) {
	cases := []struct {
		code int
		oom  bool
		want *pulumirpc.RunResponse
	}{
		{32, false, &pulumirpc.RunResponse{Bail: true}},
		{1, false, &pulumirpc.RunResponse{Error: "Program exited with non-zero exit code: 1"}},
		{134, true, &pulumirpc.RunResponse{Error: "Program exited with non-zero exit code: 134. " + oomAdvice}},
	}
	for _, c := range cases {
		got := runResponseForExit(c.code, c.oom)
		if got.Error != c.want.Error || got.Bail != c.want.Bail {
			t.Errorf("runResponseForExit(%d, %v) = %+v, want %+v", c.code, c.oom, got, c.want)
		}
	}
}

// The marker may arrive split across writes; only a complete line counts.
func TestOOMSnifferAcrossWrites(t *testing.T) {
	s := &oomSniffer{}
	for _, chunk := range []string{"some output\n<--- Last few", " GCs --->"} {
		if _, err := s.Write([]byte(chunk)); err != nil {
			t.Fatal(err)
		}
	}
	if s.detected {
		t.Fatal("detected before the line ended")
	}
	_, _ = s.Write([]byte("\n"))
	if !s.detected {
		t.Fatal("the V8 out-of-memory marker was not detected")
	}
}
