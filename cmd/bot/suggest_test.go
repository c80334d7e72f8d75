package main

import (
	"strings"
	"testing"
	"time"

	"github.com/chatdesk/chatdesk/internal/chat"
	"github.com/chatdesk/chatdesk/internal/twitch/twitchtest"
)

// TestSuggestionDecisionCarriesTheDelete: through a channel's pipeline, as
// the config builds it, a viewer's !suggest comes back with a private
// delete of that message (escalation.suggest_delete is on by default), and
// a channel that turns it off keeps the message.
func TestSuggestionDecisionCarriesTheDelete(t *testing.T) {
	chs, _ := testChannels(t, `channels:
  - name: mira
    faq: [FAQ]
  - name: other
    faq: [FAQ]
    escalation: {suggest_delete: false}
`)
	say := func(ch int, id string) chat.Decision {
		return chs[ch].Pipeline().Process(t.Context(), chat.Message{
			ID: id, Channel: chs[ch].Name(), User: "ana", UserID: "uid-ana", Text: "!suggest a charity stream in May", Time: newTestClock().t,
		})
	}
	d := say(0, "sug-1")
	want := chat.Enforcement{Kind: chat.PenaltyDelete, MessageID: "sug-1", Private: true, Reason: "a suggestion for the box, kept out of public chat"}
	if len(d.Enforcements) != 1 || d.Enforcements[0] != want {
		t.Errorf("#mira: enforcements %+v; want %+v", d.Enforcements, want)
	}
	if len(d.Replies) != 1 || d.Replies[0].ParentID != "" || d.Replies[0].Text != "@ana thanks — your suggestion is in the box, anonymously" {
		t.Errorf("#mira: replies %+v; want one, unthreaded, naming ana", d.Replies)
	}
	if d := say(1, "sug-2"); len(d.Enforcements) != 0 || len(d.Replies) != 1 || d.Replies[0].ParentID != "sug-2" {
		t.Errorf("#other (suggest_delete: false): %+v; want the message kept, the reply threaded", d)
	}
}

// TestTwitchSuggestionLeavesChat: on Twitch, where the bot moderates, a
// viewer's !suggest is filed, answered without a thread, and deleted
// through Helix: one DELETE, for that message, and no log line about it
// names the viewer.
func TestTwitchSuggestionLeavesChat(t *testing.T) {
	b := startLive(t, liveOptions{})
	b.irc.SetBadges("mira", "moderator/1")
	c := b.login(1)
	c.Say(twitchtest.Chat{Channel: "mira", ID: "sug-1", User: "zoe_secret", UserID: "4242", Text: "!suggest a charity stream in May"})
	if got, want := b.nextPrivmsg(c), "PRIVMSG #mira :@zoe_secret thanks — your suggestion is in the box, anonymously"; got != want {
		t.Errorf("bot sent %q; want %q", got, want)
	}
	req := b.helix.WaitRequests(t, "/moderation/chat", 1)[0]
	if req.Method != "DELETE" || req.Query.Get("message_id") != "sug-1" || req.Query.Get("broadcaster_id") != twitchtest.RoomID("mira") {
		t.Errorf("request %s %s?%s; want DELETE of sug-1 in #mira", req.Method, req.Path, req.Query.Encode())
	}
	// The request has reached the fake; stopping now would cut the call
	// short, so wait until the sink has heard back.
	for i := 0; i < 1000 && !strings.Contains(b.stderr.String(), "moderation carried out"); i++ {
		time.Sleep(5 * time.Millisecond)
	}
	if err := b.stop(); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range b.helix.Requests() {
		if r.Path == "/moderation/chat" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d deletes; want 1", n)
	}
	logged := false
	for _, l := range strings.Split(b.stderr.String(), "\n") {
		if strings.Contains(l, "moderation") && (strings.Contains(l, "zoe_secret") || strings.Contains(l, "4242")) {
			t.Errorf("a log line about the delete names the viewer: %s", l)
		}
		logged = logged || strings.Contains(l, "moderation carried out") && strings.Contains(l, "action=delete")
	}
	if !logged {
		t.Errorf("log:\n%s\nwant the delete logged, so the check above saw it", b.stderr)
	}
}

// TestTwitchSuggestionStaysWhereNotModerator: where the bot is no
// moderator, Twitch would refuse the delete, so it is not asked.
func TestTwitchSuggestionStaysWhereNotModerator(t *testing.T) {
	b := startLive(t, liveOptions{})
	c := b.login(1)
	c.Say(twitchtest.Chat{Channel: "mira", ID: "sug-1", User: "ana", Text: "!suggest a charity stream in May"})
	if got := b.nextPrivmsg(c); !strings.Contains(got, "your suggestion is in the box") {
		t.Errorf("bot sent %q; want the suggestion acknowledged", got)
	}
	if err := b.stop(); err != nil {
		t.Fatal(err)
	}
	for _, r := range b.helix.Requests() {
		if r.Path == "/moderation/chat" {
			t.Errorf("a delete where the bot is no moderator: %+v", r)
		}
	}
	if !strings.Contains(b.stderr.String(), "private moderation skipped") {
		t.Errorf("log:\n%s\nwant the skipped delete said at debug level", b.stderr)
	}
}
