package chat

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxMessageRunes is the longest chat message Twitch accepts, counted in
// characters (runes), not bytes: a Chinese answer of 500 characters is
// 1 500 bytes and still fits.
const MaxMessageRunes = 500

// Sanitize makes text safe to post as one chat message, whoever wrote it:
// the streamer's FAQ, a moderator's answer, or a viewer's words quoted back.
//
//   - CR, LF and every other kind of white space become one space, so text
//     can never end the IRC line early and smuggle in a second command
//     ("\r\nPRIVMSG #chan :…").
//   - Other C0 and C1 control characters are dropped: chat shows nothing
//     for them, and some clients act on them.
//   - Bidirectional controls (U+061C, U+200E, U+200F, U+202A–U+202E,
//     U+2066–U+2069) are dropped, so a quoted message cannot reverse how
//     the bot's own words read. So are the invisible U+200B, U+2060 and
//     U+FEFF, which only serve to hide text from filters.
//   - Invalid UTF-8 becomes U+FFFD, which Twitch accepts.
//   - The result is trimmed and never starts with '/' or '.': chat reads
//     those as commands ("/ban x", ".timeout x") sent with the bot's own
//     moderator rights.
//
// Leading '/' and '.' are dropped rather than escaped. Twitch trims leading
// white space, and whether it keeps or strips a leading zero-width or
// look-alike character is outside our control, so anything we put in front
// might vanish and leave the command bare. Dropping cannot fail that way,
// and an FAQ answer loses nothing it needs. A message made only of them
// sanitises to "", which callers treat as nothing to send.
func Sanitize(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			space = true
			continue
		case isControl(r), isBidiControl(r), isInvisible(r):
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return trimCommandPrefix(b.String())
}

// isControl reports C0 and C1 control characters and DEL. White space among
// them is handled before this is asked.
func isControl(r rune) bool {
	return r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f
}

// isBidiControl reports the characters of Unicode's Bidi_Control property.
func isBidiControl(r rune) bool {
	switch {
	case r == 0x061c, r == 0x200e, r == 0x200f:
		return true
	case r >= 0x202a && r <= 0x202e:
		return true
	case r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

// isInvisible reports zero-width characters that carry no meaning in chat.
// The zero-width joiner is kept: emoji sequences need it.
func isInvisible(r rune) bool {
	return r == 0x200b || r == 0x2060 || r == 0xfeff
}

// trimCommandPrefix drops leading spaces, '/' and '.'.
func trimCommandPrefix(s string) string {
	for len(s) > 0 && (s[0] == '/' || s[0] == '.' || s[0] == ' ') {
		s = s[1:]
	}
	return s
}

// Split cuts s into chat messages of at most max runes each, breaking at a
// space when there is one and between runes otherwise (Chinese text has no
// spaces; a long URL has none either), never inside a UTF-8 sequence.
//
// Parts are trimmed and never empty. Runs of white space in s are read as
// one space and invalid UTF-8 as U+FFFD, so every part is valid UTF-8 with
// no line breaks. No part starts with '/' or '.': a break is moved so that
// the next part begins with something else, since a part is posted as a
// message of its own and would otherwise be read as a chat command. Only
// when there is no such place (s opens with them, or a run of them is longer
// than a message) are those characters dropped.
//
// Split expects text already passed through Sanitize; it does not drop
// control characters. A max below 1 means MaxMessageRunes.
func Split(s string, max int) []string {
	if max < 1 {
		max = MaxMessageRunes
	}
	t := normalizeSpace(s)
	var parts []string
	for {
		t = trimCommandPrefix(t)
		if t == "" {
			return parts
		}
		limit, fits := byteIndexAfter(t, max)
		if fits {
			return append(parts, t)
		}
		cut := breakAt(t, limit)
		parts = append(parts, strings.TrimRight(t[:cut], " "))
		t = t[cut:]
	}
}

// normalizeSpace turns every run of white space into one ' ', trims both
// ends and replaces invalid UTF-8 with U+FFFD. Text that needs none of that
// is returned as it is, without copying.
func normalizeSpace(s string) string {
	if isNormal(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// isNormal reports whether s is valid UTF-8 whose only white space is
// single ' ' between other characters.
func isNormal(s string) bool {
	prevSpace := true // a space at the start is not normal
	for _, r := range s {
		switch {
		case r == utf8.RuneError:
			return false // invalid, or a literal U+FFFD, which is harmless to rebuild
		case r == ' ':
			if prevSpace {
				return false
			}
			prevSpace = true
		case unicode.IsSpace(r):
			return false
		default:
			prevSpace = false
		}
	}
	return !prevSpace || s == ""
}

// byteIndexAfter returns the byte offset just past the first n runes of s,
// and whether s has no more than n runes.
func byteIndexAfter(s string, n int) (int, bool) {
	i := 0
	for count := 0; i < len(s); count++ {
		if count == n {
			return i, false
		}
		if s[i] < utf8.RuneSelf {
			i++
			continue
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return i, true
}

// breakAt picks where to end the part that must stop by t[:limit]. It
// prefers the last space whose next word does not start a command, then
// the last rune boundary where the next part would not start one, and only
// then limit itself. t starts with neither a space, '/' nor '.', so any
// cut above 0 leaves a non-empty part.
func breakAt(t string, limit int) int {
	opensCommand := func(j int) bool { return j < len(t) && (t[j] == '/' || t[j] == '.') }
	for j := limit; j > 0; j-- {
		if t[j] == ' ' && !opensCommand(j+1) {
			return j
		}
	}
	for j := limit; j > 0; j-- {
		if utf8.RuneStart(t[j]) && t[j] != ' ' && !opensCommand(j) {
			return j
		}
	}
	return limit
}
