package main

// Synchronous invokes. @pulumi/pulumi can make an invoke block (the deprecated `{ async: false }` invoke options); gRPC
// in Node cannot block, so the SDK writes the request to a FIFO and reads the answer from another, and the host makes
// the gRPC call on its behalf. The host names the FIFOs' folder with `--sync`; the SDK opens <dir>/invoke_req for
// writing and <dir>/invoke_res for reading the first time it needs them. Each message is a 4-byte big-endian length
// and a protobuf body: ResourceInvokeRequest one way, InvokeResponse the other. @pulumi/pulumi 3.248.0 still reads
// --sync (runtime/settings.ts, tryGetSyncInvokes) but nothing in it calls that any more; the real host still creates
// the FIFOs and passes --sync, so this host does too, for an older or newer SDK that uses them.
//
// Follows proxy.go and proxy_unix.go in sdk/nodejs/cmd/pulumi-language-nodejs at v3.248.0, with one difference: the
// real host creates the FIFOs lazily and blocks in open() until node opens them, which leaves a goroutine stuck for
// every Run whose program never makes a synchronous invoke. This host creates the FIFOs before node starts and opens
// both read-write (which does not block on Linux), so shutdown can always unblock and remove them.

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync/atomic"
	"syscall"

	"google.golang.org/protobuf/proto"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

type syncInvokePipes struct {
	dir      string
	requests *os.File
	replies  *os.File
	closing  atomic.Bool
}

func createSyncInvokePipes() (*syncInvokePipes, error) {
	dir, err := os.MkdirTemp("", "pulumi-node-pipes")
	if err != nil {
		return nil, err
	}
	p := &syncInvokePipes{dir: dir}
	for _, name := range []string{"invoke_req", "invoke_res"} {
		if err := syscall.Mkfifo(filepath.Join(dir, name), 0o600); err != nil {
			p.shutdown()
			return nil, fmt.Errorf("creating sync invoke pipe %s: %w", name, err)
		}
	}
	if p.requests, err = os.OpenFile(filepath.Join(dir, "invoke_req"), os.O_RDWR, 0); err != nil {
		p.shutdown()
		return nil, err
	}
	if p.replies, err = os.OpenFile(filepath.Join(dir, "invoke_res"), os.O_RDWR, 0); err != nil {
		p.shutdown()
		return nil, err
	}
	return p, nil
}

// serve answers requests until shutdown. The returned channel receives one value: nil after shutdown, or the error
// that broke the exchange.
func (p *syncInvokePipes) serve(ctx context.Context, target pulumirpc.ResourceMonitorClient) <-chan error {
	done := make(chan error, 1)
	go func() {
		err := p.loop(ctx, target)
		if p.closing.Load() {
			err = nil
		}
		done <- err
	}()
	return done
}

func (p *syncInvokePipes) loop(ctx context.Context, target pulumirpc.ResourceMonitorClient) error {
	for {
		var n uint32
		if err := binary.Read(p.requests, binary.BigEndian, &n); err != nil {
			return fmt.Errorf("sync invoke: reading request length: %w", err)
		}
		body := make([]byte, n)
		if _, err := io.ReadFull(p.requests, body); err != nil {
			return fmt.Errorf("sync invoke: reading request: %w", err)
		}
		var req pulumirpc.ResourceInvokeRequest
		if err := proto.Unmarshal(body, &req); err != nil {
			return fmt.Errorf("sync invoke: decoding request: %w", err)
		}
		res, err := target.Invoke(ctx, &req)
		if err != nil {
			// The SDK has no error channel on this path; a failure travels as a check failure, as in the real host.
			if res == nil {
				res = &pulumirpc.InvokeResponse{}
			}
			res.Failures = append(res.Failures, &pulumirpc.CheckFailure{Reason: err.Error()})
		}
		out, err := proto.Marshal(res)
		if err != nil {
			return fmt.Errorf("sync invoke: encoding response: %w", err)
		}
		if err := binary.Write(p.replies, binary.BigEndian, uint32(len(out))); err != nil {
			return fmt.Errorf("sync invoke: writing response length: %w", err)
		}
		if _, err := p.replies.Write(out); err != nil {
			return fmt.Errorf("sync invoke: writing response: %w", err)
		}
	}
}

// shutdown closes both FIFOs (unblocking serve) and removes the folder.
func (p *syncInvokePipes) shutdown() {
	p.closing.Store(true)
	var errs []error
	for _, f := range []*os.File{p.requests, p.replies} {
		if f != nil {
			errs = append(errs, f.Close())
		}
	}
	errs = append(errs, os.RemoveAll(p.dir))
	if err := errors.Join(errs...); err != nil {
		debugf("sync invoke pipes shutdown: %v", err)
	}
}
