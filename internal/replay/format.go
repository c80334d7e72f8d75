// Package replay reads recorded chat for `bot replay` and writes the
// decisions the bot would have taken, one JSON object per message. It is
// the dry-run twin of the live Twitch source and sink: the messages it
// produces go through the same stages as live chat.
package replay

import (
	"fmt"
	"strings"
)

// Format names a way chat can be recorded in a file.
type Format string

// The formats replay understands. FormatAuto picks one of the others from
// the first line that is not blank.
const (
	FormatAuto Format = "auto"
	// FormatPlain is "user: text" per line, the easiest to write by hand.
	FormatPlain Format = "plain"
	// FormatJSONL is one JSON object per line with at least "user" and
	// "text"; labelled test sets add fields of their own, which are ignored.
	FormatJSONL Format = "jsonl"
	// FormatIRC is raw Twitch IRC as a logging client saw it, tags included.
	FormatIRC Format = "irc"
)

// ParseFormat reads a --format flag value. The empty string means auto, so
// an unset flag needs no special case.
func ParseFormat(s string) (Format, error) {
	switch f := Format(strings.ToLower(strings.TrimSpace(s))); f {
	case "", FormatAuto:
		return FormatAuto, nil
	case FormatPlain, FormatJSONL, FormatIRC:
		return f, nil
	}
	return "", fmt.Errorf("unknown chat format %q (want auto, plain, jsonl or irc)", s)
}

// Detect guesses the format of a file from its first non-blank line. It
// leans towards plain: a line only counts as IRC when it has the shape of
// a Twitch IRC message, so chat that happens to start with ":" or "@"
// (":) hi", "@streamer hello") is still read as plain text.
func Detect(line string) Format {
	line = strings.TrimPrefix(line, bom)
	line = strings.TrimSpace(line)
	switch {
	case strings.HasPrefix(line, "{"):
		return FormatJSONL
	case looksIRC(line):
		return FormatIRC
	}
	return FormatPlain
}

func looksIRC(line string) bool {
	if strings.HasPrefix(line, ":tmi") || line == "PING" || strings.HasPrefix(line, "PING ") {
		return true
	}
	rest := line
	if strings.HasPrefix(rest, "@") {
		tags, after, ok := strings.Cut(rest, " ")
		if !ok || !strings.Contains(tags, "=") {
			return false
		}
		rest = after
	}
	if strings.HasPrefix(rest, ":") {
		prefix, after, ok := strings.Cut(rest, " ")
		if !ok || len(prefix) < 2 {
			return false
		}
		rest = after
	} else if rest == line {
		// Without tags or a prefix only a bare PING (handled above) is
		// plausible; "JOIN us tonight" is chat.
		return false
	}
	cmd, _, _ := strings.Cut(rest, " ")
	return ircCommands[cmd] || isNumeric(cmd)
}

// ircCommands are the commands a Twitch chat log contains. Knowing them
// keeps ":D. OK then" from looking like IRC.
var ircCommands = map[string]bool{
	"PRIVMSG": true, "USERNOTICE": true, "NOTICE": true, "CLEARCHAT": true,
	"CLEARMSG": true, "ROOMSTATE": true, "USERSTATE": true, "GLOBALUSERSTATE": true,
	"JOIN": true, "PART": true, "PING": true, "PONG": true, "CAP": true,
	"WHISPER": true, "RECONNECT": true, "HOSTTARGET": true,
}

func isNumeric(s string) bool {
	return len(s) == 3 && '0' <= s[0] && s[0] <= '9' && '0' <= s[1] && s[1] <= '9' && '0' <= s[2] && s[2] <= '9'
}
