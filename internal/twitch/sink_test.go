package twitch_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatdesk/chatdesk/internal/chat"
	"github.com/chatdesk/chatdesk/internal/twitch"
	"github.com/chatdesk/chatdesk/internal/twitch/twitchtest"
)

// nowhere is a Transport for tests that only look at moderation.
type nowhere struct {
	mu    sync.Mutex
	texts []string
}

func (n *nowhere) Post(_, _, text string) error {
	n.mu.Lock()
	n.texts = append(n.texts, text)
	n.mu.Unlock()
	return nil
}

// sinkRig is a Sink against a fake Helix, its queues worked until the test
// ends.
type sinkRig struct {
	sink   *twitch.Sink
	sender *chat.Sender
	fake   *twitchtest.Helix
	logs   *twitchtest.Log
}

func startSink(t *testing.T, channels ...string) *sinkRig {
	t.Helper()
	h, fake := newHelix(t, nil)
	logs := &twitchtest.Log{}
	ids := map[string]string{}
	for _, ch := range channels {
		ids[ch] = twitchtest.RoomID(ch)
	}
	sender := chat.NewSender(&nowhere{}, chat.SenderConfig{})
	s := twitch.NewSink(twitch.SinkConfig{Sender: sender, Helix: h, ChannelIDs: ids, Log: slog.New(slog.NewTextHandler(logs, nil))})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return &sinkRig{sink: s, sender: sender, fake: fake, logs: logs}
}

// viewerMsg is a chat message from viewer "troll" (user id 42) in #mira.
var viewerMsg = chat.Message{ID: "msg-1", Channel: "mira", ChannelID: twitchtest.RoomID("mira"), UserID: "42", User: "troll", Text: "buy followers at spam.example"}

func moderate(es ...chat.Enforcement) chat.Decision {
	return chat.Decision{Action: chat.ActionModerate, Rule: "links", Enforcements: es}
}

func TestSinkEnforcements(t *testing.T) {
	mira := twitchtest.RoomID("mira")
	tests := []struct {
		name   string
		e      chat.Enforcement
		method string
		path   string
		query  map[string]string
		body   string
	}{
		{"delete", chat.Enforcement{Kind: chat.PenaltyDelete, Reason: "links"},
			"DELETE", "/moderation/chat", map[string]string{"broadcaster_id": mira, "moderator_id": "bot-id", "message_id": "msg-1"}, ""},
		{"delete another message", chat.Enforcement{Kind: chat.PenaltyDelete, MessageID: "msg-0"},
			"DELETE", "/moderation/chat", map[string]string{"message_id": "msg-0"}, ""},
		{"timeout", chat.Enforcement{Kind: chat.PenaltyTimeout, Duration: 5 * time.Minute, Reason: "links (2nd time)"},
			"POST", "/moderation/bans", map[string]string{"broadcaster_id": mira, "moderator_id": "bot-id"}, `{"data":{"user_id":"42","duration":300,"reason":"links (2nd time)"}}`},
		{"timeout without a length", chat.Enforcement{Kind: chat.PenaltyTimeout, Reason: "x"},
			"POST", "/moderation/bans", nil, `{"data":{"user_id":"42","duration":600,"reason":"x"}}`},
		{"ban", chat.Enforcement{Kind: chat.PenaltyBan, Reason: "spam bot"},
			"POST", "/moderation/bans", nil, `{"data":{"user_id":"42","reason":"spam bot"}}`},
		{"warn", chat.Enforcement{Kind: chat.PenaltyWarn, Reason: "no links, please"},
			"POST", "/moderation/warnings", nil, `{"data":{"user_id":"42","reason":"no links, please"}}`},
		{"unban by user id", chat.Enforcement{Kind: chat.PenaltyUnban, UserID: "77"},
			"DELETE", "/moderation/bans", map[string]string{"user_id": "77"}, ""},
		{"unban by login", chat.Enforcement{Kind: chat.PenaltyUnban, User: "@Bob"},
			"DELETE", "/moderation/bans", map[string]string{"user_id": twitchtest.RoomID("bob")}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := startSink(t, "mira")
			if err := r.sink.Deliver(context.Background(), viewerMsg, moderate(tt.e)); err != nil {
				t.Fatal(err)
			}
			req := r.fake.WaitRequests(t, tt.path, 1)[0]
			if req.Method != tt.method {
				t.Errorf("method %s; want %s", req.Method, tt.method)
			}
			for k, v := range tt.query {
				if got := req.Query.Get(k); got != v {
					t.Errorf("query %s=%q; want %q", k, got, v)
				}
			}
			if tt.body != "" {
				var got, want any
				json.Unmarshal([]byte(req.Body), &got)
				json.Unmarshal([]byte(tt.body), &want)
				if g, _ := json.Marshal(got); string(g) != mustJSON(want) {
					t.Errorf("body %s; want %s", req.Body, tt.body)
				}
			}
		})
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestSinkShadowActsOnNothing(t *testing.T) {
	r := startSink(t, "mira")
	d := moderate(chat.Enforcement{Kind: chat.PenaltyBan, Reason: "trying a rule"})
	d.Shadow = true
	d.Replies = []chat.Reply{{Text: "you are banned", Priority: chat.PriorityModeration}}
	if err := r.sink.Deliver(context.Background(), viewerMsg, d); err != nil {
		t.Fatal(err)
	}
	// A real action afterwards, on the same queue, shows the shadow one
	// was never queued.
	r.sink.Deliver(context.Background(), viewerMsg, moderate(chat.Enforcement{Kind: chat.PenaltyDelete}))
	r.fake.WaitRequests(t, "/moderation/chat", 1)
	for _, req := range r.fake.Requests() {
		if req.Path == "/moderation/bans" {
			t.Errorf("a shadow ban reached Twitch: %+v", req)
		}
	}
	if st := r.sender.Stats(); st.Queued != 0 {
		t.Errorf("a shadow decision queued %d replies", st.Queued)
	}
	if !strings.Contains(r.logs.String(), "shadow decision") {
		t.Errorf("the shadow decision was not logged:\n%s", r.logs)
	}
}

// TestSinkSlowHelixBlocksNoLane: while Twitch sits on one channel's
// moderation call, Deliver returns at once and other channels are
// moderated.
func TestSinkSlowHelixBlocksNoLane(t *testing.T) {
	r := startSink(t, "mira", "sam")
	release := make(chan struct{})
	defer close(release)
	r.fake.Respond(func(req twitchtest.Request) (int, http.Header, string) {
		if req.Query.Get("broadcaster_id") == twitchtest.RoomID("mira") {
			<-release
		}
		return 0, nil, ""
	})
	for i := range 3 {
		start := time.Now()
		if err := r.sink.Deliver(context.Background(), viewerMsg, moderate(chat.Enforcement{Kind: chat.PenaltyDelete})); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("Deliver %d took %v while Twitch was slow", i, d)
		}
	}
	sam := viewerMsg
	sam.Channel, sam.ChannelID = "sam", twitchtest.RoomID("sam")
	r.sink.Deliver(context.Background(), sam, moderate(chat.Enforcement{Kind: chat.PenaltyBan, Reason: "spam"}))
	r.fake.WaitRequests(t, "/moderation/bans", 1)
}

// TestSinkRevokedTokenStopsModeration: a 401 for a token that cannot be
// renewed (no refresh token) stops moderation, loudly, and nothing more is
// asked of Twitch with that token.
func TestSinkRevokedTokenStopsModeration(t *testing.T) {
	r := startSink(t, "mira")
	r.fake.SetToken("someone-revoked-ours")
	r.sink.Deliver(context.Background(), viewerMsg, moderate(chat.Enforcement{Kind: chat.PenaltyTimeout, Duration: time.Minute}))
	waitFor(t, func() bool { return r.sink.Stats().Stopped })
	r.sink.Deliver(context.Background(), viewerMsg, moderate(chat.Enforcement{Kind: chat.PenaltyBan}))
	waitFor(t, func() bool { return r.sink.Stats().Dropped == 1 })
	if n := len(r.fake.WaitRequests(t, "/moderation/bans", 1)); n != 1 {
		t.Errorf("%d ban calls; want only the one refused", n)
	}
	if n := len(r.fake.WaitRequests(t, "/validate", 1)); n != 1 {
		t.Errorf("%d validations; want only the start-up one", n)
	}
	if strings.Count(r.logs.String(), "MODERATION STOPPED") != 1 {
		t.Errorf("no loud message:\n%s", r.logs)
	}
	if strings.Contains(r.logs.String(), testToken) {
		t.Errorf("the token appears in the log")
	}
}

// TestSinkMissingScope: a 401 for one action whose scope the token lacks
// turns that action off and leaves the others working.
func TestSinkMissingScope(t *testing.T) {
	r := startSink(t, "mira")
	r.fake.SetScopes("chat:read", "chat:edit", "moderator:manage:banned_users", "moderator:manage:chat_messages")
	r.fake.Respond(func(req twitchtest.Request) (int, http.Header, string) {
		if req.Path == "/moderation/warnings" {
			return http.StatusUnauthorized, nil, `{"error":"Unauthorized","status":401,"message":"Missing scope: moderator:manage:warnings"}`
		}
		return 0, nil, ""
	})
	r.sink.Deliver(context.Background(), viewerMsg, moderate(chat.Enforcement{Kind: chat.PenaltyWarn, Reason: "x"}))
	waitFor(t, func() bool { return len(r.sink.Stats().Disabled) == 1 })
	r.sink.Deliver(context.Background(), viewerMsg, moderate(chat.Enforcement{Kind: chat.PenaltyWarn, Reason: "y"}, chat.Enforcement{Kind: chat.PenaltyDelete}))
	r.fake.WaitRequests(t, "/moderation/chat", 1)
	if n := len(r.fake.WaitRequests(t, "/moderation/warnings", 1)); n != 1 {
		t.Errorf("%d warning calls; want 1, then none", n)
	}
	if st := r.sink.Stats(); st.Stopped || st.Disabled[0] != "warn" {
		t.Errorf("stats %+v; want warn disabled, moderation going on", st)
	}
	if !strings.Contains(r.logs.String(), "lacks the scope moderator:manage:warnings") {
		t.Errorf("no message naming the scope:\n%s", r.logs)
	}
}

func TestSinkRepliesGoToTheSender(t *testing.T) {
	r := startSink(t, "mira")
	d := chat.Decision{Action: chat.ActionAnswer, Replies: []chat.Reply{{Text: "one"}, {Text: "two"}}}
	if err := r.sink.Deliver(context.Background(), viewerMsg, d); err != nil {
		t.Fatal(err)
	}
	if st := r.sender.Stats(); st.Queued != 2 {
		t.Errorf("sender has %d queued; want 2", st.Queued)
	}
	r.sink.Close()
	if err := r.sink.Deliver(context.Background(), viewerMsg, moderate(chat.Enforcement{Kind: chat.PenaltyBan})); err == nil {
		t.Error("Deliver after Close queued moderation")
	}
}

// waitFor polls cond: the sink's workers need a moment to run.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for range 2000 {
		if cond() {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("condition not met within 10s")
}
