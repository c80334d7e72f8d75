package chat

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestPrintable(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain text is kept as it is", "when is the next collab?", "when is the next collab?"},
		{"Chinese and emoji are kept", "什么时候开播 👨\u200d👩\u200d👧", "什么时候开播 👨\u200d👩\u200d👧"},
		{"clear screen", "hi\x1b[2J\x1b[H", `hi\x1b[2J\x1b[H`},
		{"window title", "\x1b]0;pwned\x07", `\x1b]0;pwned\x07`},
		{"NUL and DEL", "a\x00b\x7fc", `a\x00b\x7fc`},
		{"C1 CSI and NEL", "a\u009b31mb\u0085", `a\u009b31mb\u0085`},
		{"line breaks cannot forge a line", "q\r\n  answered:  by kim: yes", `q\x0d\x0a  answered:  by kim: yes`},
		{"tab", "a\tb", `a\x09b`},
		{"bidi override", "\u202eadmin\u202c", `\u202eadmin\u202c`},
		{"bidi isolates and marks", "\u2066x\u2069\u200e\u200f\u061c", `\u2066x\u2069\u200e\u200f\u061c`},
		{"invisible characters", "ad\u200bmin\u2060\ufeff", `ad\u200bmin\u2060\ufeff`},
		{"line and paragraph separators", "a\u2028b\u2029", `a\u2028b\u2029`},
		{"invalid UTF-8", "a\xffb", "a\ufffdb"},
		{"a literal backslash stays", `C:\dir \x1b`, `C:\dir \x1b`},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Printable(tt.in); got != tt.want {
				t.Errorf("Printable(%q) = %q; want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestPrintableKeepsCleanText: text that needs nothing is not copied, so
// printing a list of ordinary tickets costs nothing.
func TestPrintableKeepsCleanText(t *testing.T) {
	s := strings.Repeat("an ordinary question? ", 20)
	if n := testing.AllocsPerRun(100, func() { _ = Printable(s) }); n != 0 {
		t.Errorf("Printable of clean text allocates %v times; want 0", n)
	}
}

func FuzzPrintable(f *testing.F) {
	for _, s := range []string{
		"", "plain", "\x1b]0;title\x07", "\x00\x7f\u0085\u009b", "\u202eevil\u202c", "\xff\xfe",
		"每周一三五", "\u2028\u2029\t\r\n", `\x1b`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := Printable(in)
		if !utf8.ValidString(out) {
			t.Fatalf("Printable(%q) = %q: invalid UTF-8", in, out)
		}
		for _, r := range out {
			if isControl(r) || isBidiControl(r) || isInvisible(r) || r == 0x2028 || r == 0x2029 {
				t.Fatalf("Printable(%q) = %q: keeps %U", in, out, r)
			}
		}
		if again := Printable(out); again != out {
			t.Fatalf("Printable is not idempotent: %q → %q → %q", in, out, again)
		}
		if utf8.ValidString(in) && !strings.ContainsFunc(in, unprintable) && out != in {
			t.Fatalf("Printable(%q) = %q; want clean text unchanged", in, out)
		}
	})
}
