package main

// The resource monitor node talks to during Run. The host puts itself between node and the engine's monitor, as the
// real host does, for one reason that matters to the engine: it marks every RegisterResource as coming from Node.js
// (gRPC metadata "pulumi-runtime: nodejs"), and the engine then rewrites the Node.js SDK's legacy alias specs into
// proper ones (requestFromNodeJS / transformAliasForNodeJSCompat in pkg/resource/deploy/source_eval.go). Every other
// call is forwarded untouched. Follows monitorProxy in sdk/nodejs/cmd/pulumi-language-nodejs/proxy.go at v3.248.0.

import (
	"context"

	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/types/known/emptypb"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// runtimeMetadataKey/Value are what source_eval.go's requestFromNodeJS checks.
const (
	runtimeMetadataKey   = "pulumi-runtime"
	runtimeMetadataValue = "nodejs"
)

// monitorProxy embeds the Unsafe interface rather than the Unimplemented struct, so a ResourceMonitor method added in
// a newer sdk/v3 is a compile error here instead of a silent Unimplemented answer to node.
type monitorProxy struct {
	pulumirpc.UnsafeResourceMonitorServer
	target pulumirpc.ResourceMonitorClient
}

var _ pulumirpc.ResourceMonitorServer = (*monitorProxy)(nil)

func (p *monitorProxy) RegisterResource(
	ctx context.Context, req *pulumirpc.RegisterResourceRequest,
) (*pulumirpc.RegisterResourceResponse, error) {
	ctx = metadata.AppendToOutgoingContext(ctx, runtimeMetadataKey, runtimeMetadataValue)
	return p.target.RegisterResource(ctx, req)
}

func (p *monitorProxy) GetDeploymentInfo(ctx context.Context, req *emptypb.Empty) (*pulumirpc.DeploymentInfo, error) {
	return p.target.GetDeploymentInfo(ctx, req)
}

func (p *monitorProxy) SupportsFeature(
	ctx context.Context, req *pulumirpc.SupportsFeatureRequest,
) (*pulumirpc.SupportsFeatureResponse, error) {
	return p.target.SupportsFeature(ctx, req)
}

func (p *monitorProxy) Invoke(
	ctx context.Context, req *pulumirpc.ResourceInvokeRequest,
) (*pulumirpc.InvokeResponse, error) {
	return p.target.Invoke(ctx, req)
}

func (p *monitorProxy) Call(ctx context.Context, req *pulumirpc.ResourceCallRequest) (*pulumirpc.CallResponse, error) {
	return p.target.Call(ctx, req)
}

func (p *monitorProxy) ReadResource(
	ctx context.Context, req *pulumirpc.ReadResourceRequest,
) (*pulumirpc.ReadResourceResponse, error) {
	return p.target.ReadResource(ctx, req)
}

func (p *monitorProxy) RegisterResourceOutputs(
	ctx context.Context, req *pulumirpc.RegisterResourceOutputsRequest,
) (*emptypb.Empty, error) {
	return p.target.RegisterResourceOutputs(ctx, req)
}

func (p *monitorProxy) RegisterStackTransform(ctx context.Context, req *pulumirpc.Callback) (*emptypb.Empty, error) {
	return p.target.RegisterStackTransform(ctx, req)
}

func (p *monitorProxy) RegisterStackInvokeTransform(
	ctx context.Context, req *pulumirpc.Callback,
) (*emptypb.Empty, error) {
	return p.target.RegisterStackInvokeTransform(ctx, req)
}

func (p *monitorProxy) RegisterResourceHook(
	ctx context.Context, req *pulumirpc.RegisterResourceHookRequest,
) (*emptypb.Empty, error) {
	return p.target.RegisterResourceHook(ctx, req)
}

func (p *monitorProxy) RegisterErrorHook(
	ctx context.Context, req *pulumirpc.RegisterErrorHookRequest,
) (*emptypb.Empty, error) {
	return p.target.RegisterErrorHook(ctx, req)
}

func (p *monitorProxy) RegisterPackage(
	ctx context.Context, req *pulumirpc.RegisterPackageRequest,
) (*pulumirpc.RegisterPackageResponse, error) {
	return p.target.RegisterPackage(ctx, req)
}

func (p *monitorProxy) SignalAndWaitForShutdown(ctx context.Context, req *emptypb.Empty) (*emptypb.Empty, error) {
	return p.target.SignalAndWaitForShutdown(ctx, req)
}
