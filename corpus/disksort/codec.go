package disksort

import "encoding/binary"

// AppendString appends s to b with its length as a uvarint first, for
// encoders of records with several fields.
func AppendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// Uvarint reads a uvarint from the start of b and returns it with the rest
// of b. ok is false when b does not start with a complete uvarint.
func Uvarint(b []byte) (v uint64, rest []byte, ok bool) {
	v, n := binary.Uvarint(b)
	if n <= 0 {
		return 0, nil, false
	}
	return v, b[n:], true
}

// String reads a string that AppendString wrote at the start of b and
// returns it with the rest of b. ok is false when b is too short.
func String(b []byte) (s string, rest []byte, ok bool) {
	n, b, ok := Uvarint(b)
	if !ok || n > uint64(len(b)) {
		return "", nil, false
	}
	return string(b[:n]), b[n:], true
}
