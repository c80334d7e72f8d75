package moderation

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Link is a web address found in a chat message.
type Link struct {
	// Host is the address's host name, lower case, with any disguise
	// undone: "example . com", "example(dot)com" and "example。com" all
	// give "example.com". Look-alike letters are kept as they are, so a
	// host spelled with a Cyrillic "с" never passes for an allowlisted
	// one.
	Host string
	// Start and End are byte offsets of the address in the text.
	Start, End int
	// Disguised is set when the address was written to dodge a filter:
	// spaces around the dot, "(dot)", " dot ", or a look-alike dot.
	Disguised bool
}

// FindLinks returns the web addresses in text: URLs with a scheme,
// "www." names, bare domains with a known top-level domain, bare IPv4
// addresses, and the disguised forms spammers use ("example . com",
// "example(dot)com", "example dot com", "example。com"). E-mail addresses
// are not links. Only the first MaxNormalizeInput bytes are read.
//
// A top-level domain that is also a common chat word ("ok.so", "lol.no")
// counts only with a scheme, "www." or a path after it ("t.me/x"), so a
// missing space after a full stop does not make a link.
func FindLinks(text string) []Link {
	var f linkFinder
	f.find(text)
	out := make([]Link, len(f.links))
	for i, l := range f.links {
		out[i] = Link{Host: string(f.hosts[l.hostStart:l.hostEnd]), Start: l.start, End: l.end, Disguised: l.disguised}
	}
	return out
}

// linkFinder finds links without allocating once its scratch has grown.
type linkFinder struct {
	toks   []ltok
	labels []int // token indexes of the labels of the host being read
	hosts  []byte
	links  []foundLink
}

type foundLink struct {
	start, end         int
	hostStart, hostEnd int
	disguised          bool
}

// host returns the i'th link's host; valid until the next find.
func (f *linkFinder) host(i int) []byte {
	return f.hosts[f.links[i].hostStart:f.links[i].hostEnd]
}

type ltokKind uint8

const (
	ltWord    ltokKind = iota // letters, digits and hyphens
	ltDot                     // "."
	ltOddDot                  // a look-alike dot: 。 ． ｡ ․ ⸱
	ltBracket                 // (dot) [dot] {dot} <dot> [.] (.)
	ltSpace
	ltSlash
	ltColon
	ltAt
	ltOther
)

type ltok struct {
	kind       ltokKind
	start, end int
}

// mayHaveLink is a cheap test that rules out most chat lines: no dot of
// any kind, no "dot" word.
func mayHaveLink(text string) bool {
	for i := 0; i < len(text); i++ {
		switch c := text[i]; c {
		case '.', 0xE2, 0xE3, 0xEF:
			return true
		case 'd', 'D':
			if i+2 < len(text) && (text[i+1]|0x20) == 'o' && (text[i+2]|0x20) == 't' {
				return true
			}
		}
	}
	return false
}

// maxLabels bounds the labels of one host; real ones have a handful, and
// the bound keeps a line of "a.a.a.a…" from costing quadratic time.
const maxLabels = 10

func (f *linkFinder) find(text string) {
	f.links = f.links[:0]
	f.hosts = f.hosts[:0]
	if len(text) > MaxNormalizeInput {
		// Twitch messages are at most 500 characters; anything longer is
		// a replayed oddity, read as far as the normaliser reads it.
		text = text[:MaxNormalizeInput]
	}
	if !mayHaveLink(text) {
		return
	}
	f.tokenize(text)
	toks := f.toks
	for i := 0; i < len(toks); i++ {
		if toks[i].kind != ltWord {
			continue
		}
		if end := f.readHost(text, i); end > i {
			i = end
		}
	}
}

// tokenize splits text into the pieces a host is made of.
func (f *linkFinder) tokenize(text string) {
	f.toks = f.toks[:0]
	for i := 0; i < len(text); {
		r, size := rune(text[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(text[i:])
		}
		kind := ltOther
		switch {
		case isLabelRune(r):
			kind = ltWord
		case r == '.':
			kind = ltDot
		case r == '。' || r == '．' || r == '｡' || r == '․' || r == '⸱':
			kind = ltOddDot
		case r == ' ' || r == '\t' || unicode.IsSpace(r):
			kind = ltSpace
		case r == '/':
			kind = ltSlash
		case r == ':':
			kind = ltColon
		case r == '@':
			kind = ltAt
		case r == '(' || r == '[' || r == '{' || r == '<':
			if n := bracketDot(text[i:]); n > 0 {
				f.toks = append(f.toks, ltok{ltBracket, i, i + n})
				i += n
				continue
			}
		}
		i += size
		if n := len(f.toks); n > 0 && f.toks[n-1].kind == kind && (kind == ltWord || kind == ltSpace) {
			f.toks[n-1].end = i
			continue
		}
		f.toks = append(f.toks, ltok{kind, i - size, i})
	}
}

// bracketDot reports the length of a "(dot)"-style dot at the start of s,
// or 0.
func bracketDot(s string) int {
	var closer byte
	switch s[0] {
	case '(':
		closer = ')'
	case '[':
		closer = ']'
	case '{':
		closer = '}'
	default:
		closer = '>'
	}
	inner := strings.TrimLeft(s[1:], " ")
	var n int
	switch {
	case len(inner) >= 3 && strings.EqualFold(inner[:3], "dot"):
		n = 3
	case len(inner) >= 1 && inner[0] == '.':
		n = 1
	default:
		return 0
	}
	rest := strings.TrimLeft(inner[n:], " ")
	if len(rest) == 0 || rest[0] != closer {
		return 0
	}
	return len(s) - len(rest) + 1
}

func isLabelRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '-'
	}
	if r >= 0xFF10 && r <= 0xFF5A {
		// Full-width digits and letters.
		return unicode.IsLetter(r-0xFEE0) || unicode.IsDigit(r-0xFEE0)
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// readHost tries to read a host starting at token i. It records a link and
// returns the index of its last token, or returns i when there is none.
func (f *linkFinder) readHost(text string, i int) int {
	toks := f.toks
	// Part of an e-mail address ("bob@example.com")?
	if i >= 2 && toks[i-1].kind == ltAt && toks[i-2].kind == ltWord {
		return f.skipHost(i)
	}
	f.labels = append(f.labels[:0], i)
	disguised := false
	dotwords := false
	// Bit k of disguisedMask is set when the dot before label k was
	// disguised.
	var disguisedMask uint64
	j := i + 1
	for len(f.labels) < maxLabels {
		k := j
		spBefore := k < len(toks) && toks[k].kind == ltSpace
		if spBefore {
			k++
		}
		if k >= len(toks) {
			break
		}
		var odd, word bool
		switch toks[k].kind {
		case ltDot:
		case ltOddDot, ltBracket:
			odd = true
		case ltWord:
			if !spBefore || !strings.EqualFold(text[toks[k].start:toks[k].end], "dot") {
				k = len(toks)
			}
			word = true
		default:
			k = len(toks)
		}
		if k >= len(toks) {
			break
		}
		k++
		spAfter := k < len(toks) && toks[k].kind == ltSpace
		if spAfter {
			k++
		}
		if k >= len(toks) || toks[k].kind != ltWord {
			break
		}
		switch {
		case word && !(spBefore && spAfter):
			k = -1
		case !odd && !word && !spBefore && spAfter:
			// "the end. com" is a sentence, not a link.
			k = -1
		}
		if k < 0 {
			break
		}
		if odd || word || spBefore || spAfter {
			disguisedMask |= 1 << len(f.labels)
		}
		if word {
			dotwords = true
		}
		f.labels = append(f.labels, k)
		j = k + 1
	}
	if len(f.labels) < 2 {
		return i
	}
	scheme := hasScheme(text, toks, i)
	www := strings.EqualFold(f.label(text, 0), "www")
	// The longest run of labels that ends on a top-level domain wins:
	// "see example.com.Then" is example.com.
	for n := len(f.labels); n >= 2; n-- {
		last := f.labels[n-1]
		disguised = disguisedMask&(1<<uint(n)-1) != 0
		path := hasPath(toks, last)
		isIP := n == 4 && f.allNumeric(text, n)
		if !isIP && !f.validLabels(text, n) {
			continue
		}
		if !isIP {
			tld := tldClass(text[toks[last].start:toks[last].end])
			switch {
			case tld == tldStrong:
			case tld == tldWeak && !disguised && (scheme || www || path):
			case tld == tldOther && !disguised && (scheme || www):
			default:
				continue
			}
			if !scheme && !www && !path && sentenceBreak(f.label(text, n-2), text[toks[last].start:toks[last].end]) {
				// "a happy news.By the grace of God": a missing space
				// after a full stop.
				continue
			}
			if dotwords && disguised && (n != 2 || stopWords[strings.ToLower(f.label(text, 0))] || len(f.label(text, 0)) < 3) {
				// "the dot com bubble": only "name dot com" reads as a link.
				continue
			}
			if disguised && n == 2 && stopWords[strings.ToLower(f.label(text, 0))] {
				// "the .com side of twitch": a word before a spaced dot
				// is a name only when it could be one.
				continue
			}
		} else if prevIsNumberDot(text, toks, i) || nextIsDotNumber(toks, last, text) {
			continue
		}
		start := toks[i].start
		if scheme {
			start = schemeStart(toks, i)
		}
		end := toks[last].end
		endTok := last
		if path || (endTok+1 < len(toks) && toks[endTok+1].kind == ltColon) {
			endTok = extendPath(toks, last)
			end = toks[endTok].end
		}
		hs := len(f.hosts)
		for k := 0; k < n; k++ {
			if k > 0 {
				f.hosts = append(f.hosts, '.')
			}
			f.hosts = appendLabel(f.hosts, f.label(text, k))
		}
		f.links = append(f.links, foundLink{start: start, end: end, hostStart: hs, hostEnd: len(f.hosts), disguised: disguised})
		return endTok
	}
	return i
}

// sentenceBreak reports "news.By": a lower-case word, then a capitalised
// one, which reads as a sentence with the space after its full stop left
// out. Spam writes domains in one case.
func sentenceBreak(before, after string) bool {
	for _, r := range before {
		if unicode.IsUpper(r) {
			return false
		}
	}
	first, size := utf8.DecodeRuneInString(after)
	if !unicode.IsUpper(first) {
		return false
	}
	for _, r := range after[size:] {
		if !unicode.IsLower(r) {
			return false
		}
	}
	return true
}

// skipHost returns the last token of the dotted name starting at i, so an
// e-mail address is passed over whole.
func (f *linkFinder) skipHost(i int) int {
	toks := f.toks
	for i+2 < len(toks) && toks[i+1].kind == ltDot && toks[i+2].kind == ltWord {
		i += 2
	}
	return i
}

func (f *linkFinder) label(text string, k int) string {
	t := f.toks[f.labels[k]]
	return text[t.start:t.end]
}

func (f *linkFinder) validLabels(text string, n int) bool {
	for k := 0; k < n; k++ {
		l := f.label(text, k)
		if len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
	}
	return true
}

func (f *linkFinder) allNumeric(text string, n int) bool {
	for k := 0; k < n; k++ {
		l := f.label(text, k)
		if len(l) > 3 {
			return false
		}
		v := 0
		for i := 0; i < len(l); i++ {
			if l[i] < '0' || l[i] > '9' {
				return false
			}
			v = v*10 + int(l[i]-'0')
		}
		if v > 255 {
			return false
		}
	}
	return true
}

// prevIsNumberDot reports "1.2.3.4" preceded by "9." — a version, not an IP.
func prevIsNumberDot(text string, toks []ltok, i int) bool {
	return i >= 2 && toks[i-1].kind == ltDot && toks[i-2].kind == ltWord
}

func nextIsDotNumber(toks []ltok, last int, text string) bool {
	return last+2 < len(toks) && toks[last+1].kind == ltDot && toks[last+2].kind == ltWord
}

// hasScheme reports "http://" or "https://" right before token i.
func hasScheme(text string, toks []ltok, i int) bool {
	if i < 4 || toks[i-1].kind != ltSlash || toks[i-2].kind != ltSlash || toks[i-3].kind != ltColon || toks[i-4].kind != ltWord {
		return false
	}
	// The word may run into what comes before ("link:https://…") and
	// may be disguised as hxxp.
	s := text[toks[i-4].start:toks[i-4].end]
	for _, scheme := range [...]string{"http", "https", "hxxp", "hxxps"} {
		if len(s) >= len(scheme) && strings.EqualFold(s[len(s)-len(scheme):], scheme) {
			return true
		}
	}
	return false
}

func schemeStart(toks []ltok, i int) int { return toks[i-4].start }

// hasPath reports a "/" followed by more address right after token last.
func hasPath(toks []ltok, last int) bool {
	k := last + 1
	if k < len(toks) && toks[k].kind == ltColon {
		if k+1 < len(toks) && toks[k+1].kind == ltWord {
			k += 2
		}
	}
	return k+1 < len(toks) && toks[k].kind == ltSlash && toks[k+1].kind != ltSpace
}

// extendPath returns the last token of the port and path after a host.
func extendPath(toks []ltok, last int) int {
	k := last
	for k+1 < len(toks) && toks[k+1].kind != ltSpace {
		k++
	}
	return k
}

// appendLabel appends a label lower-cased, with full-width characters made
// plain.
func appendLabel(dst []byte, l string) []byte {
	for _, r := range l {
		if r >= 0xFF10 && r <= 0xFF5A {
			r -= 0xFEE0
		}
		if r < utf8.RuneSelf {
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
			dst = append(dst, byte(r))
			continue
		}
		dst = utf8.AppendRune(dst, unicode.ToLower(r))
	}
	return dst
}

type tldKind uint8

const (
	tldOther tldKind = iota // not a known top-level domain
	tldStrong
	tldWeak // a real top-level domain that is also a chat word or file extension
)

// tldClass looks a label up among the top-level domains, reading full-width
// and look-alike letters as plain ones: "example.сом" is still ".com".
func tldClass(label string) tldKind {
	var buf [24]byte
	b := buf[:0]
	for _, r := range label {
		if r >= 0xFF10 && r <= 0xFF5A {
			r -= 0xFEE0
		}
		r = unicode.ToLower(r)
		if l, ok := confusables[r]; ok {
			r = l
		}
		if r >= utf8.RuneSelf && r != 'р' && r != 'ф' {
			return tldOther
		}
		if len(b)+utf8.RuneLen(r) > len(buf) {
			return tldOther
		}
		b = utf8.AppendRune(b, r)
	}
	return tlds[string(b)]
}

// stopWords cannot be the name in a "name dot com" link.
var stopWords = map[string]bool{
	"the": true, "a": true, "an": true, "and": true, "or": true, "of": true, "to": true, "in": true,
	"on": true, "at": true, "is": true, "it": true, "my": true, "your": true, "his": true, "her": true,
	"its": true, "that": true, "this": true, "what": true, "go": true, "do": true, "new": true, "old": true,
	"big": true, "first": true, "whole": true, "one": true, "our": true, "their": true, "any": true,
	"some": true, "every": true, "no": true,
}

var tlds = func() map[string]tldKind {
	m := map[string]tldKind{}
	for _, t := range strings.Fields(`com net org info biz io co gg tv ly xyz ru su uk de fr pl nl es eu ca au
		cc club online site shop store live app dev top pro link click icu buzz vip bet casino money cash
		loan stream gift gifts today world space website tech page blog news media email best digital
		agency solutions services ltd company cloud host cam chat social team zone life sex xxx porn adult
		moe jp cn kr tw hk br mx ar cl pe ve tk ml ga cf gq ws nu se dk fi cz sk hu ro bg gr tr ua by kz
		ir pk vn th ph sg nz za ng ke eg sa ae ch pt ie lt lv ee si hr ba ge uz mn np lk bd gl ac im je
		fm ai ninja guru party rocks gay porno tube video games game bio fans ink work network pw mobi
		рф`) {
		m[t] = tldStrong
	}
	// Real top-level domains that are also words, chat abbreviations or
	// file extensions: links only with a scheme, www. or a path.
	for _, t := range strings.Fields(`so no it at be to us me my in is am as an do go hi ok la pm id ms
		md py sh rs zip mov lol wtf fun win love one red blue pink run now how new day`) {
		m[t] = tldWeak
	}
	return m
}()
