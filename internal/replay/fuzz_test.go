package replay

import (
	"bytes"
	"reflect"
	"testing"
	"unicode/utf8"

	irc "github.com/gempir/go-twitch-irc/v4"

	"github.com/chatdesk/chatdesk/internal/chat"
	"github.com/chatdesk/chatdesk/internal/twitch"
)

// liveConversion converts a line the way the live source does, prefix and
// all, so the reader's shortcut around the prefix can be checked against it.
func liveConversion(line []byte) (msg chat.Message, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	pm, ok := irc.ParseMessage(text(line)).(*irc.PrivateMessage)
	if !ok {
		return chat.Message{}, false
	}
	return twitch.MessageFromPrivate(*pm), true
}

// FuzzParseLine feeds arbitrary bytes to a Reader in every format and
// checks what the rest of the bot relies on: no panic, records in line
// order pointing at non-blank lines, and each either an error or a
// message with a sender, an id and valid UTF-8. Plain and JSONL must also
// account for every non-blank line, since replay prints one decision per
// input message.
func FuzzParseLine(f *testing.F) {
	for _, seed := range []string{
		"alice: when do you stream?\nbare text\n\n",
		"\uFEFFbob: hi\r\n",
		"x\xffy: z\n",
		`{"user":"a","text":"b","badges":"moderator/1","first":true}` + "\n",
		`{"user":"a","text":"b","badges":["vip"],"time":1714590000123}`,
		`{"user":"a","text":"b","badges":{"broadcaster":1},"time":"2024-05-01T19:00:00Z"}`,
		`{"user":"a"}` + "\n[1]\n{\n",
		"@badges=moderator/1;id=abc;emotes=25:0-4 :nick!nick@nick.tmi.twitch.tv PRIVMSG #chan :Kappa hello\n",
		"@reply-parent-msg-id=p;reply-parent-user-login=bob :a!a@a PRIVMSG #c :@bob hi\n",
		"PING :tmi.twitch.tv\n:tmi.twitch.tv 001 bot :hi\n",
		// go-twitch-irc panics on each of these.
		"PRIVMSG\n",
		"@badges=moderator :a!a@a PRIVMSG #c :hi\n",
		"@emotes=25:5-2 :a!a@a PRIVMSG #c :hello world\n",
		"@emotes=25:0-0 :a!a@a PRIVMSG #c :\n",
		"@source-id=1;source-badges=vip :a!a@a PRIVMSG #c :hi\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := bytes.Split(data, []byte("\n"))
		// content is line n as the reader sees it.
		content := func(n int) []byte {
			l := lines[n-1]
			if n == 1 {
				l = bytes.TrimPrefix(l, []byte(bom))
			}
			return bytes.TrimSpace(l)
		}
		blank := func(n int) bool { return len(content(n)) == 0 }
		nonBlank := 0
		for n := 1; n <= len(lines); n++ {
			if !blank(n) {
				nonBlank++
			}
		}
		for _, format := range []Format{FormatAuto, FormatPlain, FormatJSONL, FormatIRC} {
			r := NewReader(bytes.NewReader(data), format, "chan")
			last, count := 0, 0
			for {
				rec, ok := r.Next()
				if !ok {
					break
				}
				count++
				if rec.Line <= last || rec.Line > len(lines) {
					t.Fatalf("%s: record at line %d after line %d, of %d lines", format, rec.Line, last, len(lines))
				}
				last = rec.Line
				if blank(rec.Line) {
					t.Fatalf("%s: record for blank line %d", format, rec.Line)
				}
				if rec.Msg.ID == "" || rec.Msg.Channel != "chan" {
					t.Fatalf("%s: line %d: id %q channel %q", format, rec.Line, rec.Msg.ID, rec.Msg.Channel)
				}
				if rec.Err != nil {
					continue
				}
				m := rec.Msg
				if m.User == "" || !utf8.ValidString(m.User) || !utf8.ValidString(m.Text) || !utf8.ValidString(m.DisplayName) {
					t.Fatalf("%s: line %d: bad message %+v", format, rec.Line, m)
				}
				if r.Format() == FormatIRC {
					live, ok := liveConversion(content(rec.Line))
					if !ok {
						t.Fatalf("line %d: reader took %q but the live conversion fails", rec.Line, content(rec.Line))
					}
					live.Channel = "chan"
					if live.ID == "" {
						live.ID = m.ID
					}
					if !reflect.DeepEqual(m, live) {
						t.Fatalf("line %d: reader made\n%+v\nlive conversion makes\n%+v", rec.Line, m, live)
					}
				}
				runes := utf8.RuneCountInString(m.Text)
				for _, e := range m.Emotes {
					if e.Start < 0 || e.Start >= e.End || e.End > runes {
						t.Fatalf("%s: line %d: emote %+v outside %q", format, rec.Line, e, m.Text)
					}
				}
			}
			if err := r.Err(); err != nil {
				t.Fatalf("%s: Err() = %v", format, err)
			}
			if (format == FormatPlain || format == FormatJSONL) && count != nonBlank {
				t.Fatalf("%s: %d records for %d non-blank lines", format, count, nonBlank)
			}
		}
	})
}
