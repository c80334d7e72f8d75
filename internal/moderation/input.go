package moderation

import (
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/chatdesk/chatdesk/internal/chat"
)

// Input is one message as rules see it: the message and what the engine
// worked out about it once, so that no rule has to again. Counts skip
// emotes: an emote name is a picture, not shouting or symbols.
type Input struct {
	Msg *chat.Message
	// Now is when the message was said: its own time, or the engine's
	// clock when it has none.
	Now time.Time
	// Norm is the normalised text (see Normalize); Words are the byte
	// spans of its words.
	Norm  []byte
	Words []Span

	// Runes is the length of the text in characters.
	Runes int
	// Letters and Upper count letters and capitals outside emotes, each
	// distinct word once, so "NO NO NO NO" is not a shout of eight
	// letters.
	Letters, Upper int
	// Symbols counts symbol characters outside emotes (Unicode's S
	// categories: box drawing, blocks, braille, math, currency) that are
	// not emoji. Letters of every script, digits, punctuation and emoji are
	// not symbols. Visible counts every character outside emotes that is
	// not a space.
	Symbols, Visible int
	// Emotes counts emotes, from Twitch's tags and known emote names;
	// Emoji counts emoji.
	Emotes, Emoji int
	// EmoteOnly is set when the text is nothing but emotes and emoji.
	EmoteOnly bool
	// MaxRun is the longest run of one letter, digit or symbol ("aaaaa"
	// is 5); punctuation and emoji do not count.
	MaxRun int
	// MaxWordRepeat is how often the most repeated word (not emote)
	// appears.
	MaxWordRepeat int
	// MaxMarks is the most combining marks stacked on one character.
	MaxMarks int

	// links found in the text; see Links and LinkHost.
	links *linkFinder
	// sc is the scanner that prepared the input, for what is worked out
	// only when a rule asks (proseWords).
	sc *scanner
	// hash identifies the normalised text, for duplicates and copypasta.
	hash uint64
	// user is the author's state; permitted is set while they hold a
	// !permit.
	user      *userState
	permitted bool
	recent    *recentRing
}

// Span is a byte range [Start, End).
type Span struct{ Start, End int }

// NumLinks is how many web addresses the text holds.
func (in *Input) NumLinks() int { return len(in.links.links) }

// LinkHost is the host of the i'th link, valid until Check returns.
func (in *Input) LinkHost(i int) []byte { return in.links.host(i) }

// LinkDisguised reports whether the i'th link was written to dodge a
// filter.
func (in *Input) LinkDisguised(i int) bool { return in.links.links[i].disguised }

// Permitted reports whether the author holds a !permit for links.
func (in *Input) Permitted() bool { return in.permitted }

// prose returns the normalised text with its links left out, and its
// words: what the message says, not where it points. Without links it is
// Norm and Words.
func (in *Input) prose() ([]byte, []Span) {
	if in.NumLinks() == 0 {
		return in.Norm, in.Words
	}
	sc := in.sc
	text := in.Msg.Text
	sc.prose = sc.prose[:0]
	at := 0
	for _, l := range sc.links.links {
		sc.prose = append(sc.prose, text[at:l.start]...)
		sc.prose = append(sc.prose, ' ')
		at = l.end
	}
	sc.prose = append(sc.prose, text[at:]...)
	sc.proseNorm = sc.norm.appendBytes(sc.proseNorm[:0], sc.prose)
	sc.proseWords = splitWords(sc.proseWords[:0], sc.proseNorm)
	return sc.proseNorm, sc.proseWords
}

// Word returns the i'th normalised word.
func (in *Input) Word(i int) []byte { return in.Norm[in.Words[i].Start:in.Words[i].End] }

// maxDistinct bounds the words whose repeats are tracked; messages are at
// most 500 characters, so this is rarely reached.
const maxDistinct = 96

// scanner holds the scratch space for preparing Inputs.
type scanner struct {
	norm    normalizer
	links   linkFinder
	normBuf []byte
	// prose is the text with its links blanked out, and proseNorm and
	// proseWords its normalised form.
	prose      []byte
	proseNorm  []byte
	proseWords []Span
	// feature and prevWord are the spam score's scratch.
	feature  [featureBuf]byte
	prevWord [featureBuf / 2]byte
	words    []Span
	seen     [maxDistinct]wordCount
}

type wordCount struct {
	hash  uint64
	count int
}

// prepare fills in from msg. emotes are the known emote names.
func (sc *scanner) prepare(in *Input, msg *chat.Message, now time.Time, emotes emoteNames) {
	*in = Input{Msg: msg, Now: now, links: &sc.links, sc: sc}
	text := msg.Text

	sc.normBuf = sc.norm.append(sc.normBuf[:0], text)
	in.Norm = sc.normBuf
	sc.words = splitWords(sc.words[:0], in.Norm)
	in.Words = sc.words
	in.hash = hashBytes(in.Norm)

	sc.links.find(text)
	sc.stats(in, text, msg.Emotes, emotes)
}

// splitWords appends the spans of the space-separated words of norm.
func splitWords(dst []Span, norm []byte) []Span {
	start := 0
	for i := 0; i <= len(norm); i++ {
		if i == len(norm) || norm[i] == ' ' {
			if i > start {
				dst = append(dst, Span{start, i})
			}
			start = i + 1
		}
	}
	return dst
}

// stats makes one pass over the raw text for the counts rules judge.
func (sc *scanner) stats(in *Input, text string, tagged []chat.Emote, emotes emoteNames) {
	nseen := 0
	runeIdx := 0
	var prev rune = -1
	run, marks := 0, 0
	nonEmote := 0
	for i := 0; i < len(text); {
		// Skip spaces.
		r, size := decode(text, i)
		if isSpace(r) {
			i += size
			runeIdx++
			prev, run, marks = r, 0, 0
			continue
		}
		// One word: up to the next space.
		ws, wr := i, runeIdx
		j, jr := i, runeIdx
		for j < len(text) {
			r2, s2 := decode(text, j)
			if isSpace(r2) {
				break
			}
			j += s2
			jr++
		}
		word := text[ws:j]
		i, runeIdx = j, jr
		if isTaggedEmote(tagged, wr, jr) || emotes.has(word) {
			in.Emotes++
			prev, run, marks = -1, 0, 0
			continue
		}
		h := hashString(word)
		distinct := true
		k := 0
		for ; k < nseen; k++ {
			if sc.seen[k].hash == h {
				sc.seen[k].count++
				distinct = false
				if sc.seen[k].count > in.MaxWordRepeat {
					in.MaxWordRepeat = sc.seen[k].count
				}
				break
			}
		}
		if distinct && nseen < maxDistinct {
			sc.seen[nseen] = wordCount{h, 1}
			nseen++
			if in.MaxWordRepeat < 1 {
				in.MaxWordRepeat = 1
			}
		}
		allEmoji := true
		for _, r := range word {
			switch {
			case unicode.IsLetter(r):
				allEmoji = false
				if distinct {
					in.Letters++
					if unicode.IsUpper(r) {
						in.Upper++
					}
				}
				in.Visible++
			case isMark(r):
				marks++
				if marks > in.MaxMarks {
					in.MaxMarks = marks
				}
				continue // a mark belongs to the character before it
			case isEmoji(r):
				if !isEmojiModifier(r) {
					in.Emoji++
					in.Visible++
				}
				// A row of one emoji is emote spam, not a repeated
				// character.
				marks, prev, run = 0, -1, 0
				continue
			case isInvisible(r):
				continue
			case unicode.IsSymbol(r):
				// Box drawing, blocks, braille, ۞: what ASCII art and
				// symbol walls are made of.
				allEmoji = false
				in.Symbols++
				in.Visible++
			case unicode.IsPunct(r):
				// "!!!!" and "????" are excitement, not symbols, and
				// not the repeated characters the repetition rule is
				// about either.
				allEmoji = false
				in.Visible++
				marks, prev, run = 0, -1, 0
				continue
			default:
				allEmoji = false
				in.Visible++
			}
			marks = 0
			if foldASCII(r) == prev {
				run++
			} else {
				prev, run = foldASCII(r), 1
			}
			if run > in.MaxRun {
				in.MaxRun = run
			}
		}
		if !allEmoji {
			nonEmote++
		}
	}
	in.Runes = runeIdx
	in.EmoteOnly = nonEmote == 0 && (in.Emotes > 0 || in.Emoji > 0)
}

func decode(s string, i int) (rune, int) {
	if s[i] < utf8.RuneSelf {
		return rune(s[i]), 1
	}
	return utf8.DecodeRuneInString(s[i:])
}

func isSpace(r rune) bool {
	if r < utf8.RuneSelf {
		return r == ' ' || r == '\t' || r == '\n' || r == '\r'
	}
	return unicode.IsSpace(r) || r == 0x2800 // braille blank, used to dodge Twitch's duplicate check
}

func isTaggedEmote(tagged []chat.Emote, start, end int) bool {
	for _, e := range tagged {
		if e.Start == start && e.End == end {
			return true
		}
	}
	return false
}

func isMark(r rune) bool {
	return r >= 0x300 && (unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r))
}

func isInvisible(r rune) bool {
	return r >= 0x80 && (unicode.Is(unicode.Cf, r) || r >= 0xFE00 && r <= 0xFE0F || unicode.IsControl(r))
}

// isEmoji reports characters chat shows as emoji. Box drawing, blocks
// and braille are not: they are what ASCII art is made of.
func isEmoji(r rune) bool {
	switch {
	case r < 0xA9:
		return false
	case r >= 0x1F000 && r <= 0x1FAFF:
		return true
	case r >= 0x2600 && r <= 0x27BF, r >= 0x2B00 && r <= 0x2BFF, r >= 0x2300 && r <= 0x23FF:
		return true
	}
	switch r {
	case 0xA9, 0xAE, 0x203C, 0x2049, 0x2122, 0x2139, 0x3030, 0x303D, 0x3297, 0x3299:
		return true
	}
	return false
}

// isEmojiModifier reports skin tones, which change the emoji before them.
func isEmojiModifier(r rune) bool { return r >= 0x1F3FB && r <= 0x1F3FF }

func foldASCII(r rune) rune {
	if 'A' <= r && r <= 'Z' {
		return r + 'a' - 'A'
	}
	return r
}

// FNV-1a, inlined so that hashing never allocates.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func hashBytes(b []byte) uint64 {
	h := uint64(fnvOffset)
	for _, c := range b {
		h ^= uint64(c)
		h *= fnvPrime
	}
	return h
}

func hashString(s string) uint64 {
	h := uint64(fnvOffset)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return h
}
