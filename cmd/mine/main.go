// Command mine turns query/passage pairs into reranker training data by
// mining hard negatives with BM25.
//
// Usage:
//
//	mine -in INPUT -out OUTPUT [flags]   mine hard negatives
//	mine validate [flags] FILE...        check files against Cohere's upload rules
//	mine eval -in BEIR_DIR [flags]       measure BM25 retrieval against qrels
//
// It reads the input's queries and relevant passages, indexes every passage
// (plus any -corpus collections) in a Bleve index with BM25 scoring, and for
// each query keeps the top-ranked passages that are not relevant to it as
// hard negatives. The output is Cohere's rerank fine-tuning JSONL.
//
// Exit codes: 0 when the run succeeded, 1 when it failed, 2 for a usage
// error such as an unknown flag or an invalid flag value.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Exit codes.
const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// errReported is returned by a command that has already printed why it
// failed, such as a validation report; run exits 1 without printing more.
var errReported = errors.New("failure already reported")

// usageError is an error in the command line, reported with exit code 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// subcommands maps a first argument to its entry point. Anything else is
// a mining command line.
var subcommands = map[string]func(ctx context.Context, args []string, stdout, stderr io.Writer) error{}

func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 1 && args[0] == "help" {
		args = []string{"-h"}
	}
	if len(args) > 0 {
		if cmd, ok := subcommands[args[0]]; ok {
			return cmd(ctx, args[1:], stdout, stderr)
		}
	}
	return runMine(ctx, args, stdout, stderr)
}

// parseFlags parses args. It prints the usage to stdout for -h, so that
// it can be paged, and nothing for a bad flag, whose short message run
// prints, so that a typo is not buried under the whole flag list.
func parseFlags(fs *flag.FlagSet, args []string, stdout io.Writer) error {
	usage, out := fs.Usage, fs.Output()
	fs.Usage = func() {}
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	fs.Usage = usage
	fs.SetOutput(out)
	if errors.Is(err, flag.ErrHelp) {
		fs.SetOutput(stdout)
		usage()
		return errHelp
	}
	if err != nil {
		return &usageError{msg: err.Error()}
	}
	return nil
}

// run executes one command line and returns its exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	err := dispatch(ctx, args, stdout, stderr)
	help := "mine -h"
	if len(args) > 0 && subcommands[args[0]] != nil {
		help = "mine " + args[0] + " -h"
	}
	var ue *usageError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errHelp):
		return exitOK
	case errors.Is(err, errReported):
		return exitFail
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "mine: %v\nRun '%s' for usage.\n", err, help)
		return exitUsage
	case ctx.Err() != nil && errors.Is(err, ctx.Err()):
		fmt.Fprintf(stderr, "mine: interrupted\n")
		return exitFail
	default:
		fmt.Fprintf(stderr, "mine: %v\n", err)
		return exitFail
	}
}
