package disksort

import (
	"cmp"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"slices"
	"testing"
)

func encode(v uint64) ([]byte, error) { return binary.LittleEndian.AppendUint64(nil, v), nil }

func decode(b []byte) (uint64, error) {
	if len(b) != 8 {
		return 0, errors.New("bad record")
	}
	return binary.LittleEndian.Uint64(b), nil
}

func sortAll(t *testing.T, values []uint64) []uint64 {
	t.Helper()
	s := New(encode, decode, cmp.Compare[uint64])
	for _, v := range values {
		if err := s.Add(v); err != nil {
			t.Fatal(err)
		}
	}
	var got []uint64
	if err := s.Each(func(v uint64) error {
		got = append(got, v)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return got
}

func TestSortAcrossChunks(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, ChunkRecords, 3*ChunkRecords + 7} {
		values := make([]uint64, n)
		for i := range values {
			values[i] = r.Uint64N(1000)
		}
		got := sortAll(t, values)
		want := slices.Clone(values)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%d records: sorted stream differs from slices.Sort (got %d records)", n, len(got))
		}
	}
}

func TestEachStopsAtError(t *testing.T) {
	s := New(encode, decode, cmp.Compare[uint64])
	for i := range 2*ChunkRecords + 1 {
		if err := s.Add(uint64(i)); err != nil {
			t.Fatal(err)
		}
	}
	stop := errors.New("enough")
	seen := 0
	err := s.Each(func(uint64) error {
		seen++
		if seen == 10 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || seen != 10 {
		t.Fatalf("Each returned %v after %d records, want the callback's error after 10", err, seen)
	}
	s.Stop()
	if err := s.Add(1); !errors.Is(err, ErrStopped) {
		t.Errorf("Add after Each returned %v, want ErrStopped", err)
	}
}

func TestStopWithoutEach(t *testing.T) {
	s := New(encode, decode, cmp.Compare[uint64])
	for i := range 3*ChunkRecords + 5 {
		if err := s.Add(uint64(i)); err != nil {
			t.Fatal(err)
		}
	}
	s.Stop()
	s.Stop()
}

func TestDecodeErrorFailsEach(t *testing.T) {
	bad := func([]byte) (uint64, error) { return 0, errors.New("cannot decode") }
	s := New(encode, bad, cmp.Compare[uint64])
	for i := range 2 * ChunkRecords {
		if err := s.Add(uint64(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Each(func(uint64) error { return nil }); err == nil {
		t.Fatal("Each succeeded although records read back from disk could not be decoded")
	}
}

func TestStringRoundTripAndTruncation(t *testing.T) {
	b := AppendString(nil, "héllo")
	b = AppendString(b, "")
	s, rest, ok := String(b)
	if !ok || s != "héllo" {
		t.Fatalf("first string: got %q, %v; want \"héllo\", true", s, ok)
	}
	s, rest, ok = String(rest)
	if !ok || s != "" || len(rest) != 0 {
		t.Fatalf("second string: got %q, %v, %d bytes left; want \"\", true, 0", s, ok, len(rest))
	}
	if _, _, ok := String(b[:3]); ok {
		t.Error("a string cut short read as complete")
	}
	if _, _, ok := Uvarint([]byte{0x80}); ok {
		t.Error("an unfinished uvarint read as complete")
	}
}
