package answer

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/chatdesk/chatdesk/internal/chat"
)

// tipSink records the tips posted.
type tipSink struct {
	mu   sync.Mutex
	tips []string
	prio []chat.Priority
}

func (s *tipSink) Deliver(_ context.Context, msg chat.Message, d chat.Decision) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range d.Replies {
		s.tips = append(s.tips, msg.Channel+" "+d.FAQ+": "+r.Text)
		s.prio = append(s.prio, r.Priority)
	}
	return nil
}

func (s *tipSink) posted() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.tips...)
}

var tipEntries = []Entry{
	{ID: "socials", Answer: "@mira everywhere", Announce: 30 * time.Minute},
	{ID: "schedule", Answer: "Tue/Thu/Sat", Announce: 2 * time.Hour},
	{ID: "pc", Answer: "a potato"}, // never announced
}

// chatter sends n ordinary messages to the channel.
func chatter(t *Tips, n int) {
	for i := range n {
		t.Observe(context.Background(), chat.Message{Channel: "mira", User: fmt.Sprintf("v%d", i)}, chat.Decision{Action: chat.ActionIgnore}, 0)
	}
}

// ask is a viewer asking an entry's question and being answered.
func ask(t *Tips, user, entry string) {
	t.Observe(context.Background(), chat.Message{Channel: "mira", User: user},
		chat.Decision{Action: chat.ActionAnswer, FAQ: entry, Question: true, Replies: []chat.Reply{{Text: "x"}}}, 0)
}

// runTips starts t's loop in the bubble and returns what it posts and a
// stop function that waits for the loop to end.
func runTips(t *testing.T, tips *Tips) (*tipSink, func()) {
	t.Helper()
	sink := &tipSink{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- tips.Run(ctx, sink) }()
	return sink, func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run = %v; want nil", err)
		}
	}
}

func newTestTips(set TipSettings) *Tips {
	return NewTips(TipsConfig{Channel: "mira", Entries: func() []Entry { return tipEntries }, Settings: set})
}

func TestTipsWaitForActiveChat(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tips := newTestTips(TipSettings{MinMessages: 5})
		sink, stop := runTips(t, tips)
		defer stop()

		chatter(tips, 4)
		time.Sleep(time.Hour) // fake time: the bubble's clock
		synctest.Wait()
		if got := sink.posted(); len(got) != 0 {
			t.Fatalf("tips in a quiet chat: %v; want none", got)
		}
		chatter(tips, 1)
		time.Sleep(DefaultTipEvery)
		synctest.Wait()
		got := sink.posted()
		if len(got) != 1 || got[0] != "mira socials: @mira everywhere" {
			t.Fatalf("tips = %v; want the socials tip once chat is active", got)
		}
		if sink.prio[0] != chat.PriorityTip {
			t.Errorf("priority = %v; want PriorityTip", sink.prio[0])
		}
	})
}

func TestTipsAtMostEveryAnnounce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tips := newTestTips(TipSettings{MinMessages: 1, TrendingViewers: -1})
		sink, stop := runTips(t, tips)
		defer stop()

		// Busy chat for three hours: a message every 10 seconds.
		for range 3 * 360 {
			chatter(tips, 1)
			time.Sleep(10 * time.Second)
		}
		synctest.Wait()
		count := map[string]int{}
		for _, p := range sink.posted() {
			count[p]++
		}
		// socials every 30m over 3h; schedule every 2h; pc never.
		if n := count["mira socials: @mira everywhere"]; n < 5 || n > 7 {
			t.Errorf("socials posted %d times in 3h; want about 6 (every 30m)", n)
		}
		if n := count["mira schedule: Tue/Thu/Sat"]; n < 1 || n > 2 {
			t.Errorf("schedule posted %d times in 3h; want 1 or 2 (every 2h)", n)
		}
		if n := count["mira pc: a potato"]; n != 0 {
			t.Errorf("pc posted %d times; it has no announce", n)
		}
	})
}

func TestTipsAnsweredCountsAsShown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tips := newTestTips(TipSettings{MinMessages: 1, TrendingViewers: -1})
		tips.entries = func() []Entry { return tipEntries[:1] }
		sink, stop := runTips(t, tips)
		defer stop()

		ask(tips, "ana", "socials")
		time.Sleep(20 * time.Minute)
		synctest.Wait()
		if got := sink.posted(); len(got) != 0 {
			t.Fatalf("tips = %v; want none 20m after the entry was answered (announce 30m)", got)
		}
		time.Sleep(11 * time.Minute)
		synctest.Wait()
		if got := sink.posted(); len(got) != 1 {
			t.Fatalf("tips = %v; want the socials tip 30m after it was last seen", got)
		}
	})
}

func TestTipsTrendingComesSooner(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tips := newTestTips(TipSettings{MinMessages: 3, TrendingViewers: 3, TrendingWithin: 10 * time.Minute})
		tips.entries = func() []Entry { return tipEntries[1:2] } // schedule, every 2h
		sink, stop := runTips(t, tips)
		defer stop()

		// Posted once; after that two hours must pass…
		chatter(tips, 3)
		time.Sleep(DefaultTipEvery)
		synctest.Wait()
		if got := sink.posted(); len(got) != 1 {
			t.Fatalf("tips = %v; want the first schedule tip", got)
		}
		// …unless three viewers ask within ten minutes; the same viewer
		// asking thrice is one viewer.
		time.Sleep(15 * time.Minute)
		ask(tips, "ana", "schedule")
		ask(tips, "ana", "schedule")
		ask(tips, "ana", "schedule")
		ask(tips, "bob", "schedule")
		time.Sleep(time.Minute)
		synctest.Wait()
		if got := sink.posted(); len(got) != 1 {
			t.Fatalf("tips = %v; want no tip after two viewers asked", got)
		}
		ask(tips, "cat", "schedule")
		time.Sleep(DefaultTipEvery)
		synctest.Wait()
		if got := sink.posted(); len(got) != 2 {
			t.Fatalf("tips = %v; want a second tip once three viewers asked", got)
		}
	})
}

func TestTipsOtherChannelIgnored(t *testing.T) {
	tips := newTestTips(TipSettings{MinMessages: 1})
	tips.Observe(context.Background(), chat.Message{Channel: "otto"}, chat.Decision{}, 0)
	if _, ok := tips.Due(); ok {
		t.Error("a message in another channel made a tip due")
	}
}

func TestParseAnnounce(t *testing.T) {
	entries, err := ParseFAQ("announce.yaml", []byte("entries:\n  - id: a\n    questions: [q]\n    answer: x\n    announce: 45m\n  - id: b\n    questions: [r]\n    answer: y\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := entries[0].Announce, 45*time.Minute; got != want {
		t.Errorf("announce = %v; want %v", got, want)
	}
	if got := entries[1].Announce; got != 0 {
		t.Errorf("no announce = %v; want 0", got)
	}
}
