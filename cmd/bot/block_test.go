package main

import (
	"strings"
	"testing"

	"github.com/chatdesk/chatdesk/internal/twitch/twitchtest"
)

// TestTwitchBlockThatWouldWipeChatIsRefused: on Twitch, where the bot
// moderates, a moderator's typo "!block //" (a regexp that matches every
// line) is refused in one chat message, and the honest chat after it is
// neither deleted nor punished: the viewer's question is answered and
// Helix is asked for nothing.
func TestTwitchBlockThatWouldWipeChatIsRefused(t *testing.T) {
	b := startLive(t, liveOptions{})
	b.irc.SetBadges("mira", "moderator/1")
	c := b.login(1)
	c.Say(twitchtest.Chat{Channel: "mira", ID: "blk-1", User: "kim", Badges: "moderator/1", Text: "!block //"})
	got := b.nextPrivmsg(c)
	if !strings.Contains(got, "@reply-parent-msg-id=blk-1 ") || !strings.Contains(got, "Can't block") {
		t.Fatalf("bot sent %q; want the block refused in a reply to kim", got)
	}
	if len([]rune(got[strings.Index(got, " :")+2:])) > 500 {
		t.Errorf("refusal is %d characters; want one chat message", len(got))
	}
	c.Say(twitchtest.Chat{Channel: "mira", ID: "q-1", User: "ana", UserID: "7", Text: "when do you stream?"})
	if got := b.nextPrivmsg(c); !strings.Contains(got, "@reply-parent-msg-id=q-1 ") || !strings.Contains(got, faqAnswer(t, "schedule")) {
		t.Errorf("bot sent %q; want ana's question answered, not removed", got)
	}
	if err := b.stop(); err != nil {
		t.Fatal(err)
	}
	for _, r := range b.helix.Requests() {
		if strings.HasPrefix(r.Path, "/moderation/") {
			t.Errorf("Helix was asked to moderate after a refused block: %s %s?%s", r.Method, r.Path, r.Query.Encode())
		}
	}
}
