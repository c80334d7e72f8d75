package moderation

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzNormalize checks the shape every rule relies on: valid UTF-8, words
// joined by single spaces, lower case, nothing invisible, and a second pass
// changing nothing (so terms and text normalised separately still meet).
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{
		"FREE stuff", "ｆｒｅｅ", "frее", "f.r.e.e", "f r e e", "fr33", "Z̷̢̛a̸l̴g̵o̶", "Straße",
		"🇫🇷🇪🇪", "我爱你 中国", "@bob $5 p@ss", "e.g. a b", "\u200b\u202e", "ǅ ǈ ǋ", "İstanbul",
		"\xff\xfe bad", "ﷺ ﷻ", "a.b c", "x y z", "ΣΑΣ ς",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Normalize(s)
		if !utf8.ValidString(got) {
			t.Fatalf("Normalize(%q) = %q: not UTF-8", s, got)
		}
		if strings.HasPrefix(got, " ") || strings.HasSuffix(got, " ") || strings.Contains(got, "  ") {
			t.Fatalf("Normalize(%q) = %q: stray spaces", s, got)
		}
		for _, r := range got {
			if r != ' ' && classify(r) != classWord {
				t.Fatalf("Normalize(%q) = %q: keeps %U, which is not a letter or digit", s, got, r)
			}
		}
		if again := Normalize(got); again != got {
			t.Fatalf("Normalize is not idempotent: %q → %q → %q", s, got, again)
		}
	})
}
