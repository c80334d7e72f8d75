package console_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/chatdesk/chatdesk/internal/chat"
	"github.com/chatdesk/chatdesk/internal/console"
)

func TestParseLine(t *testing.T) {
	tests := []struct {
		line  string
		user  string
		roles chat.Roles
		text  string
	}{
		{"when do you stream?", "viewer", 0, "when do you stream?"},
		{"  hello  ", "viewer", 0, "hello"},
		{"ana: when do you stream?", "ana", 0, "when do you stream?"},
		{"Ana_99:   hi  ", "ana_99", 0, "hi"},
		{"@mod kim: !help", "kim", chat.RoleModerator, "!help"},
		{"@MOD kim: !help", "kim", chat.RoleModerator, "!help"},
		{"@vip x: y", "x", chat.RoleVIP, "y"},
		{"@sub lee: hi", "lee", chat.RoleSubscriber, "hi"},
		{"@broadcaster mira: welcome", "mira", chat.RoleBroadcaster | chat.RoleModerator, "welcome"},
		{"@streamer mira: welcome", "mira", chat.RoleBroadcaster | chat.RoleModerator, "welcome"},
		{"@mod !tickets", "mod", chat.RoleModerator, "!tickets"},
		// An @ in front of someone else's name is part of what was said.
		{"@bob what time is it there", "viewer", 0, "@bob what time is it there"},
		{"@bob: hi", "viewer", 0, "@bob: hi"},
		// A colon is not enough to make a user.
		{"http://x", "viewer", 0, "http://x"},
		{"see https://example.com/mira", "viewer", 0, "see https://example.com/mira"},
		{"time is 19:00", "viewer", 0, "time is 19:00"},
		{"what is it: a question?", "viewer", 0, "what is it: a question?"},
		{"abcdefghijklmnopqrstuvwxyz: twenty-six letters", "viewer", 0, "abcdefghijklmnopqrstuvwxyz: twenty-six letters"},
		{"小明: 什么时候开播", "viewer", 0, "小明: 什么时候开播"},
		{"ana:", "ana", 0, ""},
	}
	for _, tt := range tests {
		user, roles, text := console.ParseLine(tt.line)
		if user != tt.user || roles != tt.roles || text != tt.text {
			t.Errorf("ParseLine(%q) = %q, %q, %q; want %q, %q, %q", tt.line, user, roles, text, tt.user, tt.roles, tt.text)
		}
	}
}

// readAll runs c.Read to the end and returns the messages it sent.
func readAll(t *testing.T, ctx context.Context, c *console.Console) ([]chat.Message, error) {
	t.Helper()
	msgs := make(chan chat.Message)
	errc := make(chan error, 1)
	go func() { errc <- c.Read(ctx, msgs) }()
	var got []chat.Message
	for m := range msgs { // ends only when Read closes the channel
		got = append(got, m)
	}
	return got, <-errc
}

func TestReadStopsAtEOF(t *testing.T) {
	at := time.Date(2025, 3, 1, 19, 0, 0, 0, time.UTC)
	in := strings.NewReader("ana: when do you stream?\n\n   \n@mod kim: !help\nana:\nno newline at the end")
	c := console.New(in, io.Discard, "mira", "chatdesk")
	c.Now = func() time.Time { return at }
	got, err := readAll(t, context.Background(), c)
	if err != nil {
		t.Fatalf("Read = %v; want nil at the end of input", err)
	}
	want := []chat.Message{
		{User: "ana", Text: "when do you stream?"},
		{User: "kim", Roles: chat.RoleModerator, Text: "!help"},
		{User: "viewer", Text: "no newline at the end"},
	}
	if len(got) != len(want) {
		t.Fatalf("Read sent %d messages; want %d: %+v", len(got), len(want), got)
	}
	ids := map[string]bool{}
	for i, w := range want {
		g := got[i]
		if g.User != w.User || g.Roles != w.Roles || g.Text != w.Text {
			t.Errorf("message %d = %s %v %q; want %s %v %q", i+1, g.User, g.Roles, g.Text, w.User, w.Roles, w.Text)
		}
		if g.Channel != "mira" {
			t.Errorf("message %d channel = %q; want mira", i+1, g.Channel)
		}
		if !g.Time.Equal(at) {
			t.Errorf("message %d time = %v; want %v from Now", i+1, g.Time, at)
		}
		if g.ID == "" || ids[g.ID] {
			t.Errorf("message %d id = %q; want a unique, non-empty id", i+1, g.ID)
		}
		ids[g.ID] = true
	}
}

type failingReader struct{ err error }

func (f failingReader) Read([]byte) (int, error) { return 0, f.err }

func TestReadReportsReadError(t *testing.T) {
	boom := errors.New("disk on fire")
	c := console.New(io.MultiReader(strings.NewReader("ana: hi\n"), failingReader{boom}), io.Discard, "mira", "chatdesk")
	got, err := readAll(t, context.Background(), c)
	if !errors.Is(err, boom) {
		t.Errorf("Read = %v; want it to wrap %v", err, boom)
	}
	if len(got) != 1 {
		t.Errorf("Read sent %d messages before the error; want 1", len(got))
	}
}

func TestReadStopsWhenCancelled(t *testing.T) {
	// A pipe that never ends, like a terminal nobody types into.
	pr, pw := io.Pipe()
	t.Cleanup(func() { pw.Close() })
	c := console.New(pr, io.Discard, "mira", "chatdesk")
	ctx, cancel := context.WithCancel(context.Background())
	msgs := make(chan chat.Message)
	errc := make(chan error, 1)
	go func() { errc <- c.Read(ctx, msgs) }()

	go io.WriteString(pw, "ana: hi\n")
	if m := <-msgs; m.Text != "hi" {
		t.Fatalf("first message = %q; want hi", m.Text)
	}
	cancel()
	if err := <-errc; err != nil {
		t.Errorf("Read after cancel = %v; want nil", err)
	}
	if _, open := <-msgs; open {
		t.Error("message channel still open after Read returned; want it closed")
	}
}

func TestDeliver(t *testing.T) {
	long := strings.TrimSpace(strings.Repeat("word ", 250)) // 1249 characters
	zh := strings.Repeat("开播", 300)                         // 600 characters
	msg := chat.Message{ID: "m1", User: "ana", DisplayName: "Ana", Text: "?"}
	tests := []struct {
		name string
		d    chat.Decision
		want []string
	}{
		{
			name: "threaded reply",
			d:    chat.Decision{Action: chat.ActionAnswer, Replies: []chat.Reply{{Text: "Tue at 18:00", ParentID: "m1"}}},
			want: []string{"chatdesk ↪ @Ana: Tue at 18:00"},
		},
		{
			name: "a reply that names its viewer does not name them twice",
			d:    chat.Decision{Action: chat.ActionCommand, Replies: []chat.Reply{{Text: "@ana you asked “glue?” (#1): Tamiya cement — kim", ParentID: "m1"}}},
			want: []string{"chatdesk ↪ @ana you asked “glue?” (#1): Tamiya cement — kim"},
		},
		{
			name: "a reply that names someone else still shows whom it answers",
			d:    chat.Decision{Action: chat.ActionCommand, Replies: []chat.Reply{{Text: "@anabel is right", ParentID: "m1"}}},
			want: []string{"chatdesk ↪ @Ana: @anabel is right"},
		},
		{
			name: "unthreaded reply",
			d:    chat.Decision{Action: chat.ActionCommand, Replies: []chat.Reply{{Text: "hello chat"}}},
			want: []string{"chatdesk: hello chat"},
		},
		{
			name: "long reply is split at 500 characters",
			d:    chat.Decision{Action: chat.ActionAnswer, Replies: []chat.Reply{{Text: long, ParentID: "m1"}}},
			want: []string{
				"chatdesk ↪ @Ana: " + long[:499],
				"chatdesk ↪ @Ana: " + long[500:999],
				"chatdesk ↪ @Ana: " + long[1000:],
			},
		},
		{
			name: "long chinese reply is split by characters",
			d:    chat.Decision{Action: chat.ActionAnswer, Replies: []chat.Reply{{Text: zh, ParentID: "m1"}}},
			want: []string{
				"chatdesk ↪ @Ana: " + string([]rune(zh)[:500]),
				"chatdesk ↪ @Ana: " + string([]rune(zh)[500:]),
			},
		},
		{
			name: "reply cannot smuggle a second line",
			d:    chat.Decision{Action: chat.ActionAnswer, Replies: []chat.Reply{{Text: "one\r\ntwo", ParentID: "m1"}}},
			want: []string{"chatdesk ↪ @Ana: one two"},
		},
		{
			name: "penalty",
			d:    chat.Decision{Action: chat.ActionModerate, Rule: "links", Penalty: "delete"},
			want: []string{"chatdesk [delete Ana: links]"},
		},
		{
			name: "a suggestion leaves chat, naming nobody",
			d: chat.Decision{Action: chat.ActionCommand, Replies: []chat.Reply{{Text: "@Ana thanks — your suggestion is in the box, anonymously"}},
				Enforcements: []chat.Enforcement{{Kind: chat.PenaltyDelete, MessageID: "m1", Private: true}}},
			want: []string{"chatdesk: @Ana thanks — your suggestion is in the box, anonymously", "chatdesk [delete the message: suggestions stay private]"},
		},
		{
			name: "nothing to say",
			d:    chat.Decision{Action: chat.ActionAnswer, Note: "cooldown, already pointed"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			c := console.New(strings.NewReader(""), &out, "mira", "chatdesk")
			if err := c.Deliver(context.Background(), msg, tt.d); err != nil {
				t.Fatalf("Deliver = %v", err)
			}
			var got []string
			if s := strings.TrimSuffix(out.String(), "\n"); s != "" {
				got = strings.Split(s, "\n")
			}
			if len(got) != len(tt.want) {
				t.Fatalf("Deliver printed %d lines; want %d:\n%s", len(got), len(tt.want), out.String())
			}
			for i := range tt.want {
				if got[i] != tt.want[i] {
					t.Errorf("line %d = %q; want %q", i+1, got[i], tt.want[i])
				}
				_, part, _ := strings.Cut(got[i], ": ")
				if n := utf8.RuneCountInString(part); n > chat.MaxMessageRunes {
					t.Errorf("line %d carries %d characters; want at most %d", i+1, n, chat.MaxMessageRunes)
				}
			}
		})
	}
}

// TestDeliverConcurrent: lanes deliver at the same time; lines must not
// interleave (and -race must stay quiet).
func TestDeliverConcurrent(t *testing.T) {
	var out bytes.Buffer
	c := console.New(strings.NewReader(""), &out, "mira", "chatdesk")
	const n = 50
	done := make(chan struct{})
	for i := range n {
		go func() {
			defer func() { done <- struct{}{} }()
			msg := chat.Message{ID: "m", User: "u"}
			d := chat.Decision{Action: chat.ActionAnswer, Replies: []chat.Reply{{Text: strings.Repeat("x", i+1), ParentID: "m"}}}
			if err := c.Deliver(context.Background(), msg, d); err != nil {
				t.Error(err)
			}
		}()
	}
	for range n {
		<-done
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != n {
		t.Fatalf("got %d lines; want %d", len(lines), n)
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, "chatdesk ↪ @u: x") || strings.Trim(strings.TrimPrefix(l, "chatdesk ↪ @u: "), "x") != "" {
			t.Errorf("line %q is not one whole reply", l)
		}
	}
}

func TestDeliverShowsShadowDecisions(t *testing.T) {
	for _, tc := range []struct {
		shadow bool
		want   string
	}{
		{false, "chatdesk [delete bob: links]\n"},
		{true, "chatdesk [shadow: would delete bob: links]\n"},
	} {
		var out strings.Builder
		c := console.New(strings.NewReader(""), &out, "mira", "chatdesk")
		d := chat.Decision{Action: chat.ActionModerate, Rule: "links", Penalty: "delete", Shadow: tc.shadow}
		if err := c.Deliver(context.Background(), chat.Message{User: "bob"}, d); err != nil {
			t.Fatal(err)
		}
		if out.String() != tc.want {
			t.Errorf("shadow=%v: got %q; want %q", tc.shadow, out.String(), tc.want)
		}
	}
}

func TestReadGivesIDsThatDoNotRepeatAcrossRuns(t *testing.T) {
	ids := map[string]bool{}
	for run := 0; run < 2; run++ {
		at := time.Unix(int64(1000+run), 0)
		c := console.New(strings.NewReader("a\nb\n"), io.Discard, "mira", "chatdesk")
		c.Now = func() time.Time { return at }
		msgs := make(chan chat.Message, 4)
		if err := c.Read(context.Background(), msgs); err != nil {
			t.Fatal(err)
		}
		for m := range msgs {
			if ids[m.ID] {
				t.Errorf("id %q given twice", m.ID)
			}
			ids[m.ID] = true
		}
	}
	if len(ids) != 4 {
		t.Errorf("got %d distinct ids; want 4", len(ids))
	}
}

// A reply threaded under an earlier message is shown to that message's
// author, not to whoever spoke last.
func TestDeliverThreadsToTheParentsAuthor(t *testing.T) {
	var out strings.Builder
	c := console.New(strings.NewReader("ana: is the shop open?\n@mod kim: !answer 1 yes\n"), &out, "mira", "chatdesk")
	msgs := make(chan chat.Message, 4)
	if err := c.Read(context.Background(), msgs); err != nil {
		t.Fatal(err)
	}
	var got []chat.Message
	for m := range msgs {
		got = append(got, m)
	}
	if len(got) != 2 {
		t.Fatalf("read %d messages; want 2", len(got))
	}
	d := chat.Decision{Action: chat.ActionCommand, Replies: []chat.Reply{
		{Text: "yes", ParentID: got[0].ID},
		{Text: "delivered", ParentID: got[1].ID},
	}}
	if err := c.Deliver(context.Background(), got[1], d); err != nil {
		t.Fatal(err)
	}
	want := "chatdesk ↪ @ana: yes\nchatdesk ↪ @kim: delivered\n"
	if out.String() != want {
		t.Errorf("got %q; want %q", out.String(), want)
	}
}
