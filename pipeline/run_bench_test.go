package pipeline_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/mine-tools/mine/pipeline"
)

// benchSciFact is the SciFact folder that the benchmarks read.
const benchSciFact = "../testdata/scifact"

// benchConfig returns the command's defaults for SciFact's training split.
func benchConfig(b *testing.B, workers int) pipeline.Config {
	cfg := pipeline.DefaultConfig()
	cfg.Input, cfg.Split, cfg.Workers = benchSciFact, "train", workers
	cfg.Output = filepath.Join(b.TempDir(), "out.jsonl")
	return cfg
}

// BenchmarkRunSciFact measures a whole run on SciFact's training split:
// reading, indexing into a new folder, mining and writing.
func BenchmarkRunSciFact(b *testing.B) {
	cfg := benchConfig(b, 2)
	var sum *pipeline.Summary
	for b.Loop() {
		var err error
		if sum, err = pipeline.Run(context.Background(), cfg); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(sum.Written*b.N)/b.Elapsed().Seconds(), "queries/s")
}

// BenchmarkMineSciFact measures runs that reuse a built index, with one
// and two workers; mined-queries/s counts the mining stage alone.
func BenchmarkMineSciFact(b *testing.B) {
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			cfg := benchConfig(b, workers)
			cfg.IndexDir = filepath.Join(b.TempDir(), "index")
			if _, err := pipeline.Run(context.Background(), cfg); err != nil {
				b.Fatal(err)
			}
			var queries int
			var mining float64
			for b.Loop() {
				sum, err := pipeline.Run(context.Background(), cfg)
				if err != nil {
					b.Fatal(err)
				}
				if !sum.IndexReused {
					b.Fatal("the index was rebuilt, want it reused")
				}
				queries += sum.Written
				mining += sum.MineSeconds
			}
			b.ReportMetric(float64(queries)/mining, "mined-queries/s")
		})
	}
}
