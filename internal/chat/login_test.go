package chat

import (
	"strings"
	"testing"
	"unicode"
)

func TestNormalizeLogin(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"bob", "bob", true},
		{"@Bob", "bob", true},
		{"  @Mod_Kim_99  ", "mod_kim_99", true},
		{"\u202eadmin", "admin", true}, // the bidi override chat does not show
		{"ad\u200bmin\u2060", "admin", true},
		{"\ufeff@\u200eana\u200f", "ana", true},
		{"an\u00ada", "ana", true}, // a soft hyphen
		{"a\x00n\x1ba", "ana", true},
		{"x", "x", true},
		{strings.Repeat("a", 25), strings.Repeat("a", 25), true},
		{strings.Repeat("a", 26), strings.Repeat("a", 26), false},
		{"", "", false},
		{"@", "", false},
		{"\u202e", "", false},
		{"bob smith", "bob smith", false},
		{"@@bob", "@bob", false},
		{"bob!", "bob!", false},
		{"ａｄｍｉｎ", "ａｄｍｉｎ", false}, // full-width look-alikes are not a login
		{"аdmin", "аdmin", false}, // a Cyrillic а
		{"ana\u3164", "ana\u3164", false},
	}
	for _, tt := range tests {
		got, ok := NormalizeLogin(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("NormalizeLogin(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func FuzzNormalizeLogin(f *testing.F) {
	for _, s := range []string{"bob", "@Bob", "\u202eadmin", "a\u200bb", " @x ", "", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, ok := NormalizeLogin(in)
		if !ok {
			return
		}
		if len(got) == 0 || len(got) > MaxLoginLength {
			t.Fatalf("NormalizeLogin(%q) = %q: length %d accepted", in, got, len(got))
		}
		for _, r := range got {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') || unicode.Is(unicode.Cf, r) {
				t.Fatalf("NormalizeLogin(%q) = %q: accepts %U", in, got, r)
			}
		}
		if again, ok := NormalizeLogin(got); again != got || !ok {
			t.Fatalf("NormalizeLogin is not idempotent: %q → %q → %q, %v", in, got, again, ok)
		}
	})
}
