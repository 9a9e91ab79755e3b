// Package mlog is a stand-in for monis.app/mlog (not served by the Go module proxy): the logging calls of the
// azure-workload-identity webhook, written as JSON lines to standard error through logr's funcr.
package mlog

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"

	"github.com/go-logr/logr"
	"github.com/go-logr/logr/funcr"
)

// LogLevel names a verbosity, in increasing order: warning (the default), info, debug, trace, all.
type LogLevel string

const (
	LevelWarning LogLevel = "warning"
	LevelInfo    LogLevel = "info"
	LevelDebug   LogLevel = "debug"
	LevelTrace   LogLevel = "trace"
	LevelAll     LogLevel = "all"
)

// LogFormat is the output format; only JSON is written.
type LogFormat string

const FormatJSON LogFormat = "json"

// LogSpec is what the webhook's --log-level flag sets.
type LogSpec struct {
	Level  LogLevel
	Format LogFormat
}

var verbosity = map[LogLevel]int{LevelWarning: 0, LevelInfo: 2, LevelDebug: 4, LevelTrace: 6, LevelAll: 108}

var current atomic.Int32

// ValidateAndSetLogLevelAndFormatGlobally sets the level; an empty level is the default (warning).
func ValidateAndSetLogLevelAndFormatGlobally(_ context.Context, spec LogSpec) error {
	level := spec.Level
	if level == "" {
		level = LevelWarning
	}
	v, ok := verbosity[level]
	if !ok {
		return fmt.Errorf("invalid log level %q: use one of warning, info, debug, trace, all", spec.Level)
	}
	if spec.Format != "" && spec.Format != FormatJSON {
		return fmt.Errorf("invalid log format %q: only %q is supported", spec.Format, FormatJSON)
	}
	current.Store(int32(v))
	return nil
}

// Enabled reports whether messages at level are written.
func Enabled(level LogLevel) bool { return int32(verbosity[level]) <= current.Load() }

// Setup returns the function to run at exit (nothing to flush here).
func Setup() func() { return func() {} }

// Logr is the logger controller-runtime is given.
func Logr() logr.Logger {
	return funcr.NewJSON(func(obj string) { fmt.Fprintln(os.Stderr, obj) }, funcr.Options{
		LogTimestamp: true,
		Verbosity:    int(current.Load()),
	})
}

// Logger is the structured logger the webhook's handler uses.
type Logger struct {
	names  []string
	values []any
}

// New returns a logger with no name and no values.
func New() Logger { return Logger{} }

func (l Logger) WithName(name string) Logger {
	l.names = append(append([]string{}, l.names...), name)
	return l
}

func (l Logger) WithValues(keysAndValues ...any) Logger {
	l.values = append(append([]any{}, l.values...), keysAndValues...)
	return l
}

func (l Logger) logr() logr.Logger {
	log := Logr()
	for _, name := range l.names {
		log = log.WithName(name)
	}
	return log.WithValues(l.values...)
}

func (l Logger) Info(msg string, keysAndValues ...any) {
	l.logr().V(verbosity[LevelInfo]).Info(msg, keysAndValues...)
}
func (l Logger) Debug(msg string, keysAndValues ...any) {
	l.logr().V(verbosity[LevelDebug]).Info(msg, keysAndValues...)
}
func (l Logger) Trace(msg string, keysAndValues ...any) {
	l.logr().V(verbosity[LevelTrace]).Info(msg, keysAndValues...)
}
func (l Logger) Warning(msg string, keysAndValues ...any) {
	l.logr().Info(msg, append(keysAndValues, "warning", true)...)
}
func (l Logger) Error(msg string, err error, keysAndValues ...any) {
	l.logr().Error(err, msg, keysAndValues...)
}

// Fatal logs err and exits with status 1.
func Fatal(err error, keysAndValues ...any) {
	New().Error("fatal error", err, keysAndValues...)
	os.Exit(1)
}
