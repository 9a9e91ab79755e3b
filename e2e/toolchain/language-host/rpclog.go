package main

// An optional log of the RPCs the CLI calls, one line per call, so a test (or a person) can see exactly which parts of
// the LanguageRuntime contract a CLI version uses. Set PULUMI_LANGUAGE_HOST_RPC_LOG to a file path to turn it on; the
// host appends to it, so the several hosts one CLI command starts share one file. Every call is also logged at -v=5.

import (
	"context"
	"fmt"
	"os"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/status"
)

const rpcLogVar = "PULUMI_LANGUAGE_HOST_RPC_LOG"

type rpcLog struct {
	mu   sync.Mutex
	file *os.File // nil: log at -v=5 only
}

func openRPCLog(path string) (*rpcLog, error) {
	if path == "" {
		return &rpcLog{}, nil
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, fmt.Errorf("%s=%s: cannot open the RPC log: %w", rpcLogVar, path, err)
	}
	return &rpcLog{file: f}, nil
}

// record writes "<time> pid=<pid> <method> <code> [<error message>]" once the call has ended.
func (l *rpcLog) record(method string, err error) {
	line := fmt.Sprintf("%s pid=%d %s %s", time.Now().UTC().Format(time.RFC3339Nano), os.Getpid(), method,
		status.Code(err))
	if err != nil {
		line += fmt.Sprintf(" %q", err.Error())
	}
	debugf("rpc: %s", line)
	if l.file == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, werr := fmt.Fprintln(l.file, line); werr != nil {
		debugf("writing the RPC log: %v", werr)
	}
}

func (l *rpcLog) serverOptions() []grpc.ServerOption {
	return []grpc.ServerOption{
		grpc.ChainUnaryInterceptor(func(
			ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler,
		) (any, error) {
			res, err := handler(ctx, req)
			l.record(info.FullMethod, err)
			return res, err
		}),
		grpc.ChainStreamInterceptor(func(
			srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler,
		) error {
			err := handler(srv, ss)
			l.record(info.FullMethod, err)
			return err
		}),
	}
}
