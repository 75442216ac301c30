# Targets for building, testing and running mine. See README.md.
GO ?= go

.PHONY: build test mine lint

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
