package moderation

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzFindLinks checks that whatever chat throws at the link detector, the
// links it reports sit inside the text in order, and that each host, given
// back as a plain URL, is found again as itself.
func FuzzFindLinks(f *testing.F) {
	for _, s := range []string{
		"https://example.com/x", "streamboo .com", "example(dot)com", "example dot com", "example。com",
		"ｅｘａｍｐｌｅ．ｃｏｍ", "t.me/x", "1.2.3.4", "bob@example.com", "ok.so", "(dot)(dot)", "a.b.c.d.e.f",
		"http://:/", "[.]", "example.сом", "\xff.com", "www.", "x.tv:99999/p",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		prev := 0
		for _, l := range FindLinks(s) {
			if l.Start < prev || l.End <= l.Start || l.End > len(s) {
				t.Fatalf("FindLinks(%q): span %d..%d out of order or range", s, l.Start, l.End)
			}
			prev = l.End
			if !strings.Contains(l.Host, ".") || l.Host != strings.ToLower(l.Host) {
				t.Fatalf("FindLinks(%q): host %q", s, l.Host)
			}
			if !utf8.ValidString(s) {
				continue
			}
			again := FindLinks("https://" + l.Host + "/")
			if len(again) != 1 || again[0].Host != l.Host {
				t.Fatalf("FindLinks(%q) found %q, but not in https://%s/: %v", s, l.Host, l.Host, again)
			}
		}
	})
}
