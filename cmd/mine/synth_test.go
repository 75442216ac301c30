package main

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestSynthUsageErrors(t *testing.T) {
	out := filepath.Join(t.TempDir(), "synth")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no folder", []string{"synth"}, "synth: -out is required: the folder to write"},
		{"stray argument", []string{"synth", "-out", out, "extra"}, `synth: unexpected argument "extra"; give the folder with -out`},
		{"zero passages", []string{"synth", "-out", out, "-passages", "0"}, "passages must be at least 1, got 0"},
		{"too many queries", []string{"synth", "-out", out, "-passages", "10", "-queries", "11"}, "queries must be between 0 and the 10 passages, got 11"},
		{"bad exponent", []string{"synth", "-out", out, "-zipf", "-1"}, "Zipf exponent must be above 0 and at most 4, got -1"},
		{"unknown flag", []string{"synth", "-out", out, "-size", "1M"}, "flag provided but not defined: -size"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, tt.args...)
			if code != exitUsage {
				t.Errorf("exit code: got %d, want %d; stderr:\n%s", code, exitUsage, stderr)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr lacks %q:\n%s", tt.want, stderr)
			}
		})
	}
}

// TestSynthThenMine writes a small synthetic folder and mines it, as the
// benchmark does at scale.
func TestSynthThenMine(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "synth")
	code, stdout, stderr := runCLI(t, "synth", "-out", data, "-passages", "3000", "-queries", "40", "-vocabulary", "20000")
	if code != exitOK {
		t.Fatalf("synth exit code: got %d, want 0; stderr:\n%s", code, stderr)
	}
	if stdout != "" {
		t.Errorf("synth wrote to stdout: %q", stdout)
	}
	if want := "wrote 3000 passages"; !strings.Contains(stderr, want) {
		t.Errorf("synth summary lacks %q:\n%s", want, stderr)
	}

	out := filepath.Join(dir, "out.jsonl")
	code, _, stderr = runCLI(t, "-in", data, "-split", "train", "-out", out, "-workers", "2", "-quiet")
	if code != exitOK {
		t.Fatalf("mine exit code: got %d, want 0; stderr:\n%s", code, stderr)
	}
	records := readLines(t, out)
	if len(records) != 40 {
		t.Fatalf("got %d records, want 40", len(records))
	}
	for _, rec := range records {
		relevant := rec["relevant_passages"].([]any)[0].(string)
		hard := negatives(rec)
		if len(hard) != 5 {
			t.Errorf("query %q got %d negatives, want 5", rec["query"], len(hard))
		}
		for _, n := range hard {
			if n == relevant {
				t.Errorf("query %q has its relevant passage as a negative", rec["query"])
			}
		}
	}
}
