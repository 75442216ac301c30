package index

import "testing"

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"  Red   APPLES\tgrow\n", "red apples grow"},
		{"Ｒｅｄ apples", "red apples"}, // NFKC turns full-width letters into ASCII
		{"Straße", "strasse"},        // full case folding
		{"ﬁne", "fine"},              // ligature
		{"ΣΊΣΥΦΟΣ", "σίσυφοσ"},       // folding, not lowering: no final sigma
		{"a\u00a0b", "a b"},          // no-break space counts as space
		{"", ""},
	}
	for _, tt := range tests {
		if got := Normalize(tt.in); got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
