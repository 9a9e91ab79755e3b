// Command pulumi-language-nodejs is a STAND-IN for Pulumi's Node.js language host, written for aks-openai-wi's
// offline end-to-end run (issue 10).
//
// Why a stand-in: the real host lives in its own Go module,
// github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3, and the Go module proxy refuses every version
// of it ("403 Forbidden: This module version is not available", for v3.248.0 and for the pseudo-version of its
// commit); sdk/v3's module zip leaves it out because it has its own go.mod. Everything around it (the CLI, the
// providers, @pulumi/pulumi in node_modules) is the real thing.
//
// What it follows: sdk/nodejs/cmd/pulumi-language-nodejs/main.go and proxy.go at tag v3.248.0, the release of the
// CLI and of @pulumi/pulumi in package-lock.json. It speaks the same pulumirpc.LanguageRuntime protocol, starts node
// with the same run scripts, arguments and environment, and answers codes.Unimplemented where it does not do what the
// real host does (code generation, packaging, linking). What it does not do: install packages (InstallDependencies
// reports the installed node_modules or fails naming the command to run), attach a debugger, run under bun, or emit
// tracing spans (the -tracing endpoint is still handed on to node).
//
// Build: `go build -o <bin>/pulumi-language-nodejs .` here, with <bin> the folder that holds the CLI (the CLI takes
// bundled plugins from next to itself and warns when $PATH supplies another). Prove: `go test ./...`, then
// `bash selftest.sh <pulumi> <pulumi-language-nodejs>`. PULUMI_LANGUAGE_HOST_RPC_LOG=<file> logs every RPC called.
//
// Files: server.go (the RPCs), runargs.go (node arguments and environment), plugins.go (plugin discovery in
// node_modules), monitorproxy.go and syncinvoke.go (what node talks to during Run), rpclog.go (RPC log).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"

	"google.golang.org/grpc"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

func main() {
	tracing := flag.String("tracing", "", "Emit tracing to a Zipkin-compatible tracing endpoint")
	runtimeName := flag.String("runtime", "nodejs", "Runtime for TypeScript programs; this stand-in supports nodejs only")
	showVersion := flag.Bool("version", false, "Print the plugin version and exit")
	// The CLI passes its own -v and --logtostderr on when run with --logflow. glog, which sdk/v3 links in, already
	// registers them; logging.InitLogging reads them back from flag.CommandLine.
	for name, usage := range map[string]string{"v": "log verbosity", "logtostderr": "log to stderr"} {
		if flag.Lookup(name) == nil {
			if name == "v" {
				flag.Int(name, 0, usage)
			} else {
				flag.Bool(name, false, usage)
			}
		}
	}
	flag.Parse()

	if *showVersion {
		fmt.Println(standInVersion)
		return
	}
	logging.InitLogging(false, 0, false)
	if *runtimeName != "nodejs" {
		fail(fmt.Errorf("-runtime=%s: the stand-in pulumi-language-nodejs runs programs with node only; "+
			"use -runtime=nodejs (the default)", *runtimeName))
	}

	var engineAddress string
	if args := flag.Args(); len(args) > 0 {
		engineAddress = args[0]
	}

	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt)
	defer cancel()
	stopServing := make(chan bool, 1)
	go func() {
		<-ctx.Done()
		stopServing <- true
	}()
	// Leave when the engine goes away, so no host outlives the CLI that started it.
	if engineAddress != "" {
		if err := rpcutil.Healthcheck(ctx, engineAddress, 5*time.Minute, cancel); err != nil {
			fail(fmt.Errorf("could not start health check host RPC server: %w", err))
		}
	}

	rpcLog, err := openRPCLog(os.Getenv(rpcLogVar))
	if err != nil {
		fail(err)
	}
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: stopServing,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, newLanguageHost(engineAddress, *tracing, cancel))
			return nil
		},
		Options: rpcLog.serverOptions(),
	})
	if err != nil {
		fail(fmt.Errorf("could not start language host RPC server: %w", err))
	}
	// The CLI reads the port from the first line of stdout.
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fail(fmt.Errorf("language host RPC stopped serving: %w", err))
	}
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "error: %v\n", err)
	os.Exit(1)
}

func debugf(format string, args ...any) {
	logging.V(5).Infof(format, args...)
}
