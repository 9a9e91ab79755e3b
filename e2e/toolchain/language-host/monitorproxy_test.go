package main

import (
	"context"
	"fmt"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// engineMonitor stands for the engine's resource monitor and records the gRPC metadata each call arrived with.
type engineMonitor struct {
	pulumirpc.UnimplementedResourceMonitorServer
	runtimeHeader map[string][]string // method -> values of pulumi-runtime
}

func (m *engineMonitor) note(ctx context.Context, method string) {
	md, _ := metadata.FromIncomingContext(ctx)
	m.runtimeHeader[method] = md.Get(runtimeMetadataKey)
}

func (m *engineMonitor) RegisterResource(
	ctx context.Context, req *pulumirpc.RegisterResourceRequest,
) (*pulumirpc.RegisterResourceResponse, error) {
	m.note(ctx, "RegisterResource")
	return &pulumirpc.RegisterResourceResponse{Urn: "urn:pulumi:dev::p::" + req.GetType() + "::" + req.GetName()}, nil
}

func (m *engineMonitor) SupportsFeature(
	ctx context.Context, req *pulumirpc.SupportsFeatureRequest,
) (*pulumirpc.SupportsFeatureResponse, error) {
	m.note(ctx, "SupportsFeature")
	return &pulumirpc.SupportsFeatureResponse{HasSupport: req.GetId() == "secrets"}, nil
}

func (m *engineMonitor) SignalAndWaitForShutdown(ctx context.Context, _ *emptypb.Empty) (*emptypb.Empty, error) {
	m.note(ctx, "SignalAndWaitForShutdown")
	return &emptypb.Empty{}, nil
}

func serve(t *testing.T, register func(*grpc.Server)) string {
	t.Helper()
	stop := make(chan bool, 1)
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: stop,
		Init:   func(s *grpc.Server) error { register(s); return nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stop <- true; <-handle.Done })
	return fmt.Sprintf("127.0.0.1:%d", handle.Port)
}

func dial(t *testing.T, addr string) *grpc.ClientConn {
	t.Helper()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// The engine rewrites Node.js alias specs only for requests marked pulumi-runtime: nodejs; the proxy must mark
// RegisterResource and pass everything else through unchanged.
func TestMonitorProxyMarksRegisterResourceAsNodejs(t *testing.T) {
	engine := &engineMonitor{runtimeHeader: map[string][]string{}}
	engineAddr := serve(t, func(s *grpc.Server) { pulumirpc.RegisterResourceMonitorServer(s, engine) })
	target := pulumirpc.NewResourceMonitorClient(dial(t, engineAddr))
	proxyAddr := serve(t, func(s *grpc.Server) {
		pulumirpc.RegisterResourceMonitorServer(s, &monitorProxy{target: target})
	})
	node := pulumirpc.NewResourceMonitorClient(dial(t, proxyAddr))
	ctx := context.Background()

	res, err := node.RegisterResource(ctx, &pulumirpc.RegisterResourceRequest{Type: "pulumi:pulumi:Stack", Name: "p-dev"})
	if err != nil {
		t.Fatal(err)
	}
	if res.GetUrn() != "urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev" {
		t.Errorf("urn = %q: the response did not come back through the proxy unchanged", res.GetUrn())
	}
	feature, err := node.SupportsFeature(ctx, &pulumirpc.SupportsFeatureRequest{Id: "secrets"})
	if err != nil || !feature.GetHasSupport() {
		t.Errorf("SupportsFeature(secrets) = %v, %v; want support", feature, err)
	}
	if _, err := node.SignalAndWaitForShutdown(ctx, &emptypb.Empty{}); err != nil {
		t.Fatal(err)
	}

	want := map[string]string{"RegisterResource": "nodejs", "SupportsFeature": "", "SignalAndWaitForShutdown": ""}
	for method, value := range want {
		got := engine.runtimeHeader[method]
		if value == "" && len(got) != 0 || value != "" && (len(got) != 1 || got[0] != value) {
			t.Errorf("%s reached the engine with pulumi-runtime %q, want %q", method, got, value)
		}
	}
}
