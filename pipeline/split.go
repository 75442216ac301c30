package pipeline

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"slices"

	"github.com/mine-tools/mine/corpus"
	"github.com/mine-tools/mine/index"
)

// holdOut picks the records that go to the held-out file, by query group:
// one record, or with SplitByPassage every record connected to it through
// a shared relevant passage (after normalisation). Groups are ranked by a
// SHA-256 of the seed and the group's first query, so the choice depends on
// the seed and the data, not on input order or worker count. Groups are
// taken in that order until the target count is reached. The result is nil
// when no held-out file was asked for.
func holdOut(records []corpus.Record, cfg *Config) ([]bool, error) {
	if cfg.EvalOut == "" {
		return nil, nil
	}
	target := cfg.EvalCount
	if target <= 0 {
		target = int(math.Round(cfg.EvalFraction * float64(len(records))))
	}
	if target < 1 || target >= len(records) {
		return nil, fmt.Errorf("%w: holding out %d of %d records leaves one side empty", ErrConfig, target, len(records))
	}
	groups := queryGroups(records, cfg.SplitByPassage)
	type ranked struct {
		key     [32]byte
		members []int
	}
	order := make([]ranked, 0, len(groups))
	var seed [8]byte
	binary.LittleEndian.PutUint64(seed[:], uint64(cfg.Seed))
	for _, members := range groups {
		h := sha256.New()
		h.Write(seed[:])
		h.Write([]byte(records[members[0]].Query))
		var r ranked
		copy(r.key[:], h.Sum(nil))
		r.members = members
		order = append(order, r)
	}
	slices.SortFunc(order, func(a, b ranked) int { return slices.Compare(a.key[:], b.key[:]) })
	eval := make([]bool, len(records))
	n := 0
	for _, g := range order {
		if n >= target {
			break
		}
		if n+len(g.members) >= len(records) {
			continue
		}
		for _, i := range g.members {
			eval[i] = true
		}
		n += len(g.members)
	}
	return eval, nil
}

// queryGroups returns the record indexes of each group, in order of first
// member. Without byPassage every record is its own group.
func queryGroups(records []corpus.Record, byPassage bool) [][]int {
	parent := make([]int, len(records))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	if byPassage {
		owner := make(map[string]int)
		for i, r := range records {
			for _, p := range r.Relevant {
				key := index.Normalize(p)
				if j, ok := owner[key]; ok {
					a, b := find(i), find(j)
					parent[max(a, b)] = min(a, b)
				} else {
					owner[key] = i
				}
			}
		}
	}
	index := make(map[int]int)
	var groups [][]int
	for i := range records {
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
