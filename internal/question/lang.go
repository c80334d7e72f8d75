package question

import (
	"unicode"
	"unicode/utf8"
)

// Language codes the detector returns. Stages key per-language replies and
// thresholds by them, so a viewer is answered in the language they asked
// in; they are the same codes chat.Reading.Lang carries.
const (
	LangEnglish = "en"
	LangChinese = "zh"
)

// DetectLang says which language a chat line is written in: LangChinese when
// Han characters outweigh the Latin words around them, LangEnglish otherwise
// (including lines with no letters at all).
//
// Han characters are weighed against Latin words rather than Latin letters
// because a Chinese viewer often types product names in Latin script
// ("有没有discord", "请问pc配置"): one word should not outvote the sentence
// it sits in, while an English line that quotes one Chinese word ("what does
// 你好 mean") still has more words than characters. Tokens shaped like emotes
// (KEKW, PogChamp) are not counted, since both audiences use them.
func DetectLang(text string) string {
	han, latin := scriptCounts(text)
	if han > 0 && han >= latin {
		return LangChinese
	}
	return LangEnglish
}

// scriptCounts returns the number of Han characters in text and the number of
// Latin-script words that are not emote-shaped.
func scriptCounts(text string) (han, latinWords int) {
	var w latinWord
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case 'a' <= c && c <= 'z':
				w.letter(false)
			case 'A' <= c && c <= 'Z':
				w.letter(true)
			case '0' <= c && c <= '9' || c == '_':
				// Inside a word these join it; they never start one.
			case c == '\'' && i < len(text) && isWordByte(text[i]):
				// "what's" is one word, as the detector reads it.
			default:
				latinWords += w.end()
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		i += size
		switch {
		case isHan(r):
			latinWords += w.end()
			han++
		case unicode.Is(unicode.Latin, r):
			w.letter(unicode.IsUpper(r))
		case r == '\u2019':
			// A typographic apostrophe keeps "don’t" one word.
		default:
			latinWords += w.end()
		}
	}
	latinWords += w.end()
	return han, latinWords
}

// latinWord tracks the case pattern of the Latin word being read, so that
// emote-shaped words (all capitals, or a capital after a small letter) can
// be told from prose.
type latinWord struct {
	letters      int
	lower, upper bool
	camel        bool
}

func (w *latinWord) letter(upper bool) {
	w.letters++
	if upper {
		w.camel = w.camel || w.lower
		w.upper = true
	} else {
		w.lower = true
	}
}

// end closes the current word and returns 1 when it counts as prose.
func (w *latinWord) end() int {
	n := 0
	if w.letters > 0 && !w.camel && !(w.upper && !w.lower && w.letters > 1) {
		n = 1
	}
	*w = latinWord{}
	return n
}

// isHan reports whether r is a Han ideograph, testing the common blocks
// before falling back to the full Unicode table.
func isHan(r rune) bool {
	if r >= 0x4E00 && r <= 0x9FFF || r >= 0x3400 && r <= 0x4DBF {
		return true
	}
	if r < 0x2E80 {
		return false
	}
	return unicode.Is(unicode.Han, r)
}

// lang returns what DetectLang would say about the scanned text, from the
// counts the scan kept, when it can be sure of agreeing.
func (s *enScan) lang(text string) string {
	if s.exotic {
		return DetectLang(text)
	}
	if s.han > 0 && s.han >= s.latin {
		return LangChinese
	}
	return LangEnglish
}

// decodeRune is utf8.DecodeRuneInString with the three-byte sequences that
// carry Chinese decoded inline: the Chinese rules decode every character of
// a line more than once, and the general decoder is their largest cost. It
// returns what utf8.DecodeRuneInString would for any input.
func decodeRune(s string) (rune, int) {
	if len(s) >= 3 {
		b0, b1, b2 := s[0], s[1], s[2]
		if (b0 >= 0xe1 && b0 <= 0xec || b0 == 0xee || b0 == 0xef) &&
			b1&0xc0 == 0x80 && b2&0xc0 == 0x80 {
			return rune(b0&0x0f)<<12 | rune(b1&0x3f)<<6 | rune(b2&0x3f), 3
		}
	}
	return utf8.DecodeRuneInString(s)
}
