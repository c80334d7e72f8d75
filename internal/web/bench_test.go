package web

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chatdesk/chatdesk/internal/answer"
	"github.com/chatdesk/chatdesk/internal/escalation"
	"github.com/chatdesk/chatdesk/internal/question"
)

// bigFAQ is a 200-entry FAQ in the shape streamers write: a few example
// questions and keywords an entry.
func bigFAQ(tb testing.TB) *answer.Responder {
	tb.Helper()
	things := []string{"schedule", "emotes", "discord", "merch", "tablet", "brushes", "camera", "mic", "game", "mods",
		"rules", "vods", "clips", "sub", "bits", "charity", "collab", "music", "keyboard", "chair"}
	asks := []string{"what %s do you use", "where can i get the %s", "how do i find the %s", "is the %s new", "can you share the %s",
		"why did you change the %s", "who made the %s", "when is the next %s", "how much was the %s", "do you recommend the %s"}
	var b strings.Builder
	b.WriteString("entries:\n")
	for i := range 200 {
		thing, ask := things[i%len(things)], asks[i/len(things)]
		fmt.Fprintf(&b, "  - id: e%03d\n    questions:\n", i)
		for j := range 3 {
			fmt.Fprintf(&b, "      - %s\n", fmt.Sprintf(asks[(i/len(things)+j)%len(asks)], thing)+[]string{"", "?", " please"}[j])
		}
		fmt.Fprintf(&b, "    keywords: [%s%d]\n    answer: \"answer %d about %s (%s)\"\n", thing, i, i, thing, ask)
	}
	entries, err := answer.ParseFAQ("bench.yaml", []byte(b.String()))
	if err != nil {
		tb.Fatal(err)
	}
	ix, err := answer.Build(entries)
	if err != nil {
		tb.Fatal(err)
	}
	det := question.Detector{Names: []string{"chatdesk", "mira"}}
	r := answer.NewResponder(ix, det, answer.Settings{}, nil, nil)
	tb.Cleanup(func() { r.Close() })
	return r
}

var benchQueries = []string{
	"what tablet do you use", "where can i get the merch?", "when is the next collab", "is the keyboard new",
	"how much was the chair", "who made the emotes", "do you have a discord", "what music is this",
	"something nobody ever asked about", "什么时候开播",
}

// BenchmarkKnowledgeBase is a search of a 200-entry FAQ: "lookup" is the
// chat matcher alone (the floor), "page" the whole knowledge-base page
// over it, rendered. Both report their p99.
//
//	go test -run '^$' -bench KnowledgeBase ./internal/web
func BenchmarkKnowledgeBase(b *testing.B) {
	r := bigFAQ(b)
	if n := len(r.Entries()); n != 200 {
		b.Fatalf("%d entries", n)
	}
	f := newFixture(b, escalation.NewMemoryStore())
	page := f.srv.pages["kb"]
	ch := benchChannel{Channel: f.srv.channels["mira"], r: r}
	run := func(b *testing.B, one func(q string)) {
		took := make([]time.Duration, 0, b.N)
		b.ResetTimer()
		for i := 0; b.Loop(); i++ {
			start := time.Now()
			one(benchQueries[i%len(benchQueries)])
			took = append(took, time.Since(start))
		}
		slices.Sort(took)
		b.ReportMetric(float64(took[len(took)*99/100].Microseconds())/1000, "p99-ms")
	}
	b.Run("lookup", func(b *testing.B) {
		run(b, func(q string) {
			if _, err := r.Lookup(q, KBCandidates); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("page", func(b *testing.B) {
		run(b, func(q string) {
			v, err := f.srv.search(ch, q, "en")
			if err != nil {
				b.Fatal(err)
			}
			if err := page.ExecuteTemplate(discard{}, "layout", view{Title: "kb", Data: v}); err != nil {
				b.Fatal(err)
			}
		})
	})
}

// benchChannel is a channel over the big FAQ.
type benchChannel struct {
	Channel
	r *answer.Responder
}

func (c benchChannel) Responder() *answer.Responder { return c.r }

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// BenchmarkOpenDesks holds 200 desks open on one channel's event stream;
// each op is one change that reaches all of them. The heap is measured
// with all desks open and again after every change has gone out: it stays
// flat however many changes there are, since a desk holds one pending
// wake-up at most.
//
//	go test -run '^$' -bench OpenDesks ./internal/web
func BenchmarkOpenDesks(b *testing.B) {
	const desks = 200
	f := newFixture(b, escalation.NewMemoryStore())
	srv := httptest.NewServer(f.h)
	defer srv.Close()
	srv.Client().Transport.(*http.Transport).MaxIdleConnsPerHost = desks
	mod := f.signedIn(Identity{User: "kim", Roles: map[string]Role{"mira": RoleModerator}})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got := make(chan struct{}, desks)
	for range desks {
		req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/desk/mira/events", nil)
		req.AddCookie(mod.cookies[sessionCookie])
		res, err := srv.Client().Do(req)
		if err != nil {
			b.Fatal(err)
		}
		go func() {
			defer res.Body.Close()
			sc := bufio.NewScanner(res.Body)
			for sc.Scan() {
				if strings.HasPrefix(sc.Text(), "event: ") {
					got <- struct{}{}
				}
			}
		}()
	}
	for range desks { // each desk hears the queue's mark on opening
		<-got
	}
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapInuse
	}
	before := heap()
	b.ResetTimer()
	for b.Loop() {
		f.srv.hub.publish("mira")
		for range desks {
			<-got
		}
	}
	b.StopTimer()
	after := heap()
	if n := f.srv.hub.count(); n != desks {
		b.Fatalf("%d desks open; want %d", n, desks)
	}
	b.ReportMetric(float64(before)/desks, "heap-B/desk")
	b.ReportMetric(float64(int64(after)-int64(before)), "heap-growth-B")
}
