# Targets for building, testing and running mine. See README.md.
GO ?= go

.PHONY: build test mine lint bench bench-go bench-memory synth

build:
	$(GO) build -o mine ./cmd/mine

test:
	$(GO) test ./...

# The README's example run: SciFact's training split, shipped in testdata/.
mine:
	$(GO) run ./cmd/mine -in testdata/scifact -split train -out scifact-train.jsonl

lint:
	$(GO) vet ./...
	@unformatted="$$(gofmt -l .)"; if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi

# Benchmarks; see BENCHMARKS.md. `make bench` measures mine, plain Bleve
# and SQLite FTS5 side by side on SciFact's training split and on 1M
# synthetic passages (generated into out/ on first use) and prints medians
# and ratios; it takes about 40 minutes on two idle cores. Override
# BENCH_DATA with a comma-separated NAME=FOLDER list, such as
# BENCH_DATA=synth-100k=$(CURDIR)/out/synth-100k after `make synth`.
BENCH_OUT ?= out
BENCH_DATA ?= scifact=$(CURDIR)/testdata/scifact,synth-1m=$(CURDIR)/$(BENCH_OUT)/synth-1m
BENCH_BUILD_RUNS ?= 3
BENCH_MINE_RUNS ?= 5
SYNTH = $(GO) run ./cmd/mine synth -seed 1

bench: $(BENCH_OUT)/synth-1m/qrels/train.tsv
	$(GO) test -count=1 -timeout 0 -v -run '^TestSideBySide$$' ./pipeline/bench -args -sidebyside \
		-data '$(BENCH_DATA)' -work '$(CURDIR)/$(BENCH_OUT)/bench' \
		-build-runs $(BENCH_BUILD_RUNS) -mine-runs $(BENCH_MINE_RUNS) \
		-report '$(CURDIR)/$(BENCH_OUT)/bench-report.md'

# Peak memory of mining 10k and 1M queries against one index of 1M
# synthetic passages (out/q1m, about 380 MB, generated on first use, with
# qrels/first10k.tsv holding the first 10,000 pairs of qrels/train.tsv);
# about 25 minutes on two idle cores.
bench-memory: $(BENCH_OUT)/q1m/qrels/first10k.tsv
	$(GO) test -count=1 -timeout 0 -v -run '^TestQueryMemory$$' ./pipeline/bench -args -querymemory \
		-memory-data '$(CURDIR)/$(BENCH_OUT)/q1m' -small first10k -large train -memory-runs 2 \
		-work '$(CURDIR)/$(BENCH_OUT)/bench-memory' -report '$(CURDIR)/$(BENCH_OUT)/bench-memory-report.md'

$(BENCH_OUT)/q1m/qrels/first10k.tsv: $(BENCH_OUT)/q1m/qrels/train.tsv
	head -n 10001 $< > $@.tmp && mv $@.tmp $@

$(BENCH_OUT)/q1m/qrels/train.tsv:
	$(SYNTH) -out $(BENCH_OUT)/q1m -passages 1000000 -queries 1000000

# Indexing, retrieval and whole-run benchmarks on SciFact.
bench-go:
	$(GO) test -run '^$$' -bench . -benchtime 5x ./index ./pipeline

# Synthetic folders of 100k, 1M and 8.8M passages (about 30 MB, 330 MB and
# 2.9 GB). qrels/train.tsv is renamed into place last, so it marks a
# complete folder.
synth: $(BENCH_OUT)/synth-100k/qrels/train.tsv $(BENCH_OUT)/synth-1m/qrels/train.tsv

$(BENCH_OUT)/synth-100k/qrels/train.tsv:
	$(SYNTH) -out $(BENCH_OUT)/synth-100k -passages 100000 -queries 2000

$(BENCH_OUT)/synth-1m/qrels/train.tsv:
	$(SYNTH) -out $(BENCH_OUT)/synth-1m -passages 1000000 -queries 2000

$(BENCH_OUT)/synth-8.8m/qrels/train.tsv:
	$(SYNTH) -out $(BENCH_OUT)/synth-8.8m -passages 8800000 -queries 2000
