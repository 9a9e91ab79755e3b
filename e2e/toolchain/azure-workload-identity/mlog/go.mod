// A stand-in for monis.app/mlog, the logging wrapper the azure-workload-identity webhook imports. The Go module
// proxy refuses every version of monis.app/mlog (403), so this module provides the part of its API that
// cmd/webhook and pkg/webhook call, on top of logr's JSON logger. It only logs: no webhook behaviour lives here.
module monis.app/mlog

go 1.26

require github.com/go-logr/logr v1.4.3
