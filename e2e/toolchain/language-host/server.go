package main

// The LanguageRuntime service: the RPCs the Pulumi CLI 3.248 calls on a Node.js language host when it previews,
// updates and destroys a TypeScript program, runs a Node.js policy pack, and reads plugins from node_modules. Code
// generation (GenerateProject, GenerateProgram, GeneratePackage, Pack, Link) needs pkg/v3's codegen and is answered
// with codes.Unimplemented; the CLI calls none of them on those paths. Follows nodeLanguageHost in
// sdk/nodejs/cmd/pulumi-language-nodejs/main.go at tag v3.248.0.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/pulumi/pulumi/sdk/v3"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/nodejs/npm"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// standInVersion is what GetPluginInfo reports: the release whose contract this host follows.
const standInVersion = "3.248.0"

type languageHost struct {
	pulumirpc.UnsafeLanguageRuntimeServer

	mu            sync.Mutex
	engineAddress string
	tracing       string
	// stop ends the host; called when the engine it handshook with stops answering health checks.
	stop func()

	// cancelCtx ends every running program when the engine calls Cancel.
	cancelCtx  context.Context
	cancelFunc context.CancelFunc
}

var _ pulumirpc.LanguageRuntimeServer = (*languageHost)(nil)

func newLanguageHost(engineAddress, tracing string, stop func()) *languageHost {
	ctx, cancel := context.WithCancel(context.Background())
	return &languageHost{
		engineAddress: engineAddress, tracing: tracing, stop: stop, cancelCtx: ctx, cancelFunc: cancel,
	}
}

func (h *languageHost) engine() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.engineAddress
}

// Handshake is sent when the CLI attaches to an already running host (PULUMI_DEBUG_LANGUAGES); a host the CLI starts
// itself gets the engine address as its last argument instead.
func (h *languageHost) Handshake(
	_ context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	h.mu.Lock()
	h.engineAddress = req.GetEngineAddress()
	h.mu.Unlock()
	// Leave when the engine goes away, as the real host does; the background context outlives this call.
	if err := rpcutil.Healthcheck(context.Background(), req.GetEngineAddress(), 5*time.Minute, h.stop); err != nil {
		return nil, fmt.Errorf("could not start health check host RPC server: %w", err)
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

// GetRequiredPlugins is deprecated; the real host answers Unimplemented and the CLI falls back to
// GetRequiredPackages.
func (h *languageHost) GetRequiredPlugins(
	context.Context, *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	return nil, status.Error(codes.Unimplemented, "method GetRequiredPlugins not implemented")
}

func (h *languageHost) GetRequiredPackages(
	_ context.Context, req *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	if req.GetInfo() == nil {
		return nil, status.Error(codes.InvalidArgument, "GetRequiredPackagesRequest.info is missing")
	}
	found := discoverPackages(req.GetInfo().GetProgramDirectory())
	if warning := incompatiblePulumiCopies(found.PulumiVersions); warning != "" {
		fmt.Fprint(os.Stderr, warning)
	}
	// Like the real host, a partly unreadable tree still yields the plugins that were found; the errors are logged.
	if err := errors.Join(found.Errors...); err != nil {
		debugf("one or more errors while discovering plugins: %v", err)
	}
	return &pulumirpc.GetRequiredPackagesResponse{Packages: found.Packages}, nil
}

func (h *languageHost) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: standInVersion}, nil
}

func (h *languageHost) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	h.cancelFunc()
	return &emptypb.Empty{}, nil
}

// Run starts the program: node <nodeargs> <@pulumi/pulumi/cmd/run> --monitor <proxy> --engine ... <entry point>.
func (h *languageHost) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	if req.GetAttachDebugger() {
		return &pulumirpc.RunResponse{Error: errNoDebugger.Error()}, nil
	}
	engine := h.engine()
	if engine == "" {
		return nil, errors.New("when debugging or running explicitly, must call Handshake before Run")
	}
	if req.GetInfo() == nil {
		return nil, status.Error(codes.InvalidArgument, "RunRequest.info is missing")
	}

	conn, err := grpc.NewClient(req.GetMonitorAddress(), grpc.WithTransportCredentials(insecure.NewCredentials()),
		rpcutil.GrpcChannelOptions())
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	monitor := pulumirpc.NewResourceMonitorClient(conn)

	stopProxy := make(chan bool, 1)
	defer func() { stopProxy <- true }()
	proxy, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: stopProxy,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterResourceMonitorServer(srv, &monitorProxy{target: monitor})
			return nil
		},
	})
	if err != nil {
		return nil, err
	}

	pipes, err := createSyncInvokePipes()
	if err != nil {
		return nil, err
	}
	defer pipes.shutdown()
	pipesDone := pipes.serve(ctx, monitor)

	nodeBin, err := exec.LookPath("node")
	if err != nil {
		return &pulumirpc.RunResponse{Error: "could not find node on the $PATH: " + err.Error()}, nil
	}
	module := os.Getenv(runPathOverrideVar)
	if module == "" {
		module = runModule
	}
	script, err := resolveModule(ctx, nodeBin, module, req.GetInfo().GetProgramDirectory(), "pulumi install")
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	command, err := buildRunCommand(req, runTarget{
		RunScript:     script,
		MonitorProxy:  fmt.Sprintf("127.0.0.1:%d", proxy.Port),
		EngineAddress: engine,
		PipesDir:      pipes.dir,
		Tracing:       h.tracing,
	})
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}

	result := make(chan *pulumirpc.RunResponse, 1)
	go func() { result <- h.runNode(ctx, nodeBin, command) }()
	proxyDone := proxy.Done
	for {
		select {
		case err := <-proxyDone:
			if err != nil {
				return &pulumirpc.RunResponse{Error: err.Error()}, nil
			}
			proxyDone = nil // closed: stop selecting on it rather than spin
		case err := <-pipesDone:
			if err != nil {
				return &pulumirpc.RunResponse{Error: err.Error()}, nil
			}
		case res := <-result:
			return res, nil
		}
	}
}

// runNode runs the program to completion. Its stdout and stderr are the host's: the engine turns the host's output
// into diagnostics. Cancel (or the engine dropping the Run call) interrupts node, and kills it 5 s later.
func (h *languageHost) runNode(ctx context.Context, nodeBin string, command runCommand) *pulumirpc.RunResponse {
	cmdCtx, stop := context.WithCancel(h.cancelCtx)
	defer stop()
	context.AfterFunc(ctx, stop)
	cmd := exec.CommandContext(cmdCtx, nodeBin, command.Args...)
	cmd.Cancel = func() error {
		if err := cmd.Process.Signal(os.Interrupt); err != nil {
			return cmd.Process.Kill()
		}
		return nil
	}
	cmd.WaitDelay = 5 * time.Second
	cmd.Env = append(os.Environ(), command.Env...)
	// Wrapping os.Stdout/os.Stderr makes exec copy through a pipe: node may switch its own stdio to non-blocking
	// mode, which must not leak into the host's file descriptors.
	sniffer := &oomSniffer{}
	cmd.Stdout = struct{ io.Writer }{os.Stdout}
	cmd.Stderr = io.MultiWriter(struct{ io.Writer }{os.Stderr}, sniffer)
	debugf("Language host launching process: %s %s", nodeBin, strings.Join(command.Args, " "))

	err := cmd.Run()
	if err == nil {
		return &pulumirpc.RunResponse{}
	}
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) {
		return &pulumirpc.RunResponse{
			Error: fmt.Sprintf("Problem executing program (could not run language executor): %v", err),
		}
	}
	return runResponseForExit(exitErr.ExitCode(), sniffer.detected)
}

// runResponseForExit maps node's exit code to what the engine shows, as the real host does.
func runResponseForExit(code int, outOfMemory bool) *pulumirpc.RunResponse {
	switch code {
	case 0:
		return &pulumirpc.RunResponse{Error: "Program exited unexpectedly"}
	case exitCodeUserActionableMessage:
		return &pulumirpc.RunResponse{Bail: true}
	}
	msg := fmt.Sprintf("Program exited with non-zero exit code: %d", code)
	if outOfMemory {
		msg += ". " + oomAdvice
	}
	return &pulumirpc.RunResponse{Error: msg}
}

const oomAdvice = "Detected a possible out of memory error. Consider increasing the memory available to the nodejs " +
	"process by setting the `nodeargs` runtime option in Pulumi.yaml to `nodeargs: --max-old-space-size=<size>` " +
	"where `<size>` is the maximum memory in megabytes that can be allocated to nodejs. " +
	"See https://www.pulumi.com/docs/concepts/projects/project-file/#runtime-options"

// oomSniffer watches node's stderr for V8's out-of-memory report (or the inspector assertion that can hide it).
type oomSniffer struct {
	mu       sync.Mutex
	partial  []byte
	detected bool
}

func (o *oomSniffer) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.partial = append(o.partial, p...)
	for {
		i := bytes.IndexByte(o.partial, '\n')
		if i < 0 {
			break
		}
		line := string(o.partial[:i])
		o.partial = o.partial[i+1:]
		if strings.Contains(line, "<--- Last few GCs --->") ||
			strings.Contains(line, "Check failed: needs_context && current_scope_ == closure_scope_") {
			o.detected = true
		}
	}
	return len(p), nil
}

var errNoDebugger = errors.New("this stand-in pulumi-language-nodejs cannot attach a debugger " +
	"(--attach-debugger): run without it, or use the real language host")

// resolveModule asks node where a module lives, from dir, the way the real host's locateModule does, so the same
// copy of @pulumi/pulumi that the program imports runs it.
func resolveModule(ctx context.Context, nodeBin, module, dir, installHint string) (string, error) {
	script := fmt.Sprintf("try { console.log(require.resolve(%q)); } catch (error) { "+
		"if (error.code === 'MODULE_NOT_FOUND') { console.error(%q); } else { console.error(error.message); } "+
		"process.exit(1); }",
		module, "It looks like the Pulumi SDK has not been installed. Have you run "+installHint+"?")
	cmd := exec.CommandContext(ctx, nodeBin, "-e", script)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			return "", errors.New(string(exitErr.Stderr))
		}
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}

// RunPlugin starts a plugin written in Node.js (here: a policy pack) and streams its output back. For a policy pack
// it first serves the Analyzer handshake itself (sdk.PolicyProxy) to learn the stack configuration that
// @pulumi/policy expects in its environment, then hands the engine's connection over to the real pack.
func (h *languageHost) RunPlugin(
	req *pulumirpc.RunPluginRequest, server pulumirpc.LanguageRuntime_RunPluginServer,
) error {
	if req.GetAttachDebugger() {
		return errNoDebugger
	}
	ctx := server.Context()
	stdout, stderr := newRunPluginStreams(server)

	nodeBin, err := exec.LookPath("node")
	if err != nil {
		return err
	}
	command, err := buildPluginCommand(req, os.Getenv(runPathOverrideVar))
	if err != nil {
		return err
	}
	dir := req.GetInfo().GetProgramDirectory()
	script, err := resolveModule(ctx, nodeBin, command.Module, dir, "npm install in "+dir)
	if err != nil {
		return err
	}
	args := append([]string{script}, command.Args...)
	env := command.Env

	var policy *sdk.PolicyProxy
	if isPolicyPack(req) {
		policy, stdout, err = sdk.NewPolicyProxy(ctx, stdout)
		if err != nil {
			return fmt.Errorf("could not start policy pack proxy: %w", err)
		}
		cfg, err := policy.AwaitConfiguration(ctx)
		if err != nil {
			return fmt.Errorf("could not get stack configuration: %w", err)
		}
		extra, err := policyPackEnv(cfg)
		if err != nil {
			return err
		}
		env = append(env, extra...)
	}

	cmd := exec.CommandContext(ctx, nodeBin, args...)
	cmd.Dir = command.Dir
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = stdout, stderr
	debugf("Constructed NodeJS plugin command: %s (in %s)", cmd, cmd.Dir)

	if err := cmd.Start(); err != nil {
		return fmt.Errorf("Problem executing plugin program (could not run language executor): %w", err)
	}
	if policy != nil {
		err = policy.Attach(ctx, cmd) // waits for the pack to exit
	} else {
		err = cmd.Wait()
	}
	// The CLI ends a plugin by cancelling this call, which also kills node; say so rather than report a crash.
	if ctx.Err() != nil {
		return status.FromContextError(ctx.Err()).Err()
	}
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		return fmt.Errorf("Program exited with non-zero exit code: %d", exitErr.ExitCode())
	}
	return err
}

// runPluginStream sends one kind of output as RunPluginResponse messages. gRPC forbids concurrent Send on a stream
// and exec copies stdout and stderr from two goroutines, so both writers share one lock.
type runPluginStream struct {
	mu     *sync.Mutex
	server pulumirpc.LanguageRuntime_RunPluginServer
	wrap   func([]byte) *pulumirpc.RunPluginResponse
}

func (s runPluginStream) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	// Send may keep the slice until it is marshalled; the caller may reuse it afterwards.
	if err := s.server.Send(s.wrap(bytes.Clone(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}

func newRunPluginStreams(server pulumirpc.LanguageRuntime_RunPluginServer) (io.Writer, io.Writer) {
	mu := &sync.Mutex{}
	return runPluginStream{mu, server, func(b []byte) *pulumirpc.RunPluginResponse {
			return &pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stdout{Stdout: b}}
		}}, runPluginStream{mu, server, func(b []byte) *pulumirpc.RunPluginResponse {
			return &pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stderr{Stderr: b}}
		}}
}

// The code generation and packaging RPCs need pkg/v3's codegen, which this stand-in does not carry.
func (h *languageHost) GenerateProgram(
	context.Context, *pulumirpc.GenerateProgramRequest,
) (*pulumirpc.GenerateProgramResponse, error) {
	return nil, unimplemented("GenerateProgram")
}

func (h *languageHost) GenerateProject(
	context.Context, *pulumirpc.GenerateProjectRequest,
) (*pulumirpc.GenerateProjectResponse, error) {
	return nil, unimplemented("GenerateProject")
}

func (h *languageHost) GeneratePackage(
	context.Context, *pulumirpc.GeneratePackageRequest,
) (*pulumirpc.GeneratePackageResponse, error) {
	return nil, unimplemented("GeneratePackage")
}

func (h *languageHost) Pack(context.Context, *pulumirpc.PackRequest) (*pulumirpc.PackResponse, error) {
	return nil, unimplemented("Pack")
}

func (h *languageHost) Link(context.Context, *pulumirpc.LinkRequest) (*pulumirpc.LinkResponse, error) {
	return nil, unimplemented("Link")
}

func unimplemented(method string) error {
	return status.Errorf(codes.Unimplemented,
		"method %s is not implemented by the stand-in pulumi-language-nodejs (no code generation)", method)
}

// RuntimeOptionsPrompts is asked by `pulumi new`; like the real host, offer the package manager choice only when
// Pulumi.yaml does not set it. This host installs nothing, so the choice only reaches Pulumi.yaml.
func (h *languageHost) RuntimeOptionsPrompts(
	_ context.Context, req *pulumirpc.RuntimeOptionsRequest,
) (*pulumirpc.RuntimeOptionsResponse, error) {
	if _, set := req.GetInfo().GetOptions().AsMap()["packagemanager"]; set {
		return &pulumirpc.RuntimeOptionsResponse{}, nil
	}
	npmDefault := &pulumirpc.RuntimeOptionPrompt_RuntimeOptionValue{
		PromptType: pulumirpc.RuntimeOptionPrompt_STRING, StringValue: "npm",
	}
	return &pulumirpc.RuntimeOptionsResponse{Prompts: []*pulumirpc.RuntimeOptionPrompt{{
		Key:         "packagemanager",
		Description: "The package manager to use for installing dependencies",
		PromptType:  pulumirpc.RuntimeOptionPrompt_STRING,
		Choices:     plugin.MakeExecutablePromptChoices("npm", "pnpm", "yarn", "bun"),
		Default:     npmDefault,
	}}}, nil
}

// Template has nothing to do for Node.js, in the real host too.
func (h *languageHost) Template(context.Context, *pulumirpc.TemplateRequest) (*pulumirpc.TemplateResponse, error) {
	return &pulumirpc.TemplateResponse{}, nil
}

// About names node and the package manager, as `pulumi about` prints them.
func (h *languageHost) About(ctx context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	pm, err := packageManagerFor(req.GetInfo())
	if err != nil {
		return nil, err
	}
	nodeBin, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("could not find executable %q: %w", "node", err)
	}
	res := &pulumirpc.AboutResponse{Executable: nodeBin, Metadata: map[string]string{"packagemanager": pm.Name()}}
	// Like the real host, an unreadable version is left out rather than failing `pulumi about`.
	if out, err := exec.CommandContext(ctx, nodeBin, "--version").Output(); err == nil {
		res.Version = strings.TrimSpace(string(out))
	}
	if v, err := pm.Version(); err == nil {
		res.Metadata["packagemanagerVersion"] = v.String()
	}
	return res, nil
}

func (h *languageHost) GetProgramDependencies(
	ctx context.Context, req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	pm, err := packageManagerFor(req.GetInfo())
	if err != nil {
		return nil, err
	}
	packages, err := pm.ListPackages(ctx, req.GetInfo().GetProgramDirectory(), req.GetTransitiveDependencies())
	if err != nil {
		return nil, fmt.Errorf("failed to get node dependencies: %w", err)
	}
	deps := make([]*pulumirpc.DependencyInfo, len(packages))
	for i, p := range packages {
		deps[i] = &pulumirpc.DependencyInfo{Name: p.Name, Version: p.Version}
	}
	return &pulumirpc.GetProgramDependenciesResponse{Dependencies: deps}, nil
}

func packageManagerFor(info *pulumirpc.ProgramInfo) (npm.PackageManager, error) {
	if info == nil {
		return nil, status.Error(codes.InvalidArgument, "request.info is missing")
	}
	opts, err := parseOptions(info.GetOptions().AsMap())
	if err != nil {
		return nil, fmt.Errorf("failed to parse options: %w", err)
	}
	pm, err := npm.ResolvePackageManager(npm.PackageManagerType(opts.packageManager), info.GetProgramDirectory())
	if err != nil {
		return nil, fmt.Errorf("could not resolve packagemanager: %w", err)
	}
	return pm, nil
}

// InstallDependencies never installs: this stand-in runs offline, where `npm install` could only fail. It reports the
// node_modules it finds (in the program directory or the npm/yarn workspace root above it) and fails with the command
// to run when there is none, instead of pretending to have installed anything.
func (h *languageHost) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest, server pulumirpc.LanguageRuntime_InstallDependenciesServer,
) error {
	if req.GetInfo() == nil {
		return status.Error(codes.InvalidArgument, "InstallDependenciesRequest.info is missing")
	}
	if _, err := parseOptions(req.GetInfo().GetOptions().AsMap()); err != nil {
		return fmt.Errorf("failed to parse options: %w", err)
	}
	report, err := installedDependencies(req.GetInfo().GetProgramDirectory())
	if err != nil {
		return err
	}
	return server.Send(&pulumirpc.InstallDependenciesResponse{Stdout: []byte(report)})
}

// installedDependencies returns the message InstallDependencies streams, or the error naming the missing folder.
func installedDependencies(programDir string) (string, error) {
	root := programDir
	if ws, err := npm.FindWorkspaceRoot(programDir); err == nil {
		root = ws
	} else if !errors.Is(err, npm.ErrNotInWorkspace) {
		return "", fmt.Errorf("failure while trying to find workspace root: %w", err)
	}
	modules := filepath.Join(root, "node_modules")
	info, err := os.Stat(modules)
	if err != nil || !info.IsDir() {
		return "", fmt.Errorf("dependencies are not installed: %s does not exist, and the stand-in "+
			"pulumi-language-nodejs does not install packages (it runs offline); run `npm ci` in %s first",
			modules, root)
	}
	return fmt.Sprintf("Dependencies already installed in %s; the stand-in language host does not run a "+
		"package manager.\n", modules), nil
}
