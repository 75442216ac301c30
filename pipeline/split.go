package pipeline

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/mine-tools/mine/corpus/disksort"
	"github.com/mine-tools/mine/index"
)

// heldOut decides which records go to the held-out file. Records are taken
// by query group: one record, or with SplitByPassage every record
// connected to it through a shared relevant passage (after
// normalisation). Groups are ranked by a SHA-256 of the seed and the
// group's first query, so the choice depends on the seed and the data,
// not on input order or worker count. Groups are taken in that order
// until the target count is reached.
type heldOut struct {
	seed int64
	// threshold is the key of the last record held out, when every group
	// is one record: a record is held out when its key is not above it.
	threshold [32]byte
	// marks holds the choice by record position with SplitByPassage.
	marks []bool
	// count is the number of records held out.
	count int
}

// has reports whether record i, whose query is query, is held out. A nil
// heldOut holds out nothing.
func (h *heldOut) has(i int, query string) bool {
	if h == nil {
		return false
	}
	if h.marks != nil {
		return h.marks[i]
	}
	k := evalKey(h.seed, query)
	return bytes.Compare(k[:], h.threshold[:]) <= 0
}

// evalKey ranks a query group for the held-out choice.
func evalKey(seed int64, query string) [32]byte {
	var s [8]byte
	binary.LittleEndian.PutUint64(s[:], uint64(seed))
	h := sha256.New()
	h.Write(s[:])
	h.Write([]byte(query))
	var k [32]byte
	h.Sum(k[:0])
	return k
}

// newEvalKeys returns a sorter for the keys of the query groups, when a
// held-out file is asked for without SplitByPassage, or nil.
func newEvalKeys(cfg *Config) *disksort.Sorter[[32]byte] {
	if cfg.EvalOut == "" || cfg.SplitByPassage {
		return nil
	}
	return disksort.New(
		func(k [32]byte) ([]byte, error) { return k[:], nil },
		func(b []byte) ([32]byte, error) {
			var k [32]byte
			if len(b) != len(k) {
				return k, errSpool
			}
			copy(k[:], b)
			return k, nil
		},
		func(a, b [32]byte) int { return bytes.Compare(a[:], b[:]) })
}

// errStop ends a pass over a stream early, once the caller has what it
// needs.
var errStop = errors.New("stop reading")

// planHoldOut picks the held-out records of a finished spool, or returns
// nil when no held-out file was asked for.
func planHoldOut(sp *spool, ix *index.Index, cfg *Config) (*heldOut, error) {
	if cfg.EvalOut == "" {
		return nil, nil
	}
	n := sp.Groups
	target := cfg.EvalCount
	if target <= 0 {
		target = int(math.Round(cfg.EvalFraction * float64(n)))
	}
	if target < 1 || target >= n {
		return nil, fmt.Errorf("%w: holding out %d of %d records leaves one side empty", ErrConfig, target, n)
	}
	h := &heldOut{seed: cfg.Seed, count: target}
	if !cfg.SplitByPassage {
		seen := 0
		err := sp.keys.Each(func(k [32]byte) error {
			if seen++; seen == target {
				h.threshold = k
				return errStop
			}
			return nil
		})
		if !errors.Is(err, errStop) {
			return nil, fmt.Errorf("choose held-out records: %w", err)
		}
		return h, nil
	}
	// Groups joined by shared passages need every record's links at hand.
	// TODO: this keeps about 40 bytes per record and relevant passage in memory.
	keys := make([][32]byte, 0, n)
	links := make([][]uint64, 0, n)
	err := sp.each(func(_ int, r spooled) error {
		keys = append(keys, evalKey(cfg.Seed, r.query))
		l := make([]uint64, len(r.relevant))
		for j, id := range r.relevant {
			k, err := ix.Key(id)
			if err != nil {
				return err
			}
			l[j] = k
		}
		links = append(links, l)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("choose held-out records: %w", err)
	}
	h.marks, h.count = pickHeldOut(keys, links, target)
	return h, nil
}

// pickHeldOut marks the records of the lowest-ranked groups until target
// records are marked, skipping a group that would leave nothing to train
// on. Records are linked into one group by a shared entry of links.
func pickHeldOut(keys [][32]byte, links [][]uint64, target int) ([]bool, int) {
	groups := linkedGroups(links)
	slices.SortFunc(groups, func(a, b []int) int {
		ka, kb := keys[a[0]], keys[b[0]]
		return bytes.Compare(ka[:], kb[:])
	})
	marks := make([]bool, len(keys))
	n := 0
	for _, g := range groups {
		if n >= target {
			break
		}
		if n+len(g) >= len(keys) {
			continue
		}
		for _, i := range g {
			marks[i] = true
		}
		n += len(g)
	}
	return marks, n
}

// linkedGroups returns the record positions of each group, in order of
// first member, where records that share an entry of links are one group.
func linkedGroups(links [][]uint64) [][]int {
	parent := make([]int, len(links))
	for i := range parent {
		parent[i] = i
	}
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	owner := make(map[uint64]int)
	for i, l := range links {
		for _, key := range l {
			if j, ok := owner[key]; ok {
				a, b := find(i), find(j)
				parent[max(a, b)] = min(a, b)
			} else {
				owner[key] = i
			}
		}
	}
	index := make(map[int]int)
	var groups [][]int
	for i := range links {
		root := find(i)
		g, ok := index[root]
		if !ok {
			g = len(groups)
			index[root] = g
			groups = append(groups, nil)
		}
		groups[g] = append(groups[g], i)
	}
	return groups
}
