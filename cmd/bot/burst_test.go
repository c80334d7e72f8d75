package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatdesk/chatdesk/internal/chat"
	"github.com/chatdesk/chatdesk/internal/twitch/twitchtest"
)

// judged records what was decided about each message, by id.
type judged struct {
	mu  sync.Mutex
	by  map[string][]chat.Decision
	all chan struct{}
	n   int
}

func (j *judged) Observe(_ context.Context, msg chat.Message, d chat.Decision, _ time.Duration) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.by[msg.ID] = append(j.by[msg.ID], d)
	if len(j.by) == j.n && j.all != nil {
		close(j.all)
		j.all = nil
	}
}

// TestTwitchBurstEveryMessageJudged sends a burst of 2,000 chat lines into
// one channel in one go, one in ten banned spam from a viewer of its own:
// every line reaches a decision exactly once, and every spam line is
// moderated, however many the channel's lane had to shed.
func TestTwitchBurstEveryMessageJudged(t *testing.T) {
	const n = 2000
	all := make(chan struct{})
	j := &judged{by: map[string][]chat.Decision{}, all: all, n: n}
	b := startLive(t, liveOptions{logLevel: "info", observe: j, moderation: `moderation:
  rules:
    banned_terms: {terms: [buyfollowers]}`})
	b.irc.SetBadges("mira", "moderator/1")
	c := b.login(1)
	c.Sync()
	var lines []string
	spam := map[string]bool{}
	sent := time.Date(2025, 5, 1, 18, 0, 0, 0, time.UTC)
	for i := range n {
		id := fmt.Sprintf("burst-%04d", i)
		text, user := "when do you stream?", fmt.Sprintf("viewer%d", i%300)
		switch {
		case i%10 == 3:
			text, user = "cheap buyfollowers here", fmt.Sprintf("spammer%d", i)
			spam[id] = true
		case i%2 == 0:
			text = "KEKW that was close"
		}
		lines = append(lines, twitchtest.Chat{Channel: "mira", ID: id, User: user, Text: text, SentMillis: sent.Add(time.Duration(i) * time.Millisecond).UnixMilli()}.Line())
	}
	c.Send(strings.Join(lines, "\r\n"))
	select {
	case <-all:
	case <-time.After(60 * time.Second):
		j.mu.Lock()
		got := len(j.by)
		j.mu.Unlock()
		t.Fatalf("%d of %d messages reached a decision within 60s", got, n)
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	for id, ds := range j.by {
		if len(ds) != 1 {
			t.Errorf("%s decided %d times; want once", id, len(ds))
		}
		if spam[id] && (ds[0].Action != chat.ActionModerate || ds[0].Rule != "banned_terms") {
			t.Errorf("spam %s decided %+v; want moderated by banned_terms", id, ds[0])
		}
	}
	// How much was shed depends on the machine; say it, do not judge it.
	resp, err := http.Get(strings.TrimSuffix(b.healthURL(), "/healthz") + "/metrics")
	if err == nil {
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if m := regexp.MustCompile(`chatdesk_shed_messages_total\{channel="mira"\} (\d+)`).FindSubmatch(body); m != nil {
			t.Logf("%s of %d messages shed (moderated, not answered)", m[1], n)
		}
	}
}
