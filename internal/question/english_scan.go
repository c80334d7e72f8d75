package question

import (
	"unicode"
	"unicode/utf8"
)

// Bounds of one scan. They keep enScan a fixed-size value on the stack, so
// Detect does not allocate; a line longer than they allow is read as far
// as they reach, which is far past any chat question.
const (
	maxTokens  = 64
	maxClauses = 16
	lowCap     = 512
)

// token is one word of the line. Its lower-cased form lives in enScan.low.
type token struct {
	lo, hi  uint16
	class   wordClass
	letters bool // has at least one letter
	camel   bool // a capital after a small letter: PogChamp, monkaS
	caps    bool // two or more letters, all capitals: LUL, KEKW
	mention bool // written as @name
}

// clause is a run of tokens between sentence punctuation.
type clause struct {
	first, end uint8 // token range
	q          bool  // ended by '?'
	bang       bool  // a '!' touched that '?' ("no way?!")
}

// enScan holds one line broken into tokens and clauses. It lives on the
// stack of Detect.
type enScan struct {
	low     [lowCap]byte
	nlow    int
	toks    [maxTokens]token
	ntok    int
	clauses [maxClauses]clause
	ncl     int
	han     int  // Han characters seen
	latin   int  // words DetectLang would count against them
	exotic  bool // letters of another script, which DetectLang reads differently
	realQ   bool // some clause with words ends in '?' without '!'
}

func isWordByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_'
}

func isASCIISpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// scan breaks text into tokens and clauses.
func (s *enScan) scan(text string) {
	s.ncl = 1
	for i := 0; i < len(text); {
		c := text[i]
		switch {
		case isWordByte(c), c == '@' && i+1 < len(text) && isWordByte(text[i+1]):
			i = s.word(text, i)
			continue
		case c < utf8.RuneSelf:
			i = s.punct(text, i)
			continue
		}
		r, size := decodeRune(text[i:])
		switch {
		case isHan(r):
			s.han++
			i += size
		case r == '？' || r == '！' || r == '。' || r == '，' || r == '；' || r == '：' || r == '…':
			i = s.punct(text, i)
		case unicode.IsLetter(r):
			i = s.word(text, i)
		default:
			i += size
		}
	}
	s.closeClause()
}

// word reads the word at text[i:] and returns the index after it.
func (s *enScan) word(text string, i int) int {
	t := token{lo: uint16(s.nlow)}
	if text[i] == '@' {
		t.mention = true
		i++
	}
	var lower, upper bool
	letters := 0
	for i < len(text) {
		c := text[i]
		if c < utf8.RuneSelf {
			switch {
			case 'a' <= c && c <= 'z':
				lower = true
				letters++
			case 'A' <= c && c <= 'Z':
				if lower {
					t.camel = true
				}
				upper = true
				letters++
				c += 'a' - 'A'
			case '0' <= c && c <= '9' || c == '_':
			case c == '\'' && i+1 < len(text) && isWordByte(text[i+1]):
				i++ // "what's" is looked up as "whats"
				continue
			default:
				goto done
			}
			if s.nlow < lowCap {
				s.low[s.nlow] = c
				s.nlow++
			}
			i++
			continue
		}
		r, size := decodeRune(text[i:])
		if r == '\u2019' {
			i += size
			continue
		}
		if !unicode.IsLetter(r) || isHan(r) {
			break
		}
		if !unicode.Is(unicode.Latin, r) {
			s.exotic = true
		}
		if unicode.IsUpper(r) {
			if lower {
				t.camel = true
			}
			upper = true
		} else {
			lower = true
		}
		letters++
		if s.nlow+size <= lowCap {
			copy(s.low[s.nlow:], text[i:i+size])
			s.nlow += size
		}
		i += size
	}
done:
	t.hi = uint16(s.nlow)
	t.letters = letters > 0
	t.caps = letters > 1 && upper && !lower
	if t.letters && !t.camel && !t.caps {
		s.latin++
	}
	if s.ntok < maxTokens {
		t.class = lookup(s.low[t.lo:t.hi])
		s.toks[s.ntok] = t
		s.ntok++
	}
	return i
}

// punct reads a run of punctuation and spaces at text[i:], ending the
// current clause where the run is sentence punctuation, and returns the
// index after the run.
func (s *enScan) punct(text string, i int) int {
	start := i
	var q, bang, boundary bool
	for i < len(text) {
		c := text[i]
		if c < utf8.RuneSelf {
			if isWordByte(c) || c == '@' && i+1 < len(text) && isWordByte(text[i+1]) {
				break
			}
			switch c {
			case '?':
				q = true
			case '!':
				bang = true
			case '.', ',', ';', ':', '\n', '\r':
				boundary = true
			}
			i++
			continue
		}
		r, size := decodeRune(text[i:])
		switch r {
		case '？':
			q = true
		case '！':
			bang = true
		case '。', '，', '；', '：', '…':
			boundary = true
		default:
			if unicode.IsLetter(r) || isHan(r) {
				return i
			}
		}
		i += size
	}
	// Punctuation glued to text on both sides is part of a URL, a number or
	// a time ("/?ref=", "3.5", "12:30"), not the end of a sentence.
	if start > 0 && i < len(text) && !isASCIISpace(text[start-1]) &&
		(isWordByte(text[i]) || text[i] == '=') && !hasSpace(text[start:i]) {
		return i
	}
	if q || bang || boundary {
		cl := &s.clauses[s.ncl-1]
		if q {
			cl.q = true
			cl.bang = cl.bang || bang
		} else if bang && cl.q {
			cl.bang = true
		}
		s.closeClause()
	}
	return i
}

func hasSpace(s string) bool {
	for i := 0; i < len(s); i++ {
		if isASCIISpace(s[i]) {
			return true
		}
	}
	return false
}

// closeClause ends the current clause and opens the next one, unless the
// current one is still empty or there is no room left.
func (s *enScan) closeClause() {
	cl := &s.clauses[s.ncl-1]
	cl.end = uint8(s.ntok)
	if cl.end == cl.first {
		*cl = clause{first: cl.first, end: cl.end}
		return
	}
	if cl.q && !cl.bang {
		for k := cl.first; k < cl.end; k++ {
			if s.toks[k].letters {
				s.realQ = true
				break
			}
		}
	}
	if s.ncl < maxClauses {
		s.ncl++
		s.clauses[s.ncl-1] = clause{first: uint8(s.ntok), end: uint8(s.ntok)}
	}
}

// w returns token k's lower-cased form. Comparing it with a constant or
// using it as a map key does not allocate.
func (s *enScan) w(k int) []byte { return s.low[s.toks[k].lo:s.toks[k].hi] }

func (s *enScan) is(k int, word string) bool {
	return k >= 0 && k < s.ntok && string(s.w(k)) == word
}

func (s *enScan) class(k int, end int) wordClass {
	if k >= end {
		return 0
	}
	return s.toks[k].class
}

// oneOf reports whether token k, if it exists before end, is one of words.
func (s *enScan) oneOf(k, end int, words ...string) bool {
	if k >= end {
		return false
	}
	w := s.w(k)
	for _, x := range words {
		if string(w) == x {
			return true
		}
	}
	return false
}

// matchWords reports whether the tokens from k on are words; the tokens
// must end where the words do unless prefix is set.
func (s *enScan) matchWords(k, end int, words []string, prefix bool) bool {
	if end-k < len(words) || !prefix && end-k != len(words) {
		return false
	}
	for _, w := range words {
		if string(s.w(k)) != w {
			return false
		}
		k++
	}
	return true
}

// isName reports whether token k is one of names, ignoring ASCII case and
// a leading '@' on the name.
func (s *enScan) isName(k int, names []string) bool {
	w := s.w(k)
	for _, n := range names {
		if len(n) > 0 && n[0] == '@' {
			n = n[1:]
		}
		if len(n) != len(w) || n == "" {
			continue
		}
		same := true
		for i := 0; i < len(n); i++ {
			c := n[i]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != w[i] {
				same = false
				break
			}
		}
		if same {
			return true
		}
	}
	return false
}
