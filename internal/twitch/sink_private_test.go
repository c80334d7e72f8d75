package twitch_test

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/chatdesk/chatdesk/internal/chat"
	"github.com/chatdesk/chatdesk/internal/twitch"
	"github.com/chatdesk/chatdesk/internal/twitch/twitchtest"
)

// TestSinkPrivateDeleteOnlyWhereModerator: a suggestion's delete goes to
// Twitch only where the bot is known to moderate, and its log names
// nobody; a penalty is tried as before.
func TestSinkPrivateDeleteOnlyWhereModerator(t *testing.T) {
	h, fake := newHelix(t, nil)
	logs := &twitchtest.Log{}
	ids := map[string]string{}
	for _, ch := range []string{"mira", "sam", "kai"} {
		ids[ch] = twitchtest.RoomID(ch)
	}
	// mira: a moderator; sam: not; kai: Twitch has not said.
	moderator := func(ch string) (bool, bool) { return ch == "mira", ch != "kai" }
	s := twitch.NewSink(twitch.SinkConfig{
		Sender: chat.NewSender(&nowhere{}, chat.SenderConfig{}), Helix: h, ChannelIDs: ids,
		Log: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})), Moderator: moderator,
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Run(ctx)
	}()
	stop := sync.OnceFunc(func() {
		cancel()
		<-done
	})
	defer stop()

	private := func(ch, id string) {
		msg := chat.Message{ID: id, Channel: ch, UserID: "4242", User: "zoe_secret", Text: "!suggest a charity stream"}
		d := chat.Decision{Action: chat.ActionCommand, Enforcements: []chat.Enforcement{{Kind: chat.PenaltyDelete, MessageID: id, Private: true, Reason: "kept private"}}}
		if err := s.Deliver(ctx, msg, d); err != nil {
			t.Fatal(err)
		}
	}
	private("sam", "sug-sam")
	private("kai", "sug-kai")
	private("mira", "sug-mira")
	// A penalty in sam is tried though the bot is no moderator there; it
	// queues behind where sam's suggestion would have.
	s.Deliver(ctx, chat.Message{ID: "pen-sam", Channel: "sam", UserID: "42", User: "troll"}, moderate(chat.Enforcement{Kind: chat.PenaltyDelete}))
	fake.WaitRequests(t, "/moderation/chat", 2)
	var got []string
	for _, r := range fake.Requests() {
		if r.Path == "/moderation/chat" {
			got = append(got, r.Method+" "+r.Query.Get("broadcaster_id")+" "+r.Query.Get("message_id"))
		}
	}
	want := map[string]bool{"DELETE " + ids["mira"] + " sug-mira": true, "DELETE " + ids["sam"] + " pen-sam": true}
	if len(got) != 2 || !want[got[0]] || !want[got[1]] {
		t.Errorf("deletes %q; want mira's suggestion and sam's penalty only", got)
	}
	stop() // the log is whole once Run has returned
	for _, l := range strings.Split(logs.String(), "\n") {
		if strings.Contains(l, "zoe_secret") || strings.Contains(l, "4242") {
			t.Errorf("a private action's log names the viewer: %s", l)
		}
	}
	if !strings.Contains(logs.String(), "private moderation skipped") {
		t.Errorf("log:\n%s\nwant the skipped suggestions said at debug level", logs)
	}
}
