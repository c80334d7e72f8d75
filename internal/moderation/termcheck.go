package moderation

import (
	"bytes"
	_ "embed"
	"fmt"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/chatdesk/chatdesk/internal/chat"
)

// The budget every banned term and term list must fit (README: "Safe
// banned terms"). A moderator's typo must not be able to remove every
// message or slow the channel down: one !block of "//" used to delete all
// of chat, and one short regexp with a nested repeat made every message
// 1 000 times slower. Terms are judged once, when they are added; matching
// then never costs more than the budget allows.
const (
	// maxTermRunes bounds what one term may say. Real banned words and
	// patterns are far shorter; a longer one is a paste gone wrong.
	maxTermRunes = 200
	// maxRegexpInsts bounds one regexp's compiled program. Go's regexp
	// runs in time linear in the text, at most about one step per
	// instruction per character, so this bounds its worst case on any
	// text. A repeat such as {1000} compiles to thousands.
	maxRegexpInsts = 200
	// maxRegexpCost bounds what one regexp costs, in steps per character,
	// on ordinary chat (regexpCost over the probe) and on a text written
	// against it (adversaryCost). A plain pattern costs 2 to 6; stacked
	// stars over a broad class that every letter keeps alive cost one step
	// per star per character.
	maxRegexpCost = 24
	// maxListCost bounds the cost of all regexps of one list together (a
	// rule's terms, with the channel's !block terms for banned_terms), in
	// steps per character: with maxMatchRunes it caps the regexp work per
	// message at about 2 × maxMatchRunes × maxListCost steps.
	maxListCost = 100
	// maxListInsts bounds their programs together: the worst case on any
	// text, whatever the cost measures miss, is 2 × maxMatchRunes ×
	// maxListInsts steps.
	maxListInsts = 1000
	// maxListTerms bounds the words, phrases and regexps of one list.
	maxListTerms = 1000
	// maxMatchRunes is how much of a message, and of its normalised
	// form, regexps read: Twitch's own limit, so nothing said on Twitch
	// goes unread. Words and phrases read the whole normalised text.
	maxMatchRunes = chat.MaxMessageRunes
	// broadShare: a term that matches at least one in broadShare lines of
	// the English or the Chinese half of the honest sample is refused.
	broadShare = 10
	// probeRatioLimit is the backstop for what the step count misses: a
	// regexp that takes more than this many times as long as a plain
	// pattern (probeBaseline) to read the probe, both timed on the spot,
	// is refused. Timing against a reference, not a clock budget, keeps
	// the judgement the same on a slow machine or under the race detector.
	// Accepted regexps measure 1 to 15 times the baseline.
	probeRatioLimit = 100
)

// probeBaseline is the plain pattern the backstop times regexps against.
var probeBaseline = regexp.MustCompile("(?i)fr[e3]+")

// probeElapsed is how long re takes to read the probe. It is a variable so
// a test can stand in for the clock: no test depends on how fast the
// machine is.
var probeElapsed = func(re *regexp.Regexp) time.Duration {
	start := time.Now()
	for _, p := range sample().probe {
		re.MatchString(p)
	}
	return time.Since(start)
}

//go:embed termcheck_sample.txt
var sampleText string

// sampleLine is one honest line, prepared as the engine would see it.
type sampleLine struct {
	msg   chat.Message
	norm  []byte
	words []Span
	zh    bool
}

// honestSample is the built-in sample every term is tried against.
type honestSample struct {
	lines  []sampleLine
	en, zh int
	// probe are the texts regexps are measured on: every line as written
	// and normalised, and runs that keep broad patterns busy.
	probe []string
}

var sample = sync.OnceValue(func() *honestSample {
	s := &honestSample{}
	var sc scanner
	var in Input
	for l := range strings.SplitSeq(sampleText, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		sl := sampleLine{msg: chat.Message{Text: l}, zh: strings.ContainsFunc(l, isHan)}
		sc.prepare(&in, &sl.msg, time.Time{}, emoteNames{})
		sl.norm = bytes.Clone(in.Norm)
		sl.words = slices.Clone(in.Words)
		in = Input{}
		if sl.zh {
			s.zh++
		} else {
			s.en++
		}
		s.lines = append(s.lines, sl)
		s.probe = append(s.probe, l, string(sl.norm))
	}
	s.probe = append(s.probe,
		strings.Repeat("a", 80), strings.Repeat("a ", 40), strings.Repeat("ab", 40),
		strings.Repeat("abcdefghij ", 8), strings.Repeat("1", 40), strings.Repeat("!", 40),
		"aaaa bbbb 1111 .... ____ ----", strings.Repeat("哈", 40), strings.Repeat("😂", 20),
		"x  y   z    w", "ｆｕｌｌ ｗｉｄｔｈ", "MiXeD CaSe TeXt 123 ABC xyz")
	return s
})

func isHan(r rune) bool { return unicode.Is(unicode.Han, r) }

// compileTermRegexp compiles the pattern between a term's slashes and
// judges it against the budget.
func compileTermRegexp(src, pattern string) (term, error) {
	expr := "(?i)" + pattern
	re, err := regexp.Compile(expr)
	if err != nil {
		return term{}, fmt.Errorf("bad regular expression %s: %v", src, unwrapRegexpError(err))
	}
	// regexp.Compile has parsed it already, so this cannot fail.
	parsed, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return term{}, fmt.Errorf("bad regular expression %s: %v", src, err)
	}
	prog, err := syntax.Compile(parsed.Simplify())
	if err != nil {
		return term{}, fmt.Errorf("bad regular expression %s: %v", src, err)
	}
	insts := len(prog.Inst)
	if insts > maxRegexpInsts {
		return term{}, fmt.Errorf("regular expression too complex: %d instructions, the limit is %d (avoid large {n} repeats; split it into simpler terms)", insts, maxRegexpInsts)
	}
	if re.MatchString("") {
		return term{}, fmt.Errorf("regular expression matches empty text, so it would remove every message")
	}
	const advice = "avoid stacking * or + over broad classes like [a-z ]* or .*; list plain words as terms of their own"
	probe := regexpCost(prog, sample().probe)
	if probe > maxRegexpCost {
		return term{}, fmt.Errorf("regular expression too slow: %d steps per character of ordinary chat, the limit is %d (%s)", probe, maxRegexpCost, advice)
	}
	adv := adversaryCost(prog)
	if adv > maxRegexpCost {
		return term{}, fmt.Errorf("regular expression too slow: %d steps per character of text written against it, the limit is %d (%s)", adv, maxRegexpCost, advice)
	}
	if ratio := probeRatio(re); ratio > probeRatioLimit {
		return term{}, fmt.Errorf("regular expression too slow: it reads ordinary chat %d times slower than a plain pattern, the limit is %d", ratio, probeRatioLimit)
	}
	return term{source: src, re: re, insts: insts, cost: max(probe, adv)}, nil
}

// probeRatio is how many times as long as probeBaseline re takes to read
// the probe. Over the limit, the faster of two runs counts, so that one
// pause of the machine does not refuse a term.
func probeRatio(re *regexp.Regexp) int {
	base := max(probeElapsed(probeBaseline), time.Microsecond)
	d := probeElapsed(re)
	if d > base*probeRatioLimit {
		d = min(d, probeElapsed(re))
	}
	return int(d / base)
}

// checkBroad refuses a term that matches too much of the honest sample:
// such a term is a mistake ("e", "/./", "the"), and would remove honest
// chat by the screenful.
func checkBroad(t term) error {
	s := sample()
	ts := &termSet{}
	ts.addTerm(t)
	var en, zh int
	var exEN, exZH string
	for i := range s.lines {
		l := &s.lines[i]
		in := Input{Msg: &l.msg, Norm: l.norm, Words: l.words}
		if _, ok := ts.match(&in); !ok {
			continue
		}
		if l.zh {
			zh++
			exZH = firstOf(exZH, l.msg.Text)
		} else {
			en++
			exEN = firstOf(exEN, l.msg.Text)
		}
	}
	switch {
	case en > 0 && en*broadShare >= s.en:
		return fmt.Errorf("matches %d of %d ordinary English chat lines (such as %q), so it would remove honest chat", en, s.en, exEN)
	case zh > 0 && zh*broadShare >= s.zh:
		return fmt.Errorf("matches %d of %d ordinary Chinese chat lines (such as %q), so it would remove honest chat", zh, s.zh, exZH)
	}
	return nil
}

// firstOf keeps the first example found.
func firstOf(have, next string) string {
	if have != "" {
		return have
	}
	return next
}

// sim runs a regexp program the way Go's regexp does when it can do no
// better, one thread per instruction and a new start at every character,
// and counts each instruction visited: a deterministic measure of cost,
// unlike a timing. It never stops at a match, so it is an upper bound.
type sim struct {
	prog      *syntax.Prog
	cur, next *instSet
	stack     []uint32
	steps     int
}

func newSim(prog *syntax.Prog) *sim {
	n := len(prog.Inst)
	return &sim{prog: prog, cur: newInstSet(n), next: newInstSet(n), stack: make([]uint32, 0, n)}
}

// add follows the empty steps from pc into q under the assertions flag
// holds, counting each instruction once per position.
func (m *sim) add(q *instSet, pc uint32, flag syntax.EmptyOp) {
	m.stack = append(m.stack[:0], pc)
	for len(m.stack) > 0 {
		pc := m.stack[len(m.stack)-1]
		m.stack = m.stack[:len(m.stack)-1]
		if !q.add(pc) {
			continue
		}
		m.steps++
		switch i := &m.prog.Inst[pc]; i.Op {
		case syntax.InstAlt, syntax.InstAltMatch:
			m.stack = append(m.stack, i.Arg, i.Out)
		case syntax.InstCapture, syntax.InstNop:
			m.stack = append(m.stack, i.Out)
		case syntax.InstEmptyWidth:
			if syntax.EmptyOp(i.Arg)&^flag == 0 {
				m.stack = append(m.stack, i.Out)
			}
		}
	}
}

// step moves the threads of cur that consume r into next, under the
// assertions flag holds after r.
func (m *sim) step(cur, next *instSet, r rune, flag syntax.EmptyOp) {
	for _, pc := range cur.dense {
		i := &m.prog.Inst[pc]
		var ok bool
		switch i.Op {
		case syntax.InstRune:
			ok = i.MatchRune(r)
		case syntax.InstRune1:
			ok = r == i.Rune[0]
		case syntax.InstRuneAny:
			ok = true
		case syntax.InstRuneAnyNotNL:
			ok = r != '\n'
		}
		if ok {
			m.add(next, i.Out, flag)
		}
	}
}

// regexpCost is what prog costs on texts, in steps per character.
func regexpCost(prog *syntax.Prog, texts []string) int {
	m := newSim(prog)
	chars := 0
	for _, text := range texts {
		m.cur.clear()
		prev := rune(-1)
		r, w := firstRune(text)
		for pos := 0; ; {
			m.add(m.cur, uint32(prog.Start), syntax.EmptyOpContext(prev, r))
			if r < 0 {
				break
			}
			chars++
			nr, nw := firstRune(text[pos+w:])
			m.step(m.cur, m.next, r, syntax.EmptyOpContext(r, nr))
			m.cur, m.next = m.next, m.cur
			m.next.clear()
			pos += w
			prev, r, w = r, nr, nw
		}
	}
	return perChar(m.steps, chars)
}

// adversaryCost is what prog costs on a text written against it: at each
// position the character that keeps the most threads alive (on a tie, the
// one that wakes the most new ones), from one of every character class
// the program names and a few of each kind. The probe is ordinary chat;
// this finds the pattern that is cheap there but that a spammer could
// wake up, like "zx" followed by stacked stars. The text is long enough
// to fill the program (twice its size), up to what regexps read of a
// message.
func adversaryCost(prog *syntax.Prog) int {
	cands := []rune{' ', 'a', 'z', '0', '!', '.', '/', 'é', '中', '😂'}
	for _, in := range prog.Inst {
		if len(cands) >= 48 {
			break
		}
		if (in.Op == syntax.InstRune || in.Op == syntax.InstRune1) && len(in.Rune) > 0 && !slices.Contains(cands, in.Rune[0]) {
			cands = append(cands, in.Rune[0])
		}
	}
	chars := min(max(2*len(prog.Inst), 32), maxMatchRunes)
	m := newSim(prog)
	trial := newInstSet(len(prog.Inst))
	m.add(m.cur, uint32(prog.Start), syntax.EmptyOpContext(-1, cands[0]))
	total := m.steps
	for range chars {
		best, bestLen, bestNew := cands[0], -1, -1
		for _, r := range cands {
			trial.clear()
			flag := syntax.EmptyOpContext(r, r)
			m.step(m.cur, trial, r, flag)
			m.add(trial, uint32(prog.Start), flag)
			fresh := 0
			for _, pc := range trial.dense {
				if !m.cur.has(pc) {
					fresh++
				}
			}
			if n := len(trial.dense); n > bestLen || n == bestLen && fresh > bestNew {
				best, bestLen, bestNew = r, n, fresh
			}
		}
		// Only the text chosen is what the matcher would pay for.
		m.steps = 0
		flag := syntax.EmptyOpContext(best, best)
		m.step(m.cur, m.next, best, flag)
		m.add(m.next, uint32(prog.Start), flag)
		total += m.steps
		m.cur, m.next = m.next, m.cur
		m.next.clear()
	}
	return perChar(total, chars)
}

// perChar divides, rounding up.
func perChar(steps, chars int) int {
	if chars == 0 {
		return 0
	}
	return (steps + chars - 1) / chars
}

// firstRune decodes the first rune of s, -1 at the end.
func firstRune(s string) (rune, int) {
	if s == "" {
		return -1, 0
	}
	return utf8.DecodeRuneInString(s)
}

// instSet is a sparse set of instruction numbers: add and clear in
// constant time, iteration in insertion order.
type instSet struct {
	dense  []uint32
	sparse []uint32
}

func newInstSet(n int) *instSet {
	return &instSet{dense: make([]uint32, 0, n), sparse: make([]uint32, n)}
}

// add puts pc in the set and reports whether it was new.
func (s *instSet) add(pc uint32) bool {
	if s.has(pc) {
		return false
	}
	s.sparse[pc] = uint32(len(s.dense))
	s.dense = append(s.dense, pc)
	return true
}

// has reports whether pc is in the set.
func (s *instSet) has(pc uint32) bool {
	i := s.sparse[pc]
	return int(i) < len(s.dense) && s.dense[i] == pc
}

func (s *instSet) clear() { s.dense = s.dense[:0] }

// fits reports why t cannot join sets, or nil: the
// count and the regexp size of a rule's lists are bounded as a whole.
func fits(t term, sets ...*termSet) error {
	n, insts, cost := 1, t.insts, t.cost
	for _, s := range sets {
		n += len(s.terms)
		insts += s.insts
		cost += s.cost
	}
	if n > maxListTerms {
		return fmt.Errorf("the list is full (%d terms); remove some first", maxListTerms)
	}
	if cost > maxListCost {
		return fmt.Errorf("the list's regular expressions are too slow together (%d steps per character, the limit is %d); remove or simplify some first, or list plain words as terms of their own", cost, maxListCost)
	}
	if insts > maxListInsts {
		return fmt.Errorf("the list's regular expressions are too large together (%d instructions, the limit is %d); remove or simplify some first", insts, maxListInsts)
	}
	return nil
}

// checkTermList reports each term of a list that parseTerm refuses at
// field[i], and the term at which the list outgrows its budget. It returns
// the terms it accepted: the whole list, when it reported nothing.
func checkTermList(field string, terms []string, add func(field, format string, args ...any)) *termSet {
	if ts, ok := sharedTermLists()[listKey(terms)]; ok {
		return ts
	}
	return parseTermList(field, terms, add)
}

// sharedTermLists are the rules' default term and phrase lists (and the
// empty list), parsed and judged once per process: most channels keep the
// defaults, and judging a term against the honest sample is the costly
// part of building an engine. A default list that were refused is left
// out, so a channel listing it still gets its problems reported.
var sharedTermLists = sync.OnceValue(func() map[string]*termSet {
	m := map[string]*termSet{listKey(nil): emptyTerms}
	for _, spec := range registry {
		for _, list := range [][]string{spec.defaults.Terms, spec.defaults.Phrases} {
			key := listKey(list)
			if _, ok := m[key]; ok {
				continue
			}
			refused := false
			ts := parseTermList("", list, func(string, string, ...any) { refused = true })
			if !refused {
				m[key] = ts
			}
		}
	}
	return m
})

// emptyTerms is the shared empty set; see noTerms.
var emptyTerms = &termSet{}

// noTerms is the set of an empty list, which every channel shares.
func noTerms() *termSet { return emptyTerms }

// listKey is a term list as one map key: each term quoted, so no two
// lists share a key.
func listKey(terms []string) string { return fmt.Sprintf("%q", terms) }

// parseTermList is checkTermList without the shared lists.
func parseTermList(field string, terms []string, add func(field, format string, args ...any)) *termSet {
	ts := &termSet{}
	full := false
	for i, s := range terms {
		t, err := parseTerm(s)
		if err == nil && !full {
			if err = fits(t, ts); err != nil {
				full = true // once is enough
			} else {
				ts.addTerm(t)
			}
		}
		if err != nil {
			add(fmt.Sprintf("%s[%d]", field, i), "%v", err)
		}
	}
	return ts
}

// What !block and !unblock quote back is cut to these lengths, so a
// reply stays one chat message (chat.MaxMessageRunes) whatever the term.
const (
	maxReasonRunes     = 400
	maxQuotedTermRunes = 100
)

// shorten cuts s to at most n characters, ending in "…" when it cut, so
// that a reply quoting a term or an error stays one chat message.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n < 1 {
		return ""
	}
	runes := 0
	for i := range s {
		if runes == n-1 {
			return s[:i] + "…"
		}
		runes++
	}
	return s
}

// capRunes returns the start of s, at most n characters: what regexps
// read of a long text. It counts the bytes that start a character, and
// never reads more than n characters' worth of bytes, whatever s holds.
func capRunes[T string | []byte](s T, n int) T {
	if len(s) <= n {
		return s // n bytes hold at most n characters
	}
	limit := min(len(s), n*utf8.UTFMax)
	runes := 0
	for i := 0; i < limit; i++ {
		if s[i]&0xC0 != 0x80 {
			if runes == n {
				return s[:i]
			}
			runes++
		}
	}
	return s[:limit]
}
