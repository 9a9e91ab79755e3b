package main

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// fakeMonitor answers Invoke; any other call panics through the nil embedded interface.
type fakeMonitor struct {
	pulumirpc.ResourceMonitorClient
	calls []string
}

func (m *fakeMonitor) Invoke(
	_ context.Context, req *pulumirpc.ResourceInvokeRequest, _ ...grpc.CallOption,
) (*pulumirpc.InvokeResponse, error) {
	m.calls = append(m.calls, req.GetTok())
	if req.GetTok() == "azure-native:authorization:getClientConfig" {
		ret, _ := structpb.NewStruct(map[string]any{"tenantId": "tenant-1"})
		return &pulumirpc.InvokeResponse{Return: ret}, nil
	}
	return nil, errors.New("unknown function " + req.GetTok())
}

// node's side of the exchange, as @pulumi/pulumi's runtime/settings.ts does it.
func syncInvoke(t *testing.T, requests, replies *os.File, tok string) *pulumirpc.InvokeResponse {
	t.Helper()
	body, err := proto.Marshal(&pulumirpc.ResourceInvokeRequest{Tok: tok})
	if err != nil {
		t.Fatal(err)
	}
	if err := binary.Write(requests, binary.BigEndian, uint32(len(body))); err != nil {
		t.Fatal(err)
	}
	if _, err := requests.Write(body); err != nil {
		t.Fatal(err)
	}
	var n uint32
	if err := binary.Read(replies, binary.BigEndian, &n); err != nil {
		t.Fatal(err)
	}
	out := make([]byte, n)
	if _, err := io.ReadFull(replies, out); err != nil {
		t.Fatal(err)
	}
	var res pulumirpc.InvokeResponse
	if err := proto.Unmarshal(out, &res); err != nil {
		t.Fatal(err)
	}
	return &res
}

func TestSyncInvokePipes(t *testing.T) {
	pipes, err := createSyncInvokePipes()
	if err != nil {
		t.Fatal(err)
	}
	monitor := &fakeMonitor{}
	done := pipes.serve(context.Background(), monitor)

	requests, err := os.OpenFile(filepath.Join(pipes.dir, "invoke_req"), os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer requests.Close()
	replies, err := os.OpenFile(filepath.Join(pipes.dir, "invoke_res"), os.O_RDONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer replies.Close()

	ok := syncInvoke(t, requests, replies, "azure-native:authorization:getClientConfig")
	if got := ok.GetReturn().AsMap()["tenantId"]; got != "tenant-1" || len(ok.GetFailures()) != 0 {
		t.Errorf("response = %v, want tenantId tenant-1 and no failures", ok)
	}
	failed := syncInvoke(t, requests, replies, "acme:index:missing")
	if len(failed.GetFailures()) != 1 || failed.GetFailures()[0].GetReason() != "unknown function acme:index:missing" {
		t.Errorf("failures = %v, want the monitor's error as the only reason", failed.GetFailures())
	}
	if len(monitor.calls) != 2 {
		t.Errorf("monitor calls = %v, want 2", monitor.calls)
	}

	pipes.shutdown()
	if err := <-done; err != nil {
		t.Errorf("serve ended with %v after shutdown, want nil", err)
	}
	if _, err := os.Stat(pipes.dir); !os.IsNotExist(err) {
		t.Errorf("pipes folder %s still exists after shutdown (stat: %v)", pipes.dir, err)
	}
}

// A program that never makes a synchronous invoke never opens the FIFOs; shutdown must still end serve.
func TestSyncInvokePipesShutdownWithoutNode(t *testing.T) {
	pipes, err := createSyncInvokePipes()
	if err != nil {
		t.Fatal(err)
	}
	done := pipes.serve(context.Background(), &fakeMonitor{})
	pipes.shutdown()
	if err := <-done; err != nil {
		t.Errorf("serve ended with %v, want nil", err)
	}
}

// A garbled request is an error Run reports, not something to skip.
func TestSyncInvokePipesGarbledRequest(t *testing.T) {
	pipes, err := createSyncInvokePipes()
	if err != nil {
		t.Fatal(err)
	}
	defer pipes.shutdown()
	done := pipes.serve(context.Background(), &fakeMonitor{})
	requests, err := os.OpenFile(filepath.Join(pipes.dir, "invoke_req"), os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer requests.Close()
	if err := binary.Write(requests, binary.BigEndian, uint32(3)); err != nil {
		t.Fatal(err)
	}
	if _, err := requests.Write([]byte{0xff, 0xff, 0xff}); err != nil {
		t.Fatal(err)
	}
	err = <-done
	if err == nil || !strings.Contains(err.Error(), "sync invoke: decoding request") {
		t.Errorf("serve ended with %v, want a decoding error", err)
	}
}

func TestInstalledDependencies(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		"package.json":                    `{"name":"root","private":true,"workspaces":["examples/*"]}`,
		"node_modules/.package-lock.json": `{}`,
		"examples/consumer/package.json":  `{"name":"consumer"}`,
		"standalone/package.json":         `{"name":"standalone"}`,
		"standalone/README.md":            "no node_modules here",
	})
	// A workspace member uses the workspace root's node_modules.
	msg, err := installedDependencies(filepath.Join(root, "examples", "consumer"))
	if err != nil {
		t.Fatal(err)
	}
	want := "Dependencies already installed in " + filepath.Join(root, "node_modules") +
		"; the stand-in language host does not run a package manager.\n"
	if msg != want {
		t.Errorf("message = %q, want %q", msg, want)
	}
	_, err = installedDependencies(filepath.Join(root, "standalone"))
	wantErr := "dependencies are not installed: " + filepath.Join(root, "standalone", "node_modules") +
		" does not exist, and the stand-in pulumi-language-nodejs does not install packages (it runs offline); " +
		"run `npm ci` in " + filepath.Join(root, "standalone") + " first"
	if err == nil || err.Error() != wantErr {
		t.Errorf("error = %v, want %q", err, wantErr)
	}
}
