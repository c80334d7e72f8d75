package moderation

import (
	"testing"
	"time"

	"github.com/chatdesk/chatdesk/internal/chat"
)

// FuzzParseTerm feeds the banned-term compiler what a moderator might type
// after !block. It must never panic, and a term it accepts must fit the
// budget and never match empty text: such a term would remove every
// message in the channel.
func FuzzParseTerm(f *testing.F) {
	for _, s := range []string{
		"free", "buy followers", "中文词", "//", "/a*/", "/./", "/\\b/", "/[/", "/(?:[a-j ]*[a-j ]*[a-j ]*){1000}q/",
		"/(?:[a-j ]*){50}q/", "/^$/", "/(?m)^/", "/\\B/", "/x?/", "the", "了", "!!!", "/fr[e3]+/", "/(?i)/",
		"/\\p{Han}+/", "/[^\\x00-\\x{10FFFF}]/", "/\\x00/", "/ /", " /a/ ", "/", "///", "/a|/", "\xff/\xfe/",
	} {
		f.Add(s)
	}
	var sc scanner
	f.Fuzz(func(t *testing.T, s string) {
		tm, err := parseTerm(s)
		if err != nil {
			return
		}
		if tm.re != nil {
			if tm.insts > maxRegexpInsts {
				t.Fatalf("parseTerm(%q) accepted %d instructions; the limit is %d", s, tm.insts, maxRegexpInsts)
			}
			if tm.re.MatchString("") {
				t.Fatalf("parseTerm(%q) accepted a regexp that matches empty text", s)
			}
		}
		ts := &termSet{}
		ts.addTerm(tm)
		var in Input
		msg := chat.Message{}
		sc.prepare(&in, &msg, time.Time{}, emoteNames{})
		if _, ok := ts.match(&in); ok {
			t.Fatalf("parseTerm(%q) accepted a term that matches an empty message", s)
		}
	})
}
