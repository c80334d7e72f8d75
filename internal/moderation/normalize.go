package moderation

import (
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Normalize returns the form of text that rules match against, so that the
// tricks spammers use to slip a term past a filter all land on the same
// string:
//
//   - NFKC: full-width, circled, mathematical and ligature letters become
//     their plain forms ("ｆｒｅｅ", "𝐟𝐫𝐞𝐞" → "free");
//   - case folding, and accents stripped from Latin, Greek and Cyrillic
//     letters ("FRÉÉ" → "free");
//   - zero-width characters, bidi controls and combining marks (zalgo)
//     removed, so they cannot split a word;
//   - look-alike Cyrillic and Greek letters mapped to Latin in words that
//     mix scripts or could pass for Latin ("frее" with Cyrillic е), while a
//     real Russian or Greek word is left as it is;
//   - leetspeak in words that are mostly letters ("fr33" → "free"), while
//     numbers stay numbers ("0906 123");
//   - a letter repeated more than twice squeezed to two ("freeeee" →
//     "free"), and single letters split by dots or spaces joined
//     ("f.r.e.e", "f r e e" → "free").
//
// Everything else that is not a letter or digit separates words; words are
// joined by one space. Emoji and punctuation are dropped. CJK, kana,
// hangul and other scripts keep their letters (case-folded where they have
// case). Words split in two ("fr ee") are not joined here, because only a
// list of terms can tell them from two real words; the term matcher
// handles them.
//
// Only the first MaxNormalizeInput bytes of text are read, which bounds the
// work for absurd input: Twitch messages are at most 500 characters.
func Normalize(text string) string {
	var n normalizer
	return string(n.append(nil, text))
}

// MaxNormalizeInput is how many bytes of a message Normalize reads.
const MaxNormalizeInput = 8 << 10

// normalizer holds scratch space so that the engine normalises a message
// without allocating once its buffers have grown.
type normalizer struct {
	src   []byte
	valid []byte
	// iter is kept between calls: norm's Append allocates its working
	// buffer every time, an Iter holds its own.
	iter   norm.Iter
	tok    []rune
	chain  []rune // single-character words waiting to be joined
	nchain int
	// chainTight is false once a gap in the chain is more than one tight
	// separator: spaces need three letters in a row to count as a split.
	chainTight bool
	gap        gapKind
	prevGap    gapKind
	out        []byte
}

// gapKind describes what separated two words.
type gapKind uint8

const (
	gapNone  gapKind = iota // start of text
	gapTight                // exactly one of . - _ * · and the like
	gapSpace                // whitespace only
	gapOther                // anything else
)

// appendBytes normalises b onto dst.
func (n *normalizer) appendBytes(dst []byte, b []byte) []byte {
	// The conversion does not allocate: append only reads s, and the
	// compiler sees that it does not escape.
	return n.append(dst, string(b))
}

// append normalises s onto dst.
func (n *normalizer) append(dst []byte, s string) []byte {
	if len(s) > MaxNormalizeInput {
		s = s[:MaxNormalizeInput]
		for len(s) > 0 && !utf8.RuneStart(s[len(s)-1]) {
			s = s[:len(s)-1]
		}
		if len(s) > 0 {
			if r, _ := utf8.DecodeLastRuneInString(s); r == utf8.RuneError {
				s = s[:len(s)-1]
			}
		}
	}
	switch {
	case isASCII(s):
		n.src = append(n.src[:0], s...)
	case utf8.ValidString(s):
		if norm.NFKC.QuickSpanString(s) == len(s) {
			// Already normal, as most text is: nothing to rewrite.
			n.src = append(n.src[:0], s...)
			break
		}
		// Copied first so that s never escapes into the iterator.
		n.valid = append(n.valid[:0], s...)
		n.iter.Init(norm.NFKC, n.valid)
		n.src = n.src[:0]
		for !n.iter.Done() {
			n.src = append(n.src, n.iter.Next()...)
		}
	default:
		// NFKC passes a bad byte through and can leave the character
		// after it unnormalised; drop bad bytes first.
		n.valid = n.valid[:0]
		for _, r := range s {
			if r != utf8.RuneError {
				n.valid = utf8.AppendRune(n.valid, r)
			}
		}
		n.iter.Init(norm.NFKC, n.valid)
		n.src = n.src[:0]
		for !n.iter.Done() {
			n.src = append(n.src, n.iter.Next()...)
		}
	}
	n.out = dst
	n.tok = n.tok[:0]
	n.chain = n.chain[:0]
	n.nchain = 0
	n.chainTight = true
	n.gap = gapNone
	n.prevGap = gapNone
	start := len(dst)

	src := n.src
	for i := 0; i < len(src); {
		r, size := rune(src[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRune(src[i:])
		}
		i += size
		switch c := classify(r); c {
		case classIgnore:
			continue
		case classWord:
			n.addRune(r)
		case classLeet:
			n.tok = append(n.tok, r)
		default:
			n.endToken()
			n.noteGap(c)
		}
	}
	n.endToken()
	n.flushChain()
	out := n.out
	n.out = nil
	// A leading space can only come from an empty first word; trim for
	// good measure so callers can rely on the shape.
	for len(out) > start && out[len(out)-1] == ' ' {
		out = out[:len(out)-1]
	}
	return out
}

// addRune folds r and adds it to the current word.
func (n *normalizer) addRune(r rune) {
	r = fold(r)
	switch r {
	case 'ß':
		n.tok = append(n.tok, 's', 's')
		return
	case 'ς':
		r = 'σ'
	}
	if r >= 0xC0 {
		r = stripAccent(r)
	}
	n.tok = append(n.tok, r)
}

// noteGap records the separator between the word just ended and the next.
func (n *normalizer) noteGap(c charClass) {
	k := gapOther
	switch c {
	case classSpace:
		k = gapSpace
	case classTight:
		k = gapTight
	}
	switch {
	case n.gap == gapNone:
		n.gap = k
	case n.gap == gapSpace && k == gapSpace:
		// Several spaces are still a space.
	case n.gap == gapTight && k == gapSpace, n.gap == gapSpace && k == gapTight:
		// "f. r. e. e" still reads as one spelled-out word.
		n.gap = gapSpace
	default:
		n.gap = gapOther
	}
}

// endToken finishes the current word: single characters go to the chain
// that might spell a word out; anything longer ends the chain. Any
// separator continues a chain, so that the output, where every separator
// is a space, normalises to itself.
func (n *normalizer) endToken() {
	if len(n.tok) == 0 {
		return
	}
	gap := n.gap
	n.gap = gapNone
	w := transform(n.tok)
	n.tok = n.tok[:0]
	switch len(w) {
	case 0:
		return
	case 1:
		if n.nchain > 0 && gap != gapTight {
			n.chainTight = false
		}
		n.chain = append(n.chain, w[0])
		n.nchain++
		return
	}
	n.flushChain()
	n.emit(w)
}

// flushChain writes out the pending single characters: as one word when
// they spell one out (two or more split by single dots, three or more by
// anything), else one by one.
func (n *normalizer) flushChain() {
	if n.nchain == 0 {
		return
	}
	if n.nchain >= 3 || (n.nchain == 2 && n.chainTight) {
		n.emit(transform(n.chain))
	} else {
		for i := range n.chain {
			n.emit(n.chain[i : i+1])
		}
	}
	n.chain = n.chain[:0]
	n.nchain = 0
	n.chainTight = true
}

// emit writes one finished word.
func (n *normalizer) emit(w []rune) {
	if len(w) == 0 {
		return
	}
	if len(n.out) > 0 {
		n.out = append(n.out, ' ')
	}
	for _, r := range w {
		n.out = utf8.AppendRune(n.out, r)
	}
}

// transform maps look-alikes and leetspeak in a word and squeezes repeats,
// in place. Squeezing comes before and after leetspeak: the letter count
// decides whether digits are letters, and mapping can make new runs
// ("o0o").
func transform(w []rune) []rune {
	// Each step can change what the others see (leetspeak can make a word
	// Latin enough for its look-alikes to count; dropping a stray $ can
	// make a run), so repeat until the word settles: normalising twice
	// must give what normalising once did.
	for range 4 {
		n := len(w)
		mapConfusables(w)
		w = mapLeet(squeeze(w))
		mapConfusables(w)
		w = squeeze(w)
		if len(w) == n {
			break
		}
	}
	return w
}

// squeeze cuts every run of one character to at most two, in place.
func squeeze(w []rune) []rune {
	out := w[:0]
	for _, r := range w {
		if k := len(out); k >= 2 && out[k-1] == r && out[k-2] == r {
			continue
		}
		out = append(out, r)
	}
	return out
}

// charClass is how the normaliser treats one character.
type charClass uint8

const (
	classSep    charClass = iota // ends a word
	classSpace                   // whitespace: ends a word
	classTight                   // . - _ * and kin: ends a word, may join a spelled-out one
	classWord                    // letter or digit
	classLeet                    // @ and $: part of a word, read as a letter if the word is
	classIgnore                  // invisible: zero-width, bidi, combining marks, variation selectors
)

func classify(r rune) charClass {
	if r < utf8.RuneSelf {
		return asciiClass[r]
	}
	switch {
	case r >= 0x1F1E6 && r <= 0x1F1FF:
		// Regional indicators spell letters ("🇫🇷🇪🇪").
		return classWord
	case unicode.Is(unicode.Mn, r), unicode.Is(unicode.Me, r), unicode.Is(unicode.Cf, r),
		r >= 0xFE00 && r <= 0xFE0F, r >= 0xE0100 && r <= 0xE01EF:
		return classIgnore
	case r == '’' || r == '‘' || r == 'ʼ':
		return classIgnore
	case unicode.IsLetter(r), unicode.IsDigit(r), unicode.Is(unicode.Mc, r):
		return classWord
	case unicode.IsSpace(r):
		return classSpace
	case r == '·' || r == '•' || r == '․' || r == '。' || r == '．' || r == '｡' || r == '‧' || r == '–' || r == '—':
		return classTight
	}
	return classSep
}

var asciiClass = func() (t [128]charClass) {
	for c := range t {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
			t[c] = classWord
		case c == ' ', c == '\t', c == '\n', c == '\r', c == '\v', c == '\f':
			t[c] = classSpace
		case c == '.', c == '-', c == '_', c == '*':
			t[c] = classTight
		case c == '@', c == '$':
			t[c] = classLeet
		case c == '\'':
			t[c] = classIgnore
		case c < ' ', c == 0x7F:
			t[c] = classIgnore
		default:
			t[c] = classSep
		}
	}
	return t
}()

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// fold lower-cases r. Simple lower-casing is enough here because both the
// terms and the text go through it; the few letters whose full folding
// differs are handled by the caller.
func fold(r rune) rune {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}
	if r >= 0x1F1E6 && r <= 0x1F1FF {
		return 'a' + (r - 0x1F1E6)
	}
	return unicode.ToLower(r)
}

// stripAccent maps a precomposed Latin, Greek or Cyrillic letter to its
// base letter, using the canonical decomposition's first rune.
func stripAccent(r rune) rune {
	// A decomposition can end on a letter that has another (ǿ → ø → o).
	for range 3 {
		r2 := stripOnce(r)
		if r2 == r {
			break
		}
		r = r2
	}
	return r
}

func stripOnce(r rune) rune {
	if r2, ok := latinLookalikes[r]; ok {
		return r2
	}
	if !(r >= 0xC0 && r < 0x500 || r >= 0x1E00 && r < 0x2000) {
		// Other scripts keep their marks: they can change the letter.
		return r
	}
	var b [utf8.UTFMax]byte
	k := utf8.EncodeRune(b[:], r)
	d := norm.NFD.Properties(b[:k]).Decomposition()
	if len(d) == 0 {
		return r
	}
	base, _ := utf8.DecodeRune(d)
	if base == utf8.RuneError {
		return r
	}
	return unicode.ToLower(base)
}

// latinLookalikes are Latin letters with no decomposition that read as a
// plain one: stroked letters, dotless i, small capitals.
var latinLookalikes = map[rune]rune{
	'ı': 'i', 'ł': 'l', 'ø': 'o', 'đ': 'd', 'ħ': 'h', 'ŧ': 't', 'ƒ': 'f', 'ɡ': 'g',
	'ᴀ': 'a', 'ʙ': 'b', 'ᴄ': 'c', 'ᴅ': 'd', 'ᴇ': 'e', 'ꜰ': 'f', 'ɢ': 'g', 'ʜ': 'h',
	'ɪ': 'i', 'ᴊ': 'j', 'ᴋ': 'k', 'ʟ': 'l', 'ᴍ': 'm', 'ɴ': 'n', 'ᴏ': 'o', 'ᴘ': 'p',
	'ʀ': 'r', 'ꜱ': 's', 'ᴛ': 't', 'ᴜ': 'u', 'ᴠ': 'v', 'ᴡ': 'w', 'ʏ': 'y', 'ᴢ': 'z',
}

// confusables maps lower-case Cyrillic and Greek letters to the Latin
// letters they pass for in chat fonts.
var confusables = map[rune]rune{
	// Cyrillic
	'а': 'a', 'в': 'b', 'е': 'e', 'ё': 'e', 'і': 'i', 'ї': 'i', 'ј': 'j', 'к': 'k',
	'м': 'm', 'н': 'h', 'о': 'o', 'п': 'n', 'р': 'p', 'с': 'c', 'т': 't', 'у': 'y',
	'х': 'x', 'ь': 'b', 'ѕ': 's', 'ԁ': 'd', 'ԛ': 'q', 'ԝ': 'w', 'һ': 'h', 'ӏ': 'l',
	// Greek
	'α': 'a', 'β': 'b', 'γ': 'y', 'ε': 'e', 'η': 'n', 'ι': 'i', 'κ': 'k', 'μ': 'u',
	'ν': 'v', 'ο': 'o', 'ρ': 'p', 'τ': 't', 'υ': 'u', 'χ': 'x', 'ω': 'w',
}

// mapConfusables rewrites look-alike letters in a word to Latin when the
// word mixes them with Latin letters, or consists only of look-alikes. A
// Russian or Greek word with any letter that has no Latin twin is left
// alone, so real text in those scripts keeps its meaning.
func mapConfusables(w []rune) {
	var latin, other, unmapped bool
	for _, r := range w {
		switch {
		case r < 0x250 && unicode.IsLetter(r):
			latin = true
		case r >= 0x370 && r < 0x530:
			other = true
			if _, ok := confusables[r]; !ok {
				unmapped = true
			}
		}
	}
	if !other || (!latin && unmapped) {
		return
	}
	for i, r := range w {
		if l, ok := confusables[r]; ok {
			w[i] = l
		}
	}
}

// leet maps digits and symbols to the letters they stand for.
var leet = [128]rune{'0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', '$': 's'}

// mapLeet reads digits and @ $ as letters in a word with at least as many
// letters as digits ("fr33", "h4x0r", "p@ss"), so numbers stay numbers. A leading @
// is a mention and a leading $ a price; both are dropped.
func mapLeet(w []rune) []rune {
	for len(w) > 0 && (w[0] == '@' || w[0] == '$') {
		w = w[1:]
	}
	letters, digits, mapped := 0, 0, 0
	for _, r := range w {
		if r < utf8.RuneSelf && leet[r] != 0 {
			mapped++
		}
		switch {
		case unicode.IsLetter(r):
			letters++
		case unicode.IsDigit(r):
			digits++
		}
	}
	if mapped == 0 {
		return w
	}
	if letters == 0 || letters < digits {
		// A number, or mostly one: keep the digits, drop stray @ and $.
		out := w[:0]
		for _, r := range w {
			if r != '@' && r != '$' {
				out = append(out, r)
			}
		}
		return out
	}
	for i, r := range w {
		if r < utf8.RuneSelf && leet[r] != 0 {
			w[i] = leet[r]
		}
	}
	return w
}
