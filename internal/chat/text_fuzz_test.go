package chat

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func FuzzSanitize(f *testing.F) {
	for _, s := range []string{
		"", "plain", "a\r\nPRIVMSG #x :/ban y", "/ban x", ".timeout x", " \t/./ x",
		"\u202eevil\u202c", "\xff\xfe", "每周一三五", "\u0085\u2028x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := Sanitize(in)
		if !utf8.ValidString(out) {
			t.Fatalf("Sanitize(%q) = %q: invalid UTF-8", in, out)
		}
		if out != strings.TrimSpace(out) {
			t.Fatalf("Sanitize(%q) = %q: not trimmed", in, out)
		}
		if out != "" && (out[0] == '/' || out[0] == '.') {
			t.Fatalf("Sanitize(%q) = %q: opens a command", in, out)
		}
		prevSpace := false
		for _, r := range out {
			if r != ' ' && unicode.IsSpace(r) || isControl(r) || isBidiControl(r) || isInvisible(r) {
				t.Fatalf("Sanitize(%q) = %q: keeps %U", in, out, r)
			}
			if r == ' ' && prevSpace {
				t.Fatalf("Sanitize(%q) = %q: keeps a run of spaces", in, out)
			}
			prevSpace = r == ' '
		}
		if again := Sanitize(out); again != out {
			t.Fatalf("Sanitize is not idempotent: %q → %q → %q", in, out, again)
		}
	})
}

func FuzzSplit(f *testing.F) {
	f.Add("one two three four", 5)
	f.Add("每周一三五晚七点开播", 3)
	f.Add("aaaa /ban bob", 5)
	f.Add("x ......... y", 2)
	f.Add("a\r\nb", 1)
	f.Add("\xff\xfe\xfd", 2)
	f.Fuzz(func(t *testing.T, in string, max int) {
		if max < 1 || max > 2*MaxMessageRunes {
			max = max%MaxMessageRunes + MaxMessageRunes // keep it in range, positive
			if max < 1 {
				max = 1
			}
		}
		parts := Split(in, max)
		for _, p := range parts {
			if p == "" {
				t.Fatalf("Split(%q, %d) = %q: empty part", in, max, parts)
			}
			if n := utf8.RuneCountInString(p); n > max {
				t.Fatalf("Split(%q, %d): part %q has %d runes", in, max, p, n)
			}
			if !utf8.ValidString(p) {
				t.Fatalf("Split(%q, %d): part %q is invalid UTF-8", in, max, p)
			}
			if strings.ContainsAny(p, "\r\n") {
				t.Fatalf("Split(%q, %d): part %q has a line break", in, max, p)
			}
			if p != strings.TrimSpace(p) {
				t.Fatalf("Split(%q, %d): part %q is not trimmed", in, max, p)
			}
			if p[0] == '/' || p[0] == '.' {
				t.Fatalf("Split(%q, %d): part %q opens a command", in, max, p)
			}
		}

		// Joined with spaces, the parts hold every non-space rune of the
		// input in order. The only runes Split may drop are '/' and '.'
		// that no break could keep from opening a part.
		got := nonSpace(strings.Join(parts, " "))
		want := nonSpace(in)
		j := 0
		for _, r := range want {
			if j < len(got) && got[j] == r {
				j++
				continue
			}
			if r != '/' && r != '.' {
				t.Fatalf("Split(%q, %d) = %q: lost %q", in, max, parts, r)
			}
		}
		if j != len(got) {
			t.Fatalf("Split(%q, %d) = %q: added runes", in, max, parts)
		}
	})
}

// nonSpace returns the runes of s that are not white space, reading invalid
// UTF-8 as U+FFFD the way Split does.
func nonSpace(s string) []rune {
	var rs []rune
	for _, r := range s {
		if !unicode.IsSpace(r) {
			rs = append(rs, r)
		}
	}
	return rs
}
