package moderation

import (
	"bytes"
	"fmt"
	"log/slog"
	"regexp"
	"regexp/syntax"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/chatdesk/chatdesk/internal/chat"
)

// TestParseTermSafety: what a moderator or a config may ban, and why the
// rest is refused. want is "" for an accepted term, else a piece of the
// reason.
func TestParseTermSafety(t *testing.T) {
	tests := []struct {
		term, want string
	}{
		// Real banned words, phrases and patterns pass.
		{"free", ""},
		{"buy followers", ""},
		{"ass", ""},
		{"中文词", ""},
		{"操", ""}, // in 这波操作, one honest line of the sample: not most chat
		{"/b[a@]d\\s*w[o0]rd/", ""},
		{"/fr[e3]+/", ""},
		{"/(?:free|cheap)\\s*(?:followers|viewers|primes)/", ""},
		{"/discord\\.gg/\\w+/", ""},
		{"/\\bf+\\W*u+\\W*c+\\W*k+/", ""},
		{"/\\d{3}-\\d{4}/", ""},
		{"/" + strings.Repeat("abcdefghij", 14) + "/", ""}, // long, but one thread at a time

		// Empty text: the term would remove every message.
		{"//", "matches empty text"},
		{"/a*/", "matches empty text"},
		{"/(?:)/", "matches empty text"},
		{"/^/", "matches empty text"},
		{"/$/", "matches empty text"},
		{"/\\B/", "matches empty text"},
		{"/x?y?z?/", "matches empty text"},
		{"/(?i)|spam/", "matches empty text"},

		// Most of ordinary chat, in either language.
		{"/./", "ordinary English chat lines"},
		{"/\\b/", "ordinary English chat lines"},
		{"/ /", "ordinary English chat lines"},
		{"/e/", "ordinary English chat lines"},
		{"/[aeiou]/", "ordinary English chat lines"},
		{"/\\w+/", "ordinary English chat lines"},
		{"/\\S/", "ordinary English chat lines"},
		{"/\\?/", "ordinary English chat lines"},
		{"the", "ordinary English chat lines"},
		{"you", "ordinary English chat lines"},
		{"a", "ordinary English chat lines"},
		{"了", "ordinary Chinese chat lines"},
		{"这", "ordinary Chinese chat lines"},
		{"/\\p{Han}/", "ordinary Chinese chat lines"},

		// Cost: too big to match cheaply on any text, or slow on chat.
		{"/(?:[a-j ]*[a-j ]*[a-j ]*){1000}q/", "too complex"},
		{"/x{500}/", "too complex"},
		{"/(?:[a-j ]*[a-j ]*[a-j ]*){30}q/", "too slow"},
		{"/(?:[a-j ]*){50}q/", "too slow"},
		{"/(?:x*y*z*a*b*c*){10}q/", "too slow"},
		// Cheap on ordinary chat, slow on text written against it.
		{"/zx(?:[a-j ]*){90}k/", "text written against it"},
		{"/x{150}/", "text written against it"},
		{"/.{0,10}spam.{0,10}/", "text written against it"},

		// Malformed or too long.
		{"/[/", "bad regular expression"},
		{"/(?:[a-j ]*){1001}q/", "bad regular expression"},
		{"!!!", "no letters or digits"},
		{strings.Repeat("spam", 51), "204 characters long, the limit is 200"},
	}
	for _, tt := range tests {
		t.Run(tt.term, func(t *testing.T) {
			_, err := parseTerm(tt.term)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("parseTerm(%q) = %v; want it accepted", tt.term, err)
			case tt.want != "" && err == nil:
				t.Errorf("parseTerm(%q) accepted; want it refused: %s", tt.term, tt.want)
			case tt.want != "" && !strings.Contains(err.Error(), tt.want):
				t.Errorf("parseTerm(%q) = %v; want a reason containing %q", tt.term, err, tt.want)
			}
		})
	}
}

// TestBroadReasonNamesALine: the reason shows the count and an honest line
// it would have removed, so a moderator sees the mistake at once.
func TestBroadReasonNamesALine(t *testing.T) {
	_, err := parseTerm("the")
	if err == nil {
		t.Fatal(`"the" accepted`)
	}
	s := sample()
	want := regexp.MustCompile(fmt.Sprintf(`^matches \d+ of %d ordinary English chat lines \(such as "[^"]*\bthe\b[^"]*"\), so it would remove honest chat$`, s.en))
	if !want.MatchString(err.Error()) {
		t.Errorf("reason = %q; want it to match %s", err, want)
	}
}

// TestSampleIsBothLanguages: the sample the broad check relies on has
// enough of each language for one in broadShare to mean something.
func TestSampleIsBothLanguages(t *testing.T) {
	s := sample()
	if s.en < 5*broadShare || s.zh < 4*broadShare {
		t.Errorf("sample has %d English and %d Chinese lines; want at least %d and %d", s.en, s.zh, 5*broadShare, 4*broadShare)
	}
	// The shipped phrases must pass their own check, or every channel
	// would fail to start.
	for _, p := range DefaultFirstChatterPhrases {
		if _, err := parseTerm(p); err != nil {
			t.Errorf("default phrase %q refused: %v", p, err)
		}
	}
}

// TestRegexpCost pins the deterministic measure: plain patterns are cheap,
// stacked stars over a broad class cost one step per star per character.
func TestRegexpCost(t *testing.T) {
	tests := []struct {
		expr     string
		min, max int
	}{
		{"fr[e3]+", 1, 4},
		{"b[a@]d\\s*w[o0]rd", 1, 4},
		{"(?:free|cheap)\\s*(?:followers|viewers)", 1, 8},
		{"[a-j ]*[a-j ]*[a-j ]*q", 5, 12},
		{"(?:[a-j ]*){50}q", 100, 120},
		{"zx(?:[a-j ]*){90}k", 1, 4}, // "zx" is rare in chat…
	}
	for _, tt := range tests {
		parsed, err := syntax.Parse("(?i)"+tt.expr, syntax.Perl)
		if err != nil {
			t.Fatal(err)
		}
		prog, err := syntax.Compile(parsed.Simplify())
		if err != nil {
			t.Fatal(err)
		}
		if got := regexpCost(prog, sample().probe); got < tt.min || got > tt.max {
			t.Errorf("regexpCost(%s) = %d; want %d to %d", tt.expr, got, tt.min, tt.max)
		}
		// The same on every run: no clock in it.
		if a, b := regexpCost(prog, sample().probe), regexpCost(prog, sample().probe); a != b {
			t.Errorf("regexpCost(%s) gave %d then %d", tt.expr, a, b)
		}
	}
}

// TestAdversaryCost: the text written against a pattern wakes what the
// probe leaves asleep, and plain patterns stay cheap on it.
func TestAdversaryCost(t *testing.T) {
	tests := []struct {
		expr     string
		min, max int
	}{
		{"fr[e3]+", 1, 6},
		{"discord\\.gg/\\w+", 1, 6},
		{"\\bf+\\W*u+\\W*c+\\W*k+", 1, 6},
		{"zx(?:[a-j ]*){90}k", 150, 200}, // …but a spammer can write it
		{"abc(?:[a-j ]*){8}k", 15, 25},
		{"x{150}", 100, 160},
		{"qz1[0-9]{150}", 1, 6}, // long, but one thread at a time
	}
	for _, tt := range tests {
		parsed, err := syntax.Parse("(?i)"+tt.expr, syntax.Perl)
		if err != nil {
			t.Fatal(err)
		}
		prog, err := syntax.Compile(parsed.Simplify())
		if err != nil {
			t.Fatal(err)
		}
		if got := adversaryCost(prog); got < tt.min || got > tt.max {
			t.Errorf("adversaryCost(%s) = %d; want %d to %d", tt.expr, got, tt.min, tt.max)
		}
	}
}

// TestProbeBackstop: a regexp the step count passes but that reads chat
// far slower than a plain pattern is refused. The clock is a stand-in, so
// this never depends on the machine.
func TestProbeBackstop(t *testing.T) {
	saved := probeElapsed
	t.Cleanup(func() { probeElapsed = saved })
	calls := 0
	probeElapsed = func(re *regexp.Regexp) time.Duration {
		calls++
		if re == probeBaseline {
			return time.Millisecond
		}
		return 150 * time.Millisecond
	}
	_, err := parseTerm("/fr[e3]+e/")
	if err == nil || !strings.Contains(err.Error(), "150 times slower than a plain pattern, the limit is 100") {
		t.Errorf("parseTerm = %v; want refused as 150 times slower", err)
	}
	if calls != 3 {
		t.Errorf("timed %d runs; want 3 (the baseline, and the term twice when over)", calls)
	}
	// One slow run of two is a pause of the machine, not the term.
	calls = 0
	probeElapsed = func(re *regexp.Regexp) time.Duration {
		calls++
		if re == probeBaseline || calls > 2 {
			return time.Millisecond
		}
		return time.Second
	}
	if _, err := parseTerm("/fr[e3]+e/"); err != nil {
		t.Errorf("parseTerm after one slow run = %v; want accepted", err)
	}
}

// TestTermListBudget: a list's regexps share one size budget, and a list
// holds at most maxListTerms terms; the config names the term that
// overflows, and Block refuses it.
func TestTermListBudget(t *testing.T) {
	var terms []string
	for i := range 7 {
		// About 155 instructions each, and cheap on chat: "qz" is rare.
		terms = append(terms, fmt.Sprintf("/qz%d[0-9]{150}/", i))
	}
	var problems []string
	checkTermList("rules.banned_terms.terms", terms, func(field, format string, args ...any) {
		problems = append(problems, field+": "+fmt.Sprintf(format, args...))
	})
	if len(problems) != 1 || !strings.HasPrefix(problems[0], "rules.banned_terms.terms[6]: the list's regular expressions are too large together") {
		t.Errorf("problems = %q; want one, at terms[6]", problems)
	}
	if _, err := newTermSet(terms); err == nil {
		t.Error("newTermSet took a list over the budget")
	}

	// The cost per character is bounded too: five patterns that each
	// keep 20-odd threads busy are too many.
	var slow []string
	for i := range 5 {
		slow = append(slow, fmt.Sprintf("/zx%d(?:[a-j ]*){10}k/", i))
	}
	problems = nil
	checkTermList("rules.banned_terms.terms", slow, func(field, format string, args ...any) {
		problems = append(problems, field+": "+fmt.Sprintf(format, args...))
	})
	if len(problems) != 1 || !strings.HasPrefix(problems[0], "rules.banned_terms.terms[4]: the list's regular expressions are too slow together") {
		t.Errorf("problems = %q; want one, at terms[4]", problems)
	}

	// Config and !block terms count together.
	s := DefaultSettings()
	bt := s.Rules[RuleBannedTerms]
	bt.Terms = terms[:5]
	s.Rules[RuleBannedTerms] = bt
	e, err := New("mira", s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Block(terms[5]); err != nil {
		t.Fatalf("Block within the budget: %v", err)
	}
	if _, err := e.Block(terms[6]); err == nil || !strings.Contains(err.Error(), "too large together") {
		t.Errorf("Block over the budget = %v; want refused", err)
	}
	// Unblocking makes room again.
	if _, ok := e.Unblock(terms[5]); !ok {
		t.Fatal("Unblock failed")
	}
	if _, err := e.Block(terms[6]); err != nil {
		t.Errorf("Block after Unblock: %v", err)
	}

	var many []string
	for i := range maxListTerms + 1 {
		many = append(many, fmt.Sprintf("zzword%d", i))
	}
	if _, err := newTermSet(many[:maxListTerms]); err != nil {
		t.Errorf("a full list: %v", err)
	}
	if _, err := newTermSet(many); err == nil || !strings.Contains(err.Error(), "the list is full (1000 terms)") {
		t.Errorf("a list of %d: %v; want refused as full", len(many), err)
	}
}

// TestBlockRefusesHarm: !block's path refuses what would remove all chat,
// and the engine then leaves honest chat alone.
func TestBlockRefusesHarm(t *testing.T) {
	c := newClock()
	e, err := New("mira", DefaultSettings(), Options{Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	for _, term := range []string{"//", "/.*/", "/./", "the", "/(?:[a-j ]*[a-j ]*[a-j ]*){1000}q/"} {
		if list, err := e.Block(term); err == nil {
			t.Errorf("Block(%q) accepted: %v", term, list)
		}
	}
	if got := e.Blocked(); len(got) != 0 {
		t.Errorf("block list = %q; want empty", got)
	}
	for i, line := range []string{"hello chat", "what game is this?", "主播晚上好", "LUL"} {
		c.t = c.t.Add(time.Minute)
		if v := e.Check(chat.Message{User: fmt.Sprintf("viewer%d", i), Text: line, Time: c.t}); v.Broke() {
			t.Errorf("%q after the refused blocks: %s", line, v.Rule)
		}
	}
}

// TestRestoreSkipsRefused: a block list saved before these checks, or
// edited by hand, that holds a refused term: the channel starts, the rest
// of the list applies, and the log names the file and the term.
func TestRestoreSkipsRefused(t *testing.T) {
	var logBuf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logBuf, nil))
	c := newClock()
	e, err := New("mira", DefaultSettings(), Options{
		Now: c.now, Log: log, BlockedFile: "data/mira/blocked.yaml",
		Blocked: []string{"grapes", "//", "/(?:[a-j ]*){50}q/", "pineapple pizza"},
	})
	if err != nil {
		t.Fatalf("New with a bad blocked term: %v; want it skipped", err)
	}
	if got, want := strings.Join(e.Blocked(), ","), "grapes,pineapple pizza"; got != want {
		t.Errorf("restored %q; want %q", got, want)
	}
	for _, tt := range []struct {
		text string
		rule string
	}{
		{"hello chat", ""}, {"i like grapes", RuleBannedTerms}, {"pineapple pizza rules", RuleBannedTerms}, {"what game is this?", ""},
	} {
		c.t = c.t.Add(time.Minute)
		if got := e.Check(chat.Message{User: "ann" + tt.text[:3], Text: tt.text, Time: c.t}).Rule; got != tt.rule {
			t.Errorf("%q: rule %q; want %q", tt.text, got, tt.rule)
		}
	}
	out := logBuf.String()
	for _, want := range []string{`level=WARN msg="blocked term skipped" file=data/mira/blocked.yaml term=//`, "matches empty text", "too slow"} {
		if !strings.Contains(out, want) {
			t.Errorf("log has no %q:\n%s", want, out)
		}
	}

	// With banned_terms off the list cannot apply; the channel still
	// starts, and says so.
	logBuf.Reset()
	s := DefaultSettings()
	bt := s.Rules[RuleBannedTerms]
	bt.Enabled = false
	s.Rules[RuleBannedTerms] = bt
	if _, err := New("mira", s, Options{Log: log, BlockedFile: "data/mira/blocked.yaml", Blocked: []string{"grapes"}}); err != nil {
		t.Fatalf("New with banned_terms off: %v", err)
	}
	if !strings.Contains(logBuf.String(), "banned_terms rule is off") {
		t.Errorf("log: %s", logBuf.String())
	}
}

// TestRegexpsReadBoundedText: regexps read Twitch's 500 characters of a
// message (of its text and of its normalised form); words and phrases read
// all of it.
func TestRegexpsReadBoundedText(t *testing.T) {
	ts, err := newTermSet([]string{"/spamword\\d/", "grapes"})
	if err != nil {
		t.Fatal(err)
	}
	var sc scanner
	check := func(text string) string {
		var in Input
		msg := chat.Message{Text: text}
		sc.prepare(&in, &msg, time.Time{}, emoteNames{})
		if tm, ok := ts.match(&in); ok {
			return tm.source
		}
		return ""
	}
	pad := strings.Repeat("é", maxMatchRunes-9) // 2 bytes each: counted in characters
	if got := check(pad + "spamword1"); got != "/spamword\\d/" {
		t.Errorf("regexp within the first %d characters: matched %q", maxMatchRunes, got)
	}
	if got := check(pad + "x spamword1"); got != "" {
		t.Errorf("regexp past the first %d characters: matched %q; want unread", maxMatchRunes, got)
	}
	if got := check(pad + " and grapes"); got != "grapes" {
		t.Errorf("word past %d characters: matched %q; want grapes", maxMatchRunes, got)
	}
}

func TestCapRunes(t *testing.T) {
	for _, tt := range []struct {
		s    string
		n    int
		want string
	}{
		{"hello", 10, "hello"},
		{"hello", 3, "hel"},
		{"héllo", 2, "hé"},
		{"中文词语", 2, "中文"},
		{"\x80\x80\x80\x80\x80\x80\x80\x80\x80", 1, "\x80\x80\x80\x80"}, // never more than n×4 bytes
	} {
		if got := capRunes(tt.s, tt.n); got != tt.want {
			t.Errorf("capRunes(%q, %d) = %q; want %q", tt.s, tt.n, got, tt.want)
		}
		if got := string(capRunes([]byte(tt.s), tt.n)); got != tt.want {
			t.Errorf("capRunes([]byte(%q), %d) = %q; want %q", tt.s, tt.n, got, tt.want)
		}
	}
}

func TestShorten(t *testing.T) {
	for _, tt := range []struct {
		s    string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly10!", 10, "exactly10!"},
		{"a longer reason", 6, "a lon…"},
		{"中文词语很长", 3, "中文…"},
	} {
		if got := shorten(tt.s, tt.n); got != tt.want {
			t.Errorf("shorten(%q, %d) = %q; want %q", tt.s, tt.n, got, tt.want)
		}
	}
}

// TestBlockReplyFitsOneMessage: whatever the term, !block and !unblock
// answer in one chat message.
func TestBlockReplyFitsOneMessage(t *testing.T) {
	e, err := New("mira", DefaultSettings(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	cmds := map[string]chat.Command{}
	for _, c := range Commands(e, nil, nil) {
		cmds[c.Name] = c
	}
	mod := chat.Message{ID: "m1", User: "kim", Roles: chat.RoleModerator}
	long := "/[" + strings.Repeat("a", 480) + "/" // unclosed class: the error quotes it
	for _, tt := range []struct{ cmd, args string }{
		{"block", long},
		{"block", strings.Repeat("spam ", 99)},
		{"block", "/" + strings.Repeat("(?:a|b)", 60) + "/"},
		{"unblock", strings.Repeat("never listed ", 38)},
	} {
		d := cmds[tt.cmd].Run(t.Context(), mod, tt.args)
		if len(d.Replies) != 1 {
			t.Fatalf("!%s: %d replies; want 1", tt.cmd, len(d.Replies))
		}
		text := d.Replies[0].Text
		if n := utf8.RuneCountInString(text); n > chat.MaxMessageRunes {
			t.Errorf("!%s %.20q…: reply is %d characters; want at most %d:\n%s", tt.cmd, tt.args, n, chat.MaxMessageRunes, text)
		}
		if len(chat.Split(chat.Sanitize(text), 0)) != 1 {
			t.Errorf("!%s: the reply splits into several messages", tt.cmd)
		}
	}
}

// TestNewJudgesTermsOnce: New builds the rules from the lists its check
// judged, rather than judging every term again (the costly part of a
// channel's start). The stand-in clock counts the judgements: two timings
// (the baseline and the term) per regexp judged.
func TestNewJudgesTermsOnce(t *testing.T) {
	saved := probeElapsed
	t.Cleanup(func() { probeElapsed = saved })
	calls := 0
	probeElapsed = func(*regexp.Regexp) time.Duration {
		calls++
		return time.Millisecond
	}
	s := DefaultSettings()
	bt := s.Rules[RuleBannedTerms]
	bt.Terms = []string{"/fr[e3]+e/", "badword"}
	s.Rules[RuleBannedTerms] = bt
	e, err := New("c", s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if calls != 2 {
		t.Errorf("timed %d runs; want 2 (the regexp judged once)", calls)
	}
	if v := e.Check(chat.Message{User: "u", Text: "so freee"}); v.Rule != RuleBannedTerms {
		t.Errorf("Check(so freee).Rule = %q; want %q", v.Rule, RuleBannedTerms)
	}
}

// newTermSet parses every source, as a rule's list is checked; the set as
// a whole must fit the list budget too. The engine gets its sets from
// Settings.check.
func newTermSet(sources []string) (*termSet, error) {
	ts := &termSet{}
	for _, s := range sources {
		t, err := parseTerm(s)
		if err == nil {
			err = fits(t, ts)
		}
		if err != nil {
			return nil, err
		}
		ts.addTerm(t)
	}
	return ts, nil
}
