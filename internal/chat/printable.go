package chat

import (
	"strings"
	"unicode/utf8"
)

// Printable makes text that viewers wrote safe to print on a moderator's
// terminal (bot tickets list and show, bot report): a viewer's "!ask" must
// not be able to clear the screen, set the window title or hide part of a
// line with ESC, BEL or NUL, nor make "admin" read as "nimda" with a bidi
// override.
//
// Every C0 and C1 control character, DEL, bidirectional control (U+061C,
// U+200E, U+200F, U+202A–U+202E, U+2066–U+2069), the invisible U+200B,
// U+2060 and U+FEFF, and the line and paragraph separators U+2028/U+2029
// are written as a visible escape (\x1b, \u202e) rather than dropped: a
// moderator reading a ticket should see that something was hidden in it.
// Line breaks and tabs are escaped too, so a ticket's text cannot forge
// the lines printed after it. Invalid UTF-8 becomes U+FFFD. Text that
// needs none of this is returned as it is.
func Printable(s string) string {
	i := strings.IndexFunc(s, unprintable)
	if i < 0 && utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for _, r := range s {
		if !unprintable(r) {
			b.WriteRune(r) // an invalid byte arrives as utf8.RuneError and is written as U+FFFD
			continue
		}
		if r < 0x80 {
			b.WriteString(`\x`)
			writeHex(&b, uint32(r), 2)
		} else {
			b.WriteString(`\u`)
			writeHex(&b, uint32(r), 4)
		}
	}
	return b.String()
}

// unprintable reports the runes Printable escapes.
func unprintable(r rune) bool {
	return isControl(r) || isBidiControl(r) || isInvisible(r) || r == 0x2028 || r == 0x2029
}

// writeHex writes v as n lower-case hex digits.
func writeHex(b *strings.Builder, v uint32, n int) {
	const digits = "0123456789abcdef"
	for i := n - 1; i >= 0; i-- {
		b.WriteByte(digits[v>>(4*uint(i))&0xf])
	}
}
