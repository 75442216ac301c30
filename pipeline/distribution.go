package pipeline

import (
	"encoding/json"
	"math"
	"slices"
)

// scoreResolution is the width of a score bucket: score quantiles are
// exact to half of it.
const scoreResolution = 0.001

// distribution counts values in fixed buckets, so that its size is bounded
// by the number of distinct buckets, not the number of values.
type distribution struct {
	counts map[int64]int
	width  float64
	n      int
}

func (d *distribution) addInts(values []int) {
	for _, v := range values {
		d.add(float64(v), 1)
	}
}

func (d *distribution) addFloats(values []float64) {
	for _, v := range values {
		d.add(v, scoreResolution)
	}
}

func (d *distribution) add(v, width float64) {
	if d.counts == nil {
		d.counts = make(map[int64]int)
		d.width = width
	}
	d.counts[int64(math.Round(v/d.width))]++
	d.n++
}

// Quantile returns the q-quantile (0 to 1) by the nearest-rank method, or
// NaN when empty.
func (d *distribution) Quantile(q float64) float64 {
	if d.n == 0 {
		return math.NaN()
	}
	keys := make([]int64, 0, len(d.counts))
	for k := range d.counts {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	rank := max(1, int(math.Ceil(q*float64(d.n))))
	seen := 0
	for _, k := range keys {
		seen += d.counts[k]
		if seen >= rank {
			return float64(k) * d.width
		}
	}
	return float64(keys[len(keys)-1]) * d.width
}

// Len returns the number of values added.
func (d *distribution) Len() int { return d.n }

// distributionJSON is the stored form of a distribution, for checkpoints.
type distributionJSON struct {
	Width  float64       `json:"width"`
	Counts map[int64]int `json:"counts"`
	N      int           `json:"n"`
}

func (d distribution) MarshalJSON() ([]byte, error) {
	return json.Marshal(distributionJSON{Width: d.width, Counts: d.counts, N: d.n})
}

func (d *distribution) UnmarshalJSON(b []byte) error {
	var v distributionJSON
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	d.width, d.counts, d.n = v.Width, v.Counts, v.N
	return nil
}
