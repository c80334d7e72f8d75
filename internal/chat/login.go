package chat

import (
	"strings"
	"unicode"
)

// MaxLoginLength is the longest Twitch login.
const MaxLoginLength = 25

// NormalizeLogin reads a user named in a moderator's command ("!permit
// @Bob", "!strikes bob") as the login Twitch knows: trimmed, without the
// leading '@', lower case, and without invisible characters (every Unicode
// format character, which includes the bidi controls and zero-width
// spaces, and control characters). ok is false when what is left is not a
// Twitch login: 1 to MaxLoginLength ASCII letters, digits or underscores.
//
// The invisible characters are dropped, not refused, because they are
// what makes "!permit \u202eadmin" dangerous: chat shows "admin", and a
// command that acted on the login with the character in it would tell the
// moderator "@admin may post links" while permitting nobody they know.
// Dropped, the command acts on the login the moderator saw.
func NormalizeLogin(arg string) (login string, ok bool) {
	s := strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Cf, r) || isControl(r) && !unicode.IsSpace(r) {
			return -1
		}
		return r
	}, arg)
	s = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(s), "@"))
	if len(s) == 0 || len(s) > MaxLoginLength {
		return s, false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return s, false
		}
	}
	return s, true
}
