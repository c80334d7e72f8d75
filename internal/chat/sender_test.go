package chat_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
	"unicode/utf8"

	"github.com/chatdesk/chatdesk/internal/chat"
)

// post is one message as the transport saw it, stamped with the (bubble's)
// time it was posted.
type post struct {
	at                      time.Time
	channel, parentID, text string
}

// wire is a Transport that records what it is given.
type wire struct {
	mu    sync.Mutex
	posts []post
}

func (w *wire) Post(channel, parentID, text string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.posts = append(w.posts, post{time.Now(), channel, parentID, text})
	return nil
}

func (w *wire) all() []post {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]post(nil), w.posts...)
}

// startSender runs a Sender with Twitch's limits inside the test's bubble
// and stops it when the test ends.
func startSender(t *testing.T, cfg chat.SenderConfig) (*chat.Sender, *wire) {
	t.Helper()
	w := &wire{}
	s := chat.NewSender(w, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = s.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return s, w
}

// maxInWindow is the most posts found in any window of length d.
func maxInWindow(posts []post, d time.Duration) (int, time.Time) {
	best, at := 0, time.Time{}
	for i := range posts {
		n := 0
		for j := i; j < len(posts) && posts[j].at.Sub(posts[i].at) < d; j++ {
			n++
		}
		if n > best {
			best, at = n, posts[i].at
		}
	}
	return best, at
}

// checkPacing fails the test if any channel got two posts less than gap apart.
func checkPacing(t *testing.T, posts []post, gap time.Duration) {
	t.Helper()
	last := map[string]time.Time{}
	for _, p := range posts {
		if l, ok := last[p.channel]; ok && p.at.Sub(l) < gap {
			t.Errorf("#%s: posts at %v and %v are %v apart; want at least %v", p.channel, l, p.at, p.at.Sub(l), gap)
		}
		last[p.channel] = p.at
	}
}

func TestSenderKeepsTheConnectionBudget(t *testing.T) {
	tests := []struct {
		name     string
		channels []string
		mod      bool
		limit    int
	}{
		{"one channel, not a moderator", []string{"a"}, false, 20},
		{"five channels, not a moderator", []string{"a", "b", "c", "d", "e"}, false, 20},
		{"three channels as moderator", []string{"a", "b", "c"}, true, 100},
		{"six channels as moderator", []string{"a", "b", "c", "d", "e", "f"}, true, 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s, w := startSender(t, chat.SenderConfig{})
				for _, ch := range tt.channels {
					s.SetModerator(ch, tt.mod)
				}
				const total = 150
				for i := range total {
					ch := tt.channels[i%len(tt.channels)]
					// Ticket answers never go stale, so all 150 must
					// get through, just not all at once.
					if err := s.Send(ch, chat.Reply{Text: fmt.Sprintf("ticket answer %d", i), Priority: chat.PriorityTicket}); err != nil {
						t.Fatalf("Send %d: %v", i, err)
					}
				}
				time.Sleep(20 * time.Minute)
				synctest.Wait()

				posts := w.all()
				if len(posts) != total {
					t.Fatalf("posted %d messages; want %d (stats %+v)", len(posts), total, s.Stats())
				}
				if n, at := maxInWindow(posts, 30*time.Second); n > tt.limit {
					t.Errorf("%d messages in the 30 s from %v; want at most %d", n, at, tt.limit)
				}
				checkPacing(t, posts, time.Second)
				// Each channel's messages keep their order.
				next := map[string]int{}
				for _, p := range posts {
					var i int
					fmt.Sscanf(p.text, "ticket answer %d", &i)
					if i < next[p.channel] {
						t.Errorf("#%s: %q posted after a later answer", p.channel, p.text)
					}
					next[p.channel] = i
				}
			})
		})
	}
}

// TestSenderUsesTheWholeBudget checks the limiter does not hold back more
// than it must: a non-moderator sends 20 messages, one a second, then waits
// for the window to roll over.
func TestSenderUsesTheWholeBudget(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		s, w := startSender(t, chat.SenderConfig{})
		for i := range 21 {
			s.Send("a", chat.Reply{Text: fmt.Sprint("msg ", i), Priority: chat.PriorityTicket})
		}
		time.Sleep(time.Minute)
		synctest.Wait()
		posts := w.all()
		if len(posts) != 21 {
			t.Fatalf("posted %d; want 21", len(posts))
		}
		for i, p := range posts[:20] {
			if got, want := p.at.Sub(start), time.Duration(i)*time.Second; got != want {
				t.Errorf("message %d posted at +%v; want +%v", i, got, want)
			}
		}
		if got, want := posts[20].at.Sub(start), 30*time.Second; got != want {
			t.Errorf("message 20 posted at +%v; want +%v, when the first leaves the window", got, want)
		}
	})
}

func TestSenderPriority(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, w := startSender(t, chat.SenderConfig{})
		// The first message takes the channel's slot; everything after it
		// waits a second, in priority order.
		s.Send("a", chat.Reply{Text: "first", Priority: chat.PriorityTicket})
		synctest.Wait()
		s.Send("a", chat.Reply{Text: "faq answer", Priority: chat.PriorityAnswer})
		s.Send("a", chat.Reply{Text: "ticket answer", Priority: chat.PriorityTicket})
		s.Send("a", chat.Reply{Text: "tip", Priority: chat.PriorityTip})
		s.Send("a", chat.Reply{Text: "moderation notice", Priority: chat.PriorityModeration})
		time.Sleep(10 * time.Second)
		synctest.Wait()
		var got []string
		for _, p := range w.all() {
			got = append(got, p.text)
		}
		want := []string{"first", "moderation notice", "ticket answer", "faq answer", "tip"}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("posted %q; want %q", got, want)
		}
	})
}

// TestSenderDropsStaleAnswers fills the budget with ticket answers, then
// asks a FAQ question: the answer cannot go out within a few seconds, so it
// is dropped, and never posted late.
func TestSenderDropsStaleAnswers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, w := startSender(t, chat.SenderConfig{})
		for i := range 20 {
			s.Send(fmt.Sprint("c", i), chat.Reply{Text: "ticket", Priority: chat.PriorityTicket})
		}
		synctest.Wait()
		s.Send("q", chat.Reply{Text: "faq answer", ParentID: "m1", Priority: chat.PriorityAnswer})
		queued := time.Now()
		time.Sleep(2 * time.Minute)
		synctest.Wait()
		for _, p := range w.all() {
			if p.text == "faq answer" {
				t.Errorf("FAQ answer posted %v after it was queued; want it dropped", p.at.Sub(queued))
			}
		}
		if st := s.Stats(); st.Stale != 1 || st.Queued != 0 {
			t.Errorf("stats %+v; want 1 stale, none queued", st)
		}
	})
}

func TestSenderAnswersWithinMaxAge(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, w := startSender(t, chat.SenderConfig{})
		queued := time.Now()
		// One channel: the 1-second pacing lets five answers through in
		// their five seconds; the rest go stale.
		for i := range 10 {
			s.Send("a", chat.Reply{Text: fmt.Sprint("answer ", i), Priority: chat.PriorityAnswer})
		}
		time.Sleep(time.Minute)
		synctest.Wait()
		posts := w.all()
		if len(posts) != 5 {
			t.Errorf("posted %d answers; want 5", len(posts))
		}
		for _, p := range posts {
			if age := p.at.Sub(queued); age >= 5*time.Second {
				t.Errorf("%q posted %v after it was asked; want under 5s", p.text, age)
			}
		}
	})
}

func TestSenderSplitsLongReplies(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, w := startSender(t, chat.SenderConfig{})
		var b strings.Builder
		for i := 0; b.Len() < 1300; i++ {
			fmt.Fprintf(&b, "w%03d ", i)
		}
		long := b.String()[:1199] + "!"
		s.Send("a", chat.Reply{Text: long, ParentID: "parent-1", Priority: chat.PriorityAnswer})
		time.Sleep(time.Minute)
		synctest.Wait()
		posts := w.all()
		if len(posts) != 3 {
			t.Fatalf("posted %d parts; want 3 (a part must not go stale once the first is out)", len(posts))
		}
		var joined []string
		for _, p := range posts {
			if n := utf8.RuneCountInString(p.text); n > chat.MaxMessageRunes {
				t.Errorf("part of %d runes; want at most %d", n, chat.MaxMessageRunes)
			}
			if p.parentID != "parent-1" {
				t.Errorf("part threaded under %q; want parent-1", p.parentID)
			}
			joined = append(joined, p.text)
		}
		if got := strings.Join(joined, " "); got != long {
			t.Errorf("parts joined = %q…; want the reply back", got[:40])
		}
	})
}

func TestSenderSanitises(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, w := startSender(t, chat.SenderConfig{})
		s.Send("a", chat.Reply{Text: "you said: hi\r\nPART #x", Priority: chat.PriorityTicket})
		s.Send("a", chat.Reply{Text: "/ban someone", Priority: chat.PriorityTicket})
		s.Send("a", chat.Reply{Text: " \r\n ", Priority: chat.PriorityTicket})
		time.Sleep(time.Minute)
		synctest.Wait()
		posts := w.all()
		if len(posts) != 2 {
			t.Fatalf("posted %d; want 2 (the blank reply sends nothing)", len(posts))
		}
		for _, p := range posts {
			if strings.ContainsAny(p.text, "\r\n") || p.text[0] == '/' || p.text[0] == '.' {
				t.Errorf("posted %q", p.text)
			}
		}
	})
}

func TestSenderDuplicateRule(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		s, w := startSender(t, chat.SenderConfig{})
		s.Send("a", chat.Reply{Text: "same text", Priority: chat.PriorityTicket})
		s.Send("a", chat.Reply{Text: "same text", Priority: chat.PriorityTicket})
		s.Send("b", chat.Reply{Text: "same text", Priority: chat.PriorityTicket})
		time.Sleep(time.Minute)
		synctest.Wait()
		got := map[string][]time.Duration{}
		for _, p := range w.all() {
			got[p.channel] = append(got[p.channel], p.at.Sub(start))
		}
		if want := []time.Duration{0, 30 * time.Second}; fmt.Sprint(got["a"]) != fmt.Sprint(want) {
			t.Errorf("#a posts at %v; want %v (a repeat waits 30 s)", got["a"], want)
		}
		if want := []time.Duration{0}; fmt.Sprint(got["b"]) != fmt.Sprint(want) {
			t.Errorf("#b posts at %v; want %v (the rule is per channel)", got["b"], want)
		}
	})
}

func TestSenderWaitsForReadyChannel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, w := startSender(t, chat.SenderConfig{})
		s.SetReady("a", false)
		s.Send("a", chat.Reply{Text: "ticket", Priority: chat.PriorityTicket})
		s.Send("a", chat.Reply{Text: "faq", Priority: chat.PriorityAnswer})
		time.Sleep(10 * time.Second)
		synctest.Wait()
		if n := len(w.all()); n != 0 {
			t.Fatalf("posted %d to a channel not joined; want 0", n)
		}
		s.SetReady("a", true)
		time.Sleep(10 * time.Second)
		synctest.Wait()
		posts := w.all()
		if len(posts) != 1 || posts[0].text != "ticket" {
			t.Errorf("posted %v; want the ticket answer only (the FAQ answer went stale)", posts)
		}
	})
}

func TestSenderRateLimitedPauses(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, w := startSender(t, chat.SenderConfig{})
		s.SetModerator("a", true)
		s.Send("a", chat.Reply{Text: "one", Priority: chat.PriorityTicket})
		synctest.Wait()
		notice := time.Now()
		s.RateLimited("a")
		s.Send("a", chat.Reply{Text: "two", Priority: chat.PriorityTicket})
		time.Sleep(time.Minute)
		synctest.Wait()
		posts := w.all()
		if len(posts) != 2 {
			t.Fatalf("posted %d; want 2", len(posts))
		}
		if got := posts[1].at.Sub(notice); got < 30*time.Second {
			t.Errorf("posted %v after a rate-limit notice; want a full window's pause", got)
		}
	})
}

func TestSenderSlowModeAndHold(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		s, w := startSender(t, chat.SenderConfig{})
		s.SetSlowMode("a", 10*time.Second)
		s.Hold("b", 20*time.Second)
		for i := range 2 {
			s.Send("a", chat.Reply{Text: fmt.Sprint("a", i), Priority: chat.PriorityTicket})
			s.Send("b", chat.Reply{Text: fmt.Sprint("b", i), Priority: chat.PriorityTicket})
		}
		time.Sleep(time.Minute)
		synctest.Wait()
		got := map[string][]time.Duration{}
		for _, p := range w.all() {
			got[p.channel] = append(got[p.channel], p.at.Sub(start))
		}
		if want := fmt.Sprint([]time.Duration{0, 10 * time.Second}); fmt.Sprint(got["a"]) != want {
			t.Errorf("#a (slow mode 10s) posts at %v; want %v", got["a"], want)
		}
		if want := fmt.Sprint([]time.Duration{20 * time.Second, 21 * time.Second}); fmt.Sprint(got["b"]) != want {
			t.Errorf("#b (held 20s) posts at %v; want %v", got["b"], want)
		}
	})
}

func TestSenderDiscard(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, w := startSender(t, chat.SenderConfig{})
		s.SetReady("banned", false)
		s.Send("banned", chat.Reply{Text: "x", Priority: chat.PriorityTicket})
		s.Discard("banned")
		time.Sleep(time.Minute)
		synctest.Wait()
		if st := s.Stats(); st.Queued != 0 || st.Unsendable != 1 || len(w.all()) != 0 {
			t.Errorf("stats %+v, %d posted; want the message dropped", st, len(w.all()))
		}
	})
}

// TestSenderCloseFlushes: after Close, Run posts what it still can and
// returns; Send refuses more.
func TestSenderCloseFlushes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := &wire{}
		s := chat.NewSender(w, chat.SenderConfig{})
		for i := range 3 {
			s.Send("a", chat.Reply{Text: fmt.Sprint("m", i), Priority: chat.PriorityTicket})
		}
		s.SetReady("gone", false)
		s.Send("gone", chat.Reply{Text: "never", Priority: chat.PriorityTicket})
		s.Close(0)
		if err := s.Send("a", chat.Reply{Text: "late"}); err != chat.ErrSenderClosed {
			t.Errorf("Send after Close = %v; want ErrSenderClosed", err)
		}
		start := time.Now()
		if err := s.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		if got := len(w.all()); got != 3 {
			t.Errorf("flushed %d; want 3", got)
		}
		if took := time.Since(start); took != 2*time.Second {
			t.Errorf("flush took %v; want 2s (three messages a second apart)", took)
		}
	})
}

func TestSenderCloseStopsAtDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := &wire{}
		s := chat.NewSender(w, chat.SenderConfig{})
		for i := range 30 {
			s.Send("a", chat.Reply{Text: fmt.Sprint("m", i), Priority: chat.PriorityTicket})
		}
		s.Close(5 * time.Second)
		start := time.Now()
		s.Run(context.Background())
		if took := time.Since(start); took != 5*time.Second {
			t.Errorf("Run returned after %v; want 5s, the flush deadline", took)
		}
		// At +0s … +4s; the one due at +5s is too late.
		if got := len(w.all()); got != 5 {
			t.Errorf("flushed %d; want 5 in 5 s", got)
		}
		if st := s.Stats(); st.Unsendable != 25 || st.Queued != 0 {
			t.Errorf("stats %+v; want the other 25 dropped", st)
		}
	})
}

func TestSenderQueueBound(t *testing.T) {
	s := chat.NewSender(&wire{}, chat.SenderConfig{QueueSize: 2})
	if err := s.Send("a", chat.Reply{Text: "one"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Send("a", chat.Reply{Text: strings.Repeat("x ", 300)}); err != chat.ErrQueueFull {
		t.Errorf("Send of two parts into one free slot = %v; want ErrQueueFull", err)
	}
}

// TestSenderKeepsPartsInOrder: a reply whose first two parts are the same
// text must wait out the duplicate rule rather than post its third part
// before its second.
func TestSenderKeepsPartsInOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, w := startSender(t, chat.SenderConfig{})
		part := strings.TrimSpace(strings.Repeat("same ", 100))
		s.Send("a", chat.Reply{Text: part + " " + part + " tail", Priority: chat.PriorityTicket})
		s.Send("a", chat.Reply{Text: "another reply", Priority: chat.PriorityTicket})
		time.Sleep(2 * time.Minute)
		synctest.Wait()
		var got []string
		for _, p := range w.all() {
			got = append(got, p.text[:min(len(p.text), 13)])
		}
		want := []string{"same same sam", "another reply", "same same sam", "tail"}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("posted %q; want %q", got, want)
		}
	})
}

func TestSenderWaitForReady(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, w := startSender(t, chat.SenderConfig{WaitForReady: true})
		s.Send("a", chat.Reply{Text: "ticket", Priority: chat.PriorityTicket})
		time.Sleep(time.Minute)
		synctest.Wait()
		if n := len(w.all()); n != 0 {
			t.Fatalf("posted %d before the channel was ready; want 0", n)
		}
		s.SetReady("a", true)
		synctest.Wait()
		if n := len(w.all()); n != 1 {
			t.Errorf("posted %d once ready; want 1", n)
		}
	})
}

func TestSenderCloseStopsWithContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := &wire{}
		s := chat.NewSender(w, chat.SenderConfig{})
		for i := range 30 {
			s.Send("a", chat.Reply{Text: fmt.Sprint("m", i), Priority: chat.PriorityTicket})
		}
		s.Close(0)
		ctx, cancel := context.WithTimeout(context.Background(), 2500*time.Millisecond)
		defer cancel()
		s.Run(ctx)
		if got := len(w.all()); got != 3 {
			t.Errorf("flushed %d; want 3 before the context ended", got)
		}
	})
}
