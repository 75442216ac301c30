package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/mine-tools/mine/corpus"
)

func init() {
	subcommands["validate"] = runValidate
}

const validateUsage = `Usage: mine validate [flags] FILE...

Check Cohere rerank fine-tuning JSONL files before upload:
{"query": ..., "relevant_passages": [...], "hard_negatives": [...]}
A FILE may be gzip-compressed; "-" reads standard input.

Errors, which fail the file because they break Cohere's upload rules or
common JSON readers reject them:
  - bytes that are not valid UTF-8 (the line and byte offset are given)
  - a UTF-8 byte-order mark at the start of the file, which Python's
    json.loads rejects
  - a line that is not exactly one JSON object
  - "query" missing, not a string, or empty
  - "relevant_passages" missing, not a list of strings, an empty list, or
    holding an empty string
  - "hard_negatives" present but not a list of strings (null included)
  - a passage that is both relevant and a hard negative on one line
  - fewer than 256 unique queries in the file
  - a file over 1.5 GB (1,500,000,000 bytes, after gzip decompression)
  - a file that cannot be opened or read to the end
Warnings, which Cohere accepts:
  - empty or repeated hard negatives on a line, which Cohere drops
  - a query that an earlier line already has
  - a blank line
  - a passage that with its query likely exceeds the 510 tokens they share
    in Cohere's rerank models; tokens are estimated at 4 per 3 words, where
    a word is a run of characters between spaces

The report on standard output lists the first 20 issues of each kind as
FILE:LINE: SEVERITY: MESSAGE, counts the rest, and ends each file with a
summary line.

Flags:
`

// validateReport is the -json output.
type validateReport struct {
	Passed bool                 `json:"passed"`
	Files  []validateFileReport `json:"files"`
}

// validateFileReport is one file's report with its verdict.
type validateFileReport struct {
	Passed bool `json:"passed"`
	*corpus.Report
}

// runValidate checks each file named on the command line and prints the
// reports on stdout. It returns errReported when a file fails.
func runValidate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("mine validate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), validateUsage)
		fs.PrintDefaults()
		fmt.Fprint(fs.Output(), "\nExit codes: 0 every file passed (warnings allowed), 1 a file failed, 2 usage error.\n")
	}
	jsonOut := fs.Bool("json", false, "print the reports as one JSON object instead of text")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	files := fs.Args()
	if err := checkValidateArgs(args, files); err != nil {
		return err
	}

	out := validateReport{Passed: true}
	for _, name := range files {
		report, err := corpus.ValidateFile(ctx, name, corpus.ValidateOptions{})
		if err != nil {
			// Reports of earlier files may already be printed, so the
			// message names only the file that was cut short.
			fmt.Fprintf(stderr, "mine validate: interrupted while checking %s\n", name)
			return errReported
		}
		out.Passed = out.Passed && report.Passed()
		out.Files = append(out.Files, validateFileReport{Passed: report.Passed(), Report: report})
		if !*jsonOut {
			printReport(stdout, report)
		}
	}
	if *jsonOut {
		if err := writeJSON(stdout, out); err != nil {
			return err
		}
	} else if len(files) > 1 {
		printTotals(stdout, out)
	}
	if !out.Passed {
		return errReported
	}
	return nil
}

// checkValidateArgs checks the file arguments left after the flags.
func checkValidateArgs(args, files []string) error {
	if len(files) == 0 {
		return usagef("validate needs at least one FILE to check")
	}
	afterDashes := len(args) > len(files) && args[len(args)-len(files)-1] == "--"
	stdin := 0
	for _, name := range files {
		if name == corpus.StdinName {
			stdin++
			continue
		}
		if strings.HasPrefix(name, "-") && !afterDashes {
			return usagef("flag %s after the files; put flags before the files, or write ./%s for a file of that name", name, name)
		}
	}
	if stdin > 1 {
		return usagef("standard input (-) can be checked only once per run")
	}
	return nil
}

// printReport writes one file's issues, grouped by rule, and a summary line.
func printReport(w io.Writer, r *corpus.Report) {
	for _, rule := range corpus.Rules() {
		for _, is := range r.Issues {
			if is.Rule != rule {
				continue
			}
			if is.Line == 0 {
				fmt.Fprintf(w, "%s: %s: %s\n", r.File, is.Severity, is.Message)
			} else {
				fmt.Fprintf(w, "%s:%d: %s: %s\n", r.File, is.Line, is.Severity, is.Message)
			}
		}
		if n := r.Unlisted(rule); n > 0 {
			fmt.Fprintf(w, "%s: %d more %s %ss not listed\n", r.File, n, rule, rule.Severity())
		}
	}
	verdict := "passed"
	if !r.Passed() {
		verdict = "failed"
	}
	fmt.Fprintf(w, "%s: %s: %s, %s, %s, %s\n", r.File, verdict,
		plural(r.Lines, "line", "lines"), plural(r.UniqueQueries, "unique query", "unique queries"),
		plural(r.Errors, "error", "errors"), plural(r.Warnings, "warning", "warnings"))
}

// printTotals writes how many of several files failed.
func printTotals(w io.Writer, out validateReport) {
	failed := 0
	for _, f := range out.Files {
		if !f.Passed {
			failed++
		}
	}
	fmt.Fprintf(w, "mine validate: %d of %d files failed\n", failed, len(out.Files))
}

// plural returns n followed by the noun in the form that n takes.
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}
