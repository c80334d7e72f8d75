package replay_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/chatdesk/chatdesk/internal/chat"
	"github.com/chatdesk/chatdesk/internal/replay"
)

// want is what a test expects of one record. err is a substring of the
// record's error; empty means the line must read as a message.
type want struct {
	line    int
	user    string
	display string
	text    string
	roles   chat.Roles
	first   bool
	id      string
	time    time.Time
	err     string
}

func readAll(t *testing.T, r io.Reader, f replay.Format, channel string) []replay.Record {
	t.Helper()
	rd := replay.NewReader(r, f, channel)
	var recs []replay.Record
	for {
		rec, ok := rd.Next()
		if !ok {
			break
		}
		recs = append(recs, rec)
	}
	if err := rd.Err(); err != nil {
		t.Fatalf("Err() = %v; want nil", err)
	}
	return recs
}

func readFile(t *testing.T, name string, f replay.Format, channel string) []replay.Record {
	t.Helper()
	file, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	return readAll(t, file, f, channel)
}

// check compares records with wants. Messages must be in channel; failed
// records in failChannel, the channel the reader was given, since a line
// that could not be read names none.
func check(t *testing.T, got []replay.Record, wants []want, channel, failChannel string) {
	t.Helper()
	if len(got) != len(wants) {
		for _, r := range got {
			t.Logf("line %d: %q %q err=%v", r.Line, r.Msg.User, r.Msg.Text, r.Err)
		}
		t.Fatalf("got %d records; want %d", len(got), len(wants))
	}
	for i, w := range wants {
		r := got[i]
		if r.Line != w.line {
			t.Errorf("record %d: Line = %d; want %d", i, r.Line, w.line)
			continue
		}
		wantChannel := channel
		if w.err != "" {
			wantChannel = failChannel
		}
		if r.Msg.Channel != wantChannel {
			t.Errorf("line %d: Channel = %q; want %q", w.line, r.Msg.Channel, wantChannel)
		}
		wantID := w.id
		if wantID == "" {
			wantID = "replay-" + itoa(w.line)
		}
		if r.Msg.ID != wantID {
			t.Errorf("line %d: ID = %q; want %q", w.line, r.Msg.ID, wantID)
		}
		if w.err != "" {
			if r.Err == nil || !strings.Contains(r.Err.Error(), w.err) {
				t.Errorf("line %d: Err = %v; want one mentioning %q", w.line, r.Err, w.err)
			}
			continue
		}
		if r.Err != nil {
			t.Errorf("line %d: Err = %v; want nil", w.line, r.Err)
			continue
		}
		m := r.Msg
		if m.User != w.user || m.DisplayName != w.display || m.Text != w.text || m.Roles != w.roles || m.First != w.first {
			t.Errorf("line %d: got user=%q display=%q text=%q roles=%v first=%v\n"+
				"            want user=%q display=%q text=%q roles=%v first=%v",
				w.line, m.User, m.DisplayName, m.Text, m.Roles, m.First, w.user, w.display, w.text, w.roles, w.first)
		}
		if !m.Time.Equal(w.time) {
			t.Errorf("line %d: Time = %v; want %v", w.line, m.Time, w.time)
		}
	}
}

func itoa(n int) string {
	var b []byte
	for n >= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(append([]byte{byte('0' + n)}, b...))
}

func TestReadPlain(t *testing.T) {
	tests := []struct {
		file  string
		wants []want
	}{
		{"plain.txt", []want{
			{line: 1, user: "alice", display: "alice", text: "when do you stream?"},
			{line: 2, user: "bob_99", display: "Bob_99", text: "什么时候开播？"},
			{line: 4, user: "viewer", text: "just a question without a name"},
			{line: 5, user: "xx_gamer_xx", display: "xX_Gamer_Xx", text: "spaces around the text"},
			{line: 6, user: "note", display: "Note", text: "a word before a colon reads as a login"},
			{line: 7, user: "viewer", text: "abcdefghijklmnopqrstuvwxyz: twenty-six letters is not a login"},
			{line: 8, user: "viewer", text: "bad-name: a hyphen is not a login character"},
			{line: 9, user: "viewer", text: "carol:no space after the colon"},
			{line: 10, user: "dave", display: "dave", text: "👩‍👩‍👧 family, مرحبا, and e\u0301 with a combining accent"},
			{line: 11, user: "eve", display: "eve", text: "<3 & >_<"},
			{line: 13, user: "frank", display: "frank", text: "zero\u200bwidth and a\u202eright-to-left override"},
			{line: 14, user: "viewer", text: "@streamer: are you live?"},
			{line: 15, user: "viewer", text: ":) hi"},
			{line: 16, user: "mallory", display: "mallory", text: "broken \uFFFD bytes"},
			{line: 17, user: "gina", display: "gina", text: "no newline at the end"},
		}},
		{"crlf_bom.txt", []want{
			{line: 1, user: "alice", display: "alice", text: "first line after a BOM"},
			{line: 3, user: "bob", display: "bob", text: "windows line endings"},
			{line: 4, user: "viewer", text: "bare text with CRLF"},
		}},
		{"long.txt", []want{
			{line: 1, user: "longwinded", display: "longwinded", text: strings.Repeat("ä", 2500) + strings.Repeat("z", 2500)},
			{line: 2, user: "short", display: "short", text: "after the long one"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			check(t, readFile(t, tt.file, replay.FormatPlain, "streamer"), tt.wants, "streamer", "streamer")
		})
	}
}

func TestReadJSONL(t *testing.T) {
	wants := []want{
		{line: 1, user: "alice", display: "alice", text: "when do you stream?"},
		{line: 2, user: "modmike", display: "ModMike", text: "!tickets", roles: chat.RoleModerator | chat.RoleSubscriber},
		{line: 3, user: "vivi", display: "vivi", text: "hi chat", roles: chat.RoleVIP | chat.RoleSubscriber, first: true},
		{line: 4, user: "streamer", display: "streamer", text: "welcome all", roles: chat.RoleBroadcaster},
		{line: 5, user: "sam", display: "sam", text: "not a sub any more"},
		{line: 6, user: "zhang", display: "小张", text: "什么时候开播", id: "msg-7", time: time.Date(2024, 5, 1, 17, 0, 0, 0, time.UTC)},
		{line: 7, user: "stamp", display: "stamp", text: "a millisecond stamp", time: time.UnixMilli(1714590000123)},
		{line: 8, user: "viewer", text: "no user given"},
		{line: 10, err: "bad JSON"},
		{line: 11, err: `no "text"`},
		{line: 12, err: "badges"},
		{line: 13, err: `"first" is string`},
		{line: 14, err: "must be an object"},
		{line: 15, user: "eve", display: "eve", text: "<3 & </script>"},
		{line: 16, user: "odd", display: "odd", text: "lone \uFFFD surrogate, tab\tand   spaces"},
		{line: 17, user: "lead", display: "Lead", text: "lead mod", roles: chat.RoleModerator},
	}
	check(t, readFile(t, "chat.jsonl", replay.FormatJSONL, "streamer"), wants, "streamer", "streamer")
}

func TestReadJSONLTime(t *testing.T) {
	tests := []struct {
		raw  string
		want time.Time
		err  bool
	}{
		{`"2024-05-01T19:00:00Z"`, time.Date(2024, 5, 1, 19, 0, 0, 0, time.UTC), false},
		{`1714590000`, time.Unix(1714590000, 0), false},
		{`1714590000.5`, time.Unix(1714590000, 5e8), false},
		{`1714590000123`, time.UnixMilli(1714590000123), false},
		{`0`, time.Time{}, false},
		{`null`, time.Time{}, false},
		{`""`, time.Time{}, false},
		{`"yesterday"`, time.Time{}, true},
		{`true`, time.Time{}, true},
		{`1e300`, time.Time{}, true},
	}
	for _, tt := range tests {
		line := `{"user":"a","text":"b","time":` + tt.raw + "}\n"
		recs := readAll(t, strings.NewReader(line), replay.FormatJSONL, "c")
		if len(recs) != 1 {
			t.Fatalf("%s: got %d records; want 1", tt.raw, len(recs))
		}
		if got := recs[0]; (got.Err != nil) != tt.err || !got.Msg.Time.Equal(tt.want) {
			t.Errorf("time %s: got %v, err %v; want %v, error %v", tt.raw, got.Msg.Time, got.Err, tt.want, tt.err)
		}
	}
}

func TestReadIRC(t *testing.T) {
	wants := []want{
		{line: 3, user: "modmike", display: "ModMike", text: "!tickets", roles: chat.RoleModerator | chat.RoleSubscriber,
			id: "a1", time: time.UnixMilli(1714590000123)},
		{line: 5, user: "alice", display: "Alice", text: "Kappa when do you stream?", first: true, id: "a2", time: time.UnixMilli(1714590001000)},
		{line: 9, user: "bob", display: "Bob", text: "7pm CET Kappa", roles: chat.RoleVIP, id: "a3", time: time.UnixMilli(1714590004000)},
		{line: 10, user: "streamer", display: "Streamer", text: "waves at chat", roles: chat.RoleBroadcaster, id: "a4"},
		{line: 11, err: "PRIVMSG"},
		{line: 12, err: "PRIVMSG"},
		{line: 13, err: "PRIVMSG"},
		{line: 14, err: "no sender"},
		{line: 15, user: "xiaoming", display: "小明", text: "几点开播？ Kappa", id: "a7"},
		{line: 16, user: "zed", display: "Zed", text: "<3 & goodnight", id: "a8"},
	}
	t.Run("line's channel", func(t *testing.T) {
		check(t, readFile(t, "chat.irc", replay.FormatIRC, ""), wants, "streamer", "")
	})
	t.Run("given channel", func(t *testing.T) {
		check(t, readFile(t, "chat.irc", replay.FormatIRC, "#Other"), wants, "other", "other")
	})
	t.Run("emotes and reply", func(t *testing.T) {
		got := readFile(t, "chat.irc", replay.FormatIRC, "")
		byID := map[string]chat.Message{}
		for _, r := range got {
			byID[r.Msg.ID] = r.Msg
		}
		if m := byID["a3"]; m.ReplyParentID != "a2" || m.ReplyParentUser != "alice" ||
			!reflect.DeepEqual(m.Emotes, []chat.Emote{{ID: "25", Name: "Kappa", Start: 8, End: 13}}) {
			t.Errorf("reply a3 = %+v; want parent a2 by alice and Kappa at 8-13", m)
		}
		if m := byID["a7"]; !reflect.DeepEqual(m.Emotes, []chat.Emote{{ID: "25", Name: "Kappa", Start: 6, End: 11}}) {
			t.Errorf("a7 emotes = %+v; want Kappa at 6-11", m.Emotes)
		}
	})
}

func TestAutoMatchesExplicitFormat(t *testing.T) {
	tests := []struct {
		file string
		want replay.Format
	}{
		{"plain.txt", replay.FormatPlain},
		{"crlf_bom.txt", replay.FormatPlain},
		{"long.txt", replay.FormatPlain},
		{"chat.jsonl", replay.FormatJSONL},
		{"chat.irc", replay.FormatIRC},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			rd := replay.NewReader(bytes.NewReader(data), replay.FormatAuto, "streamer")
			var auto []replay.Record
			for rec, ok := rd.Next(); ok; rec, ok = rd.Next() {
				auto = append(auto, rec)
			}
			if rd.Format() != tt.want {
				t.Errorf("detected %q; want %q", rd.Format(), tt.want)
			}
			explicit := readAll(t, bytes.NewReader(data), tt.want, "streamer")
			if !reflect.DeepEqual(auto, explicit) {
				t.Errorf("auto-detected read differs from reading as %s", tt.want)
			}
		})
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		line string
		want replay.Format
	}{
		{`{"user":"a","text":"b"}`, replay.FormatJSONL},
		{"\uFEFF{\"user\":\"a\"}", replay.FormatJSONL},
		{`  {"user":"a"}`, replay.FormatJSONL},
		{"@badge-info=;badges=moderator/1;id=abc :nick!nick@nick.tmi.twitch.tv PRIVMSG #chan :hello", replay.FormatIRC},
		{":nick!nick@nick.tmi.twitch.tv PRIVMSG #chan :hello", replay.FormatIRC},
		{":tmi.twitch.tv 001 bot :Welcome, GLHF!", replay.FormatIRC},
		{":tmi.twitch.tv CAP * ACK :twitch.tv/tags", replay.FormatIRC},
		{"PING :tmi.twitch.tv", replay.FormatIRC},
		{"PING", replay.FormatIRC},
		{"@room-id=1 :tmi.twitch.tv ROOMSTATE #chan", replay.FormatIRC},
		{"alice: hi", replay.FormatPlain},
		{"just text", replay.FormatPlain},
		{"@streamer hello there", replay.FormatPlain},
		{"@streamer: PRIVMSG me later", replay.FormatPlain},
		{":) LOL", replay.FormatPlain},
		{":D. OK then", replay.FormatPlain},
		{"JOIN us tonight", replay.FormatPlain},
		{"PINGU is my favourite", replay.FormatPlain},
		{"", replay.FormatPlain},
	}
	for _, tt := range tests {
		if got := replay.Detect(tt.line); got != tt.want {
			t.Errorf("Detect(%q) = %q; want %q", tt.line, got, tt.want)
		}
	}
}

func TestParseFormat(t *testing.T) {
	tests := []struct {
		in   string
		want replay.Format
		err  bool
	}{
		{"", replay.FormatAuto, false},
		{"auto", replay.FormatAuto, false},
		{"plain", replay.FormatPlain, false},
		{"JSONL", replay.FormatJSONL, false},
		{" irc ", replay.FormatIRC, false},
		{"csv", "", true},
	}
	for _, tt := range tests {
		got, err := replay.ParseFormat(tt.in)
		if got != tt.want || (err != nil) != tt.err {
			t.Errorf("ParseFormat(%q) = %q, %v; want %q, error %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestLongLines(t *testing.T) {
	exact := "a: " + strings.Repeat("x", replay.MaxLine-3)
	tooLong := "b: " + strings.Repeat("y", replay.MaxLine)
	between := "c: " + strings.Repeat("z", 100<<10) // more than the read buffer, less than MaxLine
	input := exact + "\r\n" + tooLong + "\n" + between + "\nd: still reading\n" + tooLong
	got := readAll(t, strings.NewReader(input), replay.FormatPlain, "ch")
	if len(got) != 5 {
		t.Fatalf("got %d records; want 5", len(got))
	}
	for i, w := range []struct {
		user    string
		textLen int
		err     bool
	}{{"a", replay.MaxLine - 3, false}, {"", 0, true}, {"c", 100 << 10, false}, {"d", len("still reading"), false}, {"", 0, true}} {
		r := got[i]
		if r.Line != i+1 || (r.Err != nil) != w.err || r.Msg.User != w.user || len(r.Msg.Text) != w.textLen {
			t.Errorf("record %d: line %d user %q text %d bytes err %v; want line %d user %q text %d bytes error %v",
				i, r.Line, r.Msg.User, len(r.Msg.Text), r.Err, i+1, w.user, w.textLen, w.err)
		}
	}
}

func TestLongIRCLineThatIsNotChatIsSkipped(t *testing.T) {
	input := ":tmi.twitch.tv NOTICE #c :" + strings.Repeat("n", replay.MaxLine) + "\n:a!a@a.tmi.twitch.tv PRIVMSG #c :hi\n"
	got := readAll(t, strings.NewReader(input), replay.FormatIRC, "")
	if len(got) != 1 || got[0].Line != 2 || got[0].Err != nil || got[0].Msg.Text != "hi" {
		t.Errorf("got %+v; want only line 2 saying hi", got)
	}
}

func TestReaderCopesWithShortReads(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "chat.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	whole := readAll(t, bytes.NewReader(data), replay.FormatJSONL, "c")
	bytewise := readAll(t, iotest.OneByteReader(bytes.NewReader(data)), replay.FormatJSONL, "c")
	if !reflect.DeepEqual(whole, bytewise) {
		t.Error("reading one byte at a time gives different records")
	}
}

func TestReaderReportsIOErrors(t *testing.T) {
	boom := errors.New("disk on fire")
	r := io.MultiReader(strings.NewReader("a: one\nb: tw"), iotest.ErrReader(boom))
	rd := replay.NewReader(r, replay.FormatPlain, "c")
	rec, ok := rd.Next()
	if !ok || rec.Msg.Text != "one" {
		t.Fatalf("first record = %+v, %v; want text one", rec, ok)
	}
	if rec, ok := rd.Next(); ok {
		t.Errorf("got %+v after the I/O error; want nothing", rec)
	}
	if !errors.Is(rd.Err(), boom) {
		t.Errorf("Err() = %v; want %v", rd.Err(), boom)
	}
}

func TestEmptyInput(t *testing.T) {
	for _, in := range []string{"", "\n\n", "\uFEFF", "\uFEFF\r\n  \r\n"} {
		rd := replay.NewReader(strings.NewReader(in), replay.FormatAuto, "c")
		if rec, ok := rd.Next(); ok {
			t.Errorf("%q: got %+v; want no records", in, rec)
		}
		if rd.Format() != replay.FormatAuto {
			t.Errorf("%q: Format() = %q with nothing to detect from; want auto", in, rd.Format())
		}
	}
}
