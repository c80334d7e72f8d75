package twitch_test

import (
	"reflect"
	"testing"
	"time"

	irc "github.com/gempir/go-twitch-irc/v4"

	"github.com/chatdesk/chatdesk/internal/chat"
	"github.com/chatdesk/chatdesk/internal/twitch"
)

// privmsg parses a raw IRC line the way the live client would.
func privmsg(t *testing.T, line string) irc.PrivateMessage {
	t.Helper()
	pm, ok := irc.ParseMessage(line).(*irc.PrivateMessage)
	if !ok {
		t.Fatalf("ParseMessage(%q) is not a PRIVMSG", line)
	}
	return *pm
}

func TestMessageFromPrivate(t *testing.T) {
	const (
		from = ":alice!alice@alice.tmi.twitch.tv PRIVMSG #streamer :"
		base = "id=m1;room-id=100;user-id=200;display-name=Alice;"
	)
	tests := []struct {
		name string
		line string
		want chat.Message
	}{
		{
			name: "plain viewer message",
			line: "@badge-info=;badges=;color=#FF0000;" + base + "first-msg=0;mod=0;tmi-sent-ts=1700000000123 " + from + "when do you stream?",
			want: chat.Message{
				ID: "m1", Channel: "streamer", ChannelID: "100", UserID: "200", User: "alice", DisplayName: "Alice",
				Text: "when do you stream?", Time: time.UnixMilli(1700000000123).UTC(),
			},
		},
		{
			name: "channel and login are lower-cased",
			line: "@" + base + "display-name=ALICE :ALICE!ALICE@alice.tmi.twitch.tv PRIVMSG #StreamER :hi",
			want: chat.Message{ID: "m1", Channel: "streamer", ChannelID: "100", UserID: "200", User: "alice", DisplayName: "ALICE", Text: "hi"},
		},
		{
			name: "broadcaster and subscriber badges",
			line: "@badges=broadcaster/1,subscriber/3012;" + base + " " + from + "hello",
			want: chat.Message{ID: "m1", Channel: "streamer", ChannelID: "100", UserID: "200", User: "alice", DisplayName: "Alice",
				Roles: chat.RoleBroadcaster | chat.RoleSubscriber, Text: "hello"},
		},
		{
			name: "moderator badge",
			line: "@badges=moderator/1;" + base + " " + from + "hello",
			want: chat.Message{ID: "m1", Channel: "streamer", ChannelID: "100", UserID: "200", User: "alice", DisplayName: "Alice",
				Roles: chat.RoleModerator, Text: "hello"},
		},
		{
			name: "lead moderator counts as moderator",
			line: "@badges=lead_moderator/1,founder/0;" + base + " " + from + "hello",
			want: chat.Message{ID: "m1", Channel: "streamer", ChannelID: "100", UserID: "200", User: "alice", DisplayName: "Alice",
				Roles: chat.RoleModerator | chat.RoleSubscriber, Text: "hello"},
		},
		{
			name: "vip with a subscriber badge keeps both",
			line: "@badges=vip/1,subscriber/6;" + base + " " + from + "hello",
			want: chat.Message{ID: "m1", Channel: "streamer", ChannelID: "100", UserID: "200", User: "alice", DisplayName: "Alice",
				Roles: chat.RoleVIP | chat.RoleSubscriber, Text: "hello"},
		},
		{
			name: "mod tag without badges",
			line: "@badges=;mod=1;" + base + " " + from + "hello",
			want: chat.Message{ID: "m1", Channel: "streamer", ChannelID: "100", UserID: "200", User: "alice", DisplayName: "Alice",
				Roles: chat.RoleModerator, Text: "hello"},
		},
		{
			name: "mod tag next to other badges",
			line: "@badges=subscriber/6,premium/1;mod=1;" + base + " " + from + "hello",
			want: chat.Message{ID: "m1", Channel: "streamer", ChannelID: "100", UserID: "200", User: "alice", DisplayName: "Alice",
				Roles: chat.RoleModerator | chat.RoleSubscriber, Text: "hello"},
		},
		{
			name: "badges that grant nothing",
			line: "@badges=turbo/1,glhf-pledge/1;mod=0;" + base + " " + from + "hello",
			want: chat.Message{ID: "m1", Channel: "streamer", ChannelID: "100", UserID: "200", User: "alice", DisplayName: "Alice", Text: "hello"},
		},
		{
			name: "first message",
			line: "@first-msg=1;" + base + " " + from + "hi all",
			want: chat.Message{ID: "m1", Channel: "streamer", ChannelID: "100", UserID: "200", User: "alice", DisplayName: "Alice",
				First: true, Text: "hi all"},
		},
		{
			name: "returning chatter",
			line: "@returning-chatter=1;first-msg=0;" + base + " " + from + "back again",
			want: chat.Message{ID: "m1", Channel: "streamer", ChannelID: "100", UserID: "200", User: "alice", DisplayName: "Alice",
				Returning: true, Text: "back again"},
		},
		{
			name: "action keeps its text and emote offsets",
			line: "@emotes=25:6-10;" + base + " " + from + "\x01ACTION waves Kappa\x01",
			want: chat.Message{ID: "m1", Channel: "streamer", ChannelID: "100", UserID: "200", User: "alice", DisplayName: "Alice",
				Text: "waves Kappa", Emotes: []chat.Emote{{ID: "25", Name: "Kappa", Start: 6, End: 11}}},
		},
		{
			name: "emotes come out sorted by position",
			line: "@emotes=25:0-4,12-16/1902:6-10;" + base + " " + from + "Kappa Keepo Kappa",
			want: chat.Message{ID: "m1", Channel: "streamer", ChannelID: "100", UserID: "200", User: "alice", DisplayName: "Alice",
				Text: "Kappa Keepo Kappa", Emotes: []chat.Emote{
					{ID: "25", Name: "Kappa", Start: 0, End: 5},
					{ID: "1902", Name: "Keepo", Start: 6, End: 11},
					{ID: "25", Name: "Kappa", Start: 12, End: 17},
				}},
		},
		{
			name: "emote offsets count runes, not bytes",
			line: "@emotes=25:7-11;" + base + " " + from + "héllo 🙂Kappa",
			want: chat.Message{ID: "m1", Channel: "streamer", ChannelID: "100", UserID: "200", User: "alice", DisplayName: "Alice",
				Text: "héllo 🙂Kappa", Emotes: []chat.Emote{{ID: "25", Name: "Kappa", Start: 7, End: 12}}},
		},
		{
			name: "emote running past the text is clamped, reversed and outside ones dropped",
			line: "@emotes=25:6-40,8-2,30-34;" + base + " " + from + "hello Kappa",
			want: chat.Message{ID: "m1", Channel: "streamer", ChannelID: "100", UserID: "200", User: "alice", DisplayName: "Alice",
				Text: "hello Kappa", Emotes: []chat.Emote{{ID: "25", Name: "Kappa", Start: 6, End: 11}}},
		},
		{
			name: "reply mention is stripped and emotes move with it",
			line: "@emotes=25:20-24/1902:1-5;reply-parent-display-name=Bob;reply-parent-msg-body=is\\sit\\slive?;" +
				"reply-parent-msg-id=p1;reply-parent-user-id=300;reply-parent-user-login=bob;" + base + " " + from + "@bob yes it is live Kappa",
			want: chat.Message{ID: "m1", Channel: "streamer", ChannelID: "100", UserID: "200", User: "alice", DisplayName: "Alice",
				Text: "yes it is live Kappa", Emotes: []chat.Emote{{ID: "25", Name: "Kappa", Start: 15, End: 20}},
				ReplyParentID: "p1", ReplyParentUser: "bob"},
		},
		{
			name: "reply mention written with the display name",
			line: "@reply-parent-display-name=BoB_99;reply-parent-msg-id=p1;reply-parent-user-login=bob_99;" + base + " " + from + "@BoB_99 thanks!",
			want: chat.Message{ID: "m1", Channel: "streamer", ChannelID: "100", UserID: "200", User: "alice", DisplayName: "Alice",
				Text: "thanks!", ReplyParentID: "p1", ReplyParentUser: "bob_99"},
		},
		{
			name: "reply with a localized display name",
			line: "@reply-parent-display-name=小明;reply-parent-msg-id=p1;reply-parent-user-login=xiaoming;emotes=25:7-11;" + base + " " + from + "@小明 你好 Kappa",
			want: chat.Message{ID: "m1", Channel: "streamer", ChannelID: "100", UserID: "200", User: "alice", DisplayName: "Alice",
				Text: "你好 Kappa", Emotes: []chat.Emote{{ID: "25", Name: "Kappa", Start: 3, End: 8}},
				ReplyParentID: "p1", ReplyParentUser: "xiaoming"},
		},
		{
			name: "reply that does not start with the mention is left alone",
			line: "@reply-parent-display-name=Bob;reply-parent-msg-id=p1;reply-parent-user-login=bob;" + base + " " + from + "agree with @bob",
			want: chat.Message{ID: "m1", Channel: "streamer", ChannelID: "100", UserID: "200", User: "alice", DisplayName: "Alice",
				Text: "agree with @bob", ReplyParentID: "p1", ReplyParentUser: "bob"},
		},
		{
			name: "a longer name that only starts like the parent is not the mention",
			line: "@reply-parent-display-name=Bob;reply-parent-msg-id=p1;reply-parent-user-login=bob;" + base + " " + from + "@bobby hi",
			want: chat.Message{ID: "m1", Channel: "streamer", ChannelID: "100", UserID: "200", User: "alice", DisplayName: "Alice",
				Text: "@bobby hi", ReplyParentID: "p1", ReplyParentUser: "bob"},
		},
		{
			name: "reply that is only the mention keeps it",
			line: "@reply-parent-display-name=Bob;reply-parent-msg-id=p1;reply-parent-user-login=bob;" + base + " " + from + "@bob",
			want: chat.Message{ID: "m1", Channel: "streamer", ChannelID: "100", UserID: "200", User: "alice", DisplayName: "Alice",
				Text: "@bob", ReplyParentID: "p1", ReplyParentUser: "bob"},
		},
		{
			name: "emote inside the stripped mention is dropped",
			line: "@emotes=25:1-5;reply-parent-display-name=Kappa;reply-parent-msg-id=p1;reply-parent-user-login=kappa;" + base + " " + from + "@Kappa hi",
			want: chat.Message{ID: "m1", Channel: "streamer", ChannelID: "100", UserID: "200", User: "alice", DisplayName: "Alice",
				Text: "hi", ReplyParentID: "p1", ReplyParentUser: "kappa"},
		},
		{
			name: "shared chat from another room",
			line: "@source-id=s1;source-room-id=999;source-badges=moderator/1;" + base + " " + from + "hi from next door",
			want: chat.Message{ID: "m1", Channel: "streamer", ChannelID: "100", UserID: "200", User: "alice", DisplayName: "Alice",
				Text: "hi from next door", SourceChannelID: "999"},
		},
		{
			name: "shared chat from this room",
			line: "@source-id=m1;source-room-id=100;" + base + " " + from + "hi",
			want: chat.Message{ID: "m1", Channel: "streamer", ChannelID: "100", UserID: "200", User: "alice", DisplayName: "Alice", Text: "hi"},
		},
		{
			name: "unreadable timestamp is unknown, not 1970",
			line: "@tmi-sent-ts=soon;" + base + " " + from + "hi",
			want: chat.Message{ID: "m1", Channel: "streamer", ChannelID: "100", UserID: "200", User: "alice", DisplayName: "Alice", Text: "hi"},
		},
		{
			name: "no tags at all",
			line: from + "hi",
			want: chat.Message{Channel: "streamer", User: "alice", Text: "hi"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := twitch.MessageFromPrivate(privmsg(t, tt.line))
			if !got.Time.Equal(tt.want.Time) {
				t.Errorf("Time = %v; want %v", got.Time, tt.want.Time)
			}
			got.Time, tt.want.Time = time.Time{}, time.Time{}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("MessageFromPrivate(%q)\n got %+v\nwant %+v", tt.line, got, tt.want)
			}
		})
	}
}

func TestMessageFromPrivateEmoteSpansFitText(t *testing.T) {
	// Whatever the tags claim, a consumer must be able to slice Text with
	// the spans it gets.
	lines := []string{
		"@emotes=1:0-0,0-99,3-2,5-5;id=x :a!a@a PRIVMSG #c :ab",
		"@emotes=1:2-6;reply-parent-msg-id=p;reply-parent-user-login=b;id=x :a!a@a PRIVMSG #c :@b Kappa",
		"@emotes=1:0-3;id=x :a!a@a PRIVMSG #c :日本語です",
	}
	for _, line := range lines {
		msg := twitch.MessageFromPrivate(privmsg(t, line))
		runes := []rune(msg.Text)
		for _, e := range msg.Emotes {
			if e.Start < 0 || e.End > len(runes) || e.Start >= e.End {
				t.Errorf("%q: emote %+v does not fit %q", line, e, msg.Text)
				continue
			}
			if got := string(runes[e.Start:e.End]); got != e.Name {
				t.Errorf("%q: emote %+v covers %q", line, e, got)
			}
		}
	}
}

func TestBadgeRole(t *testing.T) {
	tests := []struct {
		badge string
		want  chat.Roles
	}{
		{"broadcaster", chat.RoleBroadcaster},
		{"moderator", chat.RoleModerator},
		{"lead_moderator", chat.RoleModerator},
		{"vip", chat.RoleVIP},
		{"subscriber", chat.RoleSubscriber},
		{"founder", chat.RoleSubscriber},
		{"turbo", 0},
		{"", 0},
	}
	for _, tt := range tests {
		if got := twitch.BadgeRole(tt.badge); got != tt.want {
			t.Errorf("BadgeRole(%q) = %v; want %v", tt.badge, got, tt.want)
		}
	}
}
