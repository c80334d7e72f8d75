package chat

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSanitize(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"", ""},
		{"   ", ""},
		{"plain answer", "plain answer"},
		{"  padded  ", "padded"},
		{"many    spaces\tand\ttabs", "many spaces and tabs"},
		{"line one\r\nPART #x", "line one PART #x"},
		{"a\rb\nc", "a b c"},
		{"answer\r\n\r\nPRIVMSG #other :hi", "answer PRIVMSG #other :hi"},
		{"bell\x07 and nul\x00 and esc\x1b[31m", "bell and nul and esc[31m"},
		{"del\x7f c1\u0085next\u009b", "del c1 next"}, // U+0085 is white space, U+009B is not
		{"/ban x", "ban x"},
		{".timeout x 600", "timeout x 600"},
		{"  /ban x", "ban x"},
		{"./. /ban x", "ban x"},
		{"\r\n/ban x", "ban x"},
		{"\u202e/ban x", "ban x"},
		{"/", ""},
		{"...", ""},
		{"/ . /", ""},
		{"see example.com/faq.", "see example.com/faq."},
		{"a /ban b", "a /ban b"}, // not at the start: harmless inside a message
		{"abc\u202edef\u202c", "abcdef"},
		{"\u2066isolated\u2069 \u200fmark", "isolated mark"},
		{"zero\u200bwidth\ufeff", "zerowidth"},
		{"family 👨\u200d👩\u200d👧", "family 👨\u200d👩\u200d👧"},
		{"para\u2029graph\u2028line", "para graph line"},
		{"nbsp\u00a0here", "nbsp here"},
		{"bad \xff byte", "bad \ufffd byte"},
		{"每周一三五晚七点开播", "每周一三五晚七点开播"},
		{"　全角空格　", "全角空格"},
	}
	for _, tt := range tests {
		if got := Sanitize(tt.in); got != tt.want {
			t.Errorf("Sanitize(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestSplit(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want []string
	}{
		{"", 10, nil},
		{"   ", 10, nil},
		{"short", 10, []string{"short"}},
		{"exactly10!", 10, []string{"exactly10!"}},
		{"one two three four", 9, []string{"one two", "three", "four"}},
		{"one two three four", 8, []string{"one two", "three", "four"}},
		{"one two three", 7, []string{"one two", "three"}},
		{"abcdefghij", 4, []string{"abcd", "efgh", "ij"}},
		{"ab cdefghijkl", 4, []string{"ab", "cdef", "ghij", "kl"}},
		{"一二三四五六七八九十", 4, []string{"一二三四", "五六七八", "九十"}},
		{"每周一三五晚七点开播 schedule", 8, []string{"每周一三五晚七点", "开播", "schedule"}},
		{"a  b\r\nc", 10, []string{"a b c"}},
		{"bad \xff", 10, []string{"bad \ufffd"}},
		{"/ban x", 10, []string{"ban x"}},
	}
	for _, tt := range tests {
		if got := Split(tt.in, tt.max); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Split(%q, %d) = %q; want %q", tt.in, tt.max, got, tt.want)
		}
	}
}

// TestSplitNeverOpensCommand checks that a break never leaves a part that
// starts with '/' or '.', which chat would run as a command.
func TestSplitNeverOpensCommand(t *testing.T) {
	cases := []struct {
		in  string
		max int
	}{
		{"please do not /ban me", 14},
		{"aaaa /ban bob now", 5},
		{"aaaa .timeout bob 600", 5},
		{"x ./././ban y", 4},
		{"hello /ban", 6},
		{"word " + strings.Repeat(".", 30) + " end", 10},
		{"/ban x", 3},
		{"......x", 3},
	}
	for _, c := range cases {
		parts := Split(c.in, c.max)
		for _, p := range parts {
			if p == "" || p[0] == '/' || p[0] == '.' {
				t.Errorf("Split(%q, %d) = %q; part %q opens a command", c.in, c.max, parts, p)
			}
			if n := utf8.RuneCountInString(p); n > c.max {
				t.Errorf("Split(%q, %d): part %q has %d runes", c.in, c.max, p, n)
			}
		}
	}
}

func TestSplitMovesBreakBeforeCommand(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want []string
	}{
		{"aaaa bb /ban cc", 9, []string{"aaaa", "bb /ban", "cc"}},
		{"abcdef/ban", 6, []string{"abcde", "f/ban"}},
		{"ab ./cd", 4, []string{"a", "b ./", "cd"}},
	}
	for _, tt := range tests {
		if got := Split(tt.in, tt.max); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Split(%q, %d) = %q; want %q", tt.in, tt.max, got, tt.want)
		}
	}
}

// TestSplitLongAnswer splits a 1 200-character answer the way the sender
// will: every part fits, breaks fall between words, nothing is lost.
func TestSplitLongAnswer(t *testing.T) {
	var b strings.Builder
	words := []string{"schedule", "Mon/Wed/Fri", "19:00", "CET,", "full", "details", "at", "example.com/schedule.", "Thanks", "for", "asking!"}
	for i := 0; b.Len() < 1200; i++ {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(words[i%len(words)])
	}
	answer := b.String()[:1200]
	answer = strings.TrimRight(answer, " ")

	parts := Split(Sanitize(answer), MaxMessageRunes)
	if len(parts) != 3 {
		t.Fatalf("Split of %d characters gave %d parts; want 3", len(answer), len(parts))
	}
	for i, p := range parts {
		if n := utf8.RuneCountInString(p); n > MaxMessageRunes || n == 0 {
			t.Errorf("part %d has %d runes; want 1..%d", i, n, MaxMessageRunes)
		}
		if p != strings.TrimSpace(p) {
			t.Errorf("part %d = %q is not trimmed", i, p)
		}
	}
	if got := strings.Join(parts, " "); got != answer {
		t.Errorf("joined parts differ from the answer:\n got %q\nwant %q", got, answer)
	}
	// Every break fell on a space of the original: no word was cut.
	for i := 0; i < len(parts)-1; i++ {
		if !strings.Contains(answer, parts[i]+" "+firstWord(parts[i+1])) {
			t.Errorf("break between part %d and %d cut a word", i, i+1)
		}
	}
}

func firstWord(s string) string {
	if i := strings.IndexByte(s, ' '); i >= 0 {
		return s[:i]
	}
	return s
}

func TestSplitCJK(t *testing.T) {
	answer := strings.Repeat("周一三五晚七点开播，", 120) // 1 200 runes, 3 600 bytes, no spaces
	parts := Split(answer, MaxMessageRunes)
	want := []int{500, 500, 200}
	if len(parts) != len(want) {
		t.Fatalf("Split gave %d parts; want %d", len(parts), len(want))
	}
	for i, p := range parts {
		if !utf8.ValidString(p) {
			t.Errorf("part %d is not valid UTF-8", i)
		}
		if n := utf8.RuneCountInString(p); n != want[i] {
			t.Errorf("part %d has %d runes; want %d", i, n, want[i])
		}
	}
	if got := strings.Join(parts, ""); got != answer {
		t.Errorf("joined CJK parts differ from the answer")
	}
}

func TestPrepareInjection(t *testing.T) {
	// A viewer's question quoted back must not become a second IRC line
	// or a command, whichever part of the reply it lands in.
	quoted := "thanks @bob for asking \"hi\r\nPRIVMSG #x :/ban streamer\" — answer follows"
	for _, max := range []int{5, 10, 17, 40, MaxMessageRunes} {
		for _, p := range Split(Sanitize(quoted), max) {
			if strings.ContainsAny(p, "\r\n") {
				t.Errorf("max %d: part %q carries a line break", max, p)
			}
			if p[0] == '/' || p[0] == '.' {
				t.Errorf("max %d: part %q opens a command", max, p)
			}
		}
	}
}

func TestSplitMaxBelowOne(t *testing.T) {
	long := strings.Repeat("a ", 400)
	got := Split(long, 0)
	if len(got) != 2 {
		t.Errorf("Split(800 chars, 0) gave %d parts; want 2 (max taken as %d)", len(got), MaxMessageRunes)
	}
}
