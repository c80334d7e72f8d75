package web

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/chatdesk/chatdesk/internal/chat"
	"github.com/chatdesk/chatdesk/internal/escalation"
)

// stores are the backends the desk runs on, as the conformance suite opens
// them: the embedded file and a real Redis.
func stores(t *testing.T) map[string]func(t *testing.T) escalation.Store {
	return map[string]func(t *testing.T) escalation.Store{
		"embedded": func(t *testing.T) escalation.Store {
			s, err := escalation.OpenBolt(filepath.Join(t.TempDir(), "chatdesk.db"), escalation.BoltOptions{NoSync: true})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		},
		"redis": func(t *testing.T) escalation.Store {
			addr := os.Getenv("CHATDESK_TEST_REDIS")
			if addr == "" {
				addr = "127.0.0.1:6379"
			}
			c := redis.NewClient(&redis.Options{Addr: addr, DialTimeout: time.Second, MaxRetries: -1})
			ctx := context.Background()
			if err := c.Ping(ctx).Err(); err != nil {
				c.Close()
				if os.Getenv("CI") == "true" {
					t.Fatalf("no Redis at %s (CHATDESK_TEST_REDIS): %v; CI must provide one", addr, err)
				}
				t.Skipf("no Redis at %s (set CHATDESK_TEST_REDIS): %v", addr, err)
			}
			prefix := fmt.Sprintf("chatdesk-test:web-%d:", time.Now().UnixNano())
			s, err := escalation.OpenRedis(ctx, c, escalation.RedisOptions{Prefix: prefix})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				clean := redis.NewClient(&redis.Options{Addr: addr})
				defer clean.Close()
				if keys, _ := clean.Keys(ctx, prefix+"*").Result(); len(keys) > 0 {
					clean.Del(ctx, keys...)
				}
				s.Close()
			})
			return s
		},
	}
}

// stream is one open desk's event stream.
type stream struct {
	events chan string
}

func openStream(t *testing.T, base string, b *browser, channel string) *stream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/desk/"+channel+"/events", nil)
	for _, c := range b.cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("events: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	s := &stream{events: make(chan string, 16)}
	go func() {
		defer res.Body.Close()
		sc := bufio.NewScanner(res.Body)
		for sc.Scan() {
			if ev, ok := strings.CutPrefix(sc.Text(), "event: "); ok {
				s.events <- ev
			}
		}
	}()
	return s
}

// next waits for the stream's next event, up to the second the desk
// promises.
func (s *stream) next(t *testing.T, what string) {
	t.Helper()
	select {
	case ev := <-s.events:
		if ev != "changed" {
			t.Fatalf("%s: event %q", what, ev)
		}
	case <-time.After(time.Second):
		t.Fatalf("%s: no update within 1s", what)
	}
}

// TestLiveUpdatesReachTwoDesks: two moderators have the desk open; a
// change from chat, from the other desk and from a viewer's suggestion
// reaches both, on either store.
func TestLiveUpdatesReachTwoDesks(t *testing.T) {
	for name, open := range stores(t) {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, open(t), func(s *setup) { s.Poll = 20 * time.Millisecond })
			srv := httptest.NewServer(f.h)
			defer srv.Close()
			ctx, cancel := context.WithCancel(context.Background())
			runDone := make(chan error, 1)
			go func() { runDone <- f.srv.Run(ctx) }()
			defer func() { cancel(); <-runDone }()

			n := f.ask("mira", "ana", "when is the next collab?")
			kim := f.signedIn(Identity{User: "kim", Roles: map[string]Role{"mira": RoleModerator}})
			lea := f.signedIn(Identity{User: "lea", Roles: map[string]Role{"mira": RoleModerator}})
			desks := []*stream{openStream(t, srv.URL, kim, "mira"), openStream(t, srv.URL, lea, "mira")}
			for i, d := range desks {
				d.next(t, "desk "+strconv.Itoa(i)+" on open")
			}

			f.say("mira", "kim", chat.RoleModerator, "!claim "+strconv.FormatInt(n, 10))
			for i, d := range desks {
				d.next(t, "desk "+strconv.Itoa(i)+" after !claim in chat")
			}
			if p := lea.post("/desk/mira/tickets/"+strconv.FormatInt(n, 10)+"/answer", url.Values{"text": {"Friday"}}); p.status != http.StatusConflict {
				t.Fatalf("answer over kim's claim: %d", p.status)
			}
			p := kim.post("/desk/mira/tickets/"+strconv.FormatInt(n, 10)+"/answer", url.Values{"text": {"Friday"}})
			if p.status != http.StatusSeeOther {
				t.Fatalf("answer: %d\n%s", p.status, p.body)
			}
			for i, d := range desks {
				d.next(t, "desk "+strconv.Itoa(i)+" after an answer from the desk")
			}
			// The desk's own page shows the new state.
			if q := lea.get("/desk/mira/queue"); !strings.Contains(q.body, "Answer: Friday") {
				t.Errorf("queue after the answer:\n%s", q.body)
			}
			// A filing by another bot instance, straight into the store,
			// is found by the poll.
			f.file("mira", "bo", "is there a discord server for the community")
			for i, d := range desks {
				d.next(t, "desk "+strconv.Itoa(i)+" after a filing elsewhere")
			}
		})
	}
}

// TestDeskOnStores: the whole of a ticket's life from the desk, on either
// store.
func TestDeskOnStores(t *testing.T) {
	for name, open := range stores(t) {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, open(t))
			n := f.ask("mira", "ana", "when is the next collab?")
			num := strconv.FormatInt(n, 10)
			kim := f.signedIn(Identity{User: "kim", Roles: map[string]Role{"mira": RoleModerator}})
			lea := f.signedIn(Identity{User: "lea", Roles: map[string]Role{"mira": RoleModerator}})
			seen := rev(f.ticket("mira", n))
			if p := kim.post("/desk/mira/tickets/"+num+"/claim", url.Values{"rev": {seen}}); p.status != http.StatusSeeOther {
				t.Fatalf("claim: %d", p.status)
			}
			if p := lea.post("/desk/mira/tickets/"+num+"/claim", url.Values{"rev": {seen}}); p.status != http.StatusConflict {
				t.Fatalf("second claim on the same revision: %d", p.status)
			}
			for _, step := range []struct{ action, text, state string }{
				{"answer", "next Friday", "answered"}, {"resolve", "", "resolved"}, {"reopen", "", "new"}, {"dismiss", "asked twice", "dismissed"},
			} {
				form := url.Values{"rev": {rev(f.ticket("mira", n))}, "text": {step.text}}
				if p := kim.post("/desk/mira/tickets/"+num+"/"+step.action, form); p.status != http.StatusSeeOther {
					t.Fatalf("%s: %d\n%s", step.action, p.status, p.body)
				}
				if got := f.ticket("mira", n).State; string(got) != step.state {
					t.Fatalf("after %s: %s; want %s", step.action, got, step.state)
				}
			}
			if p := kim.post("/c/mira/suggest", url.Values{"text": {"more cozy streams"}, "nonce": {"1"}}); p.status != http.StatusSeeOther {
				t.Fatalf("suggest: %d", p.status)
			}
		})
	}
}
