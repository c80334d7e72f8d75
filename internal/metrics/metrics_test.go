package metrics

import (
	"context"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/chatdesk/chatdesk/internal/chat"
)

func msg(channel string) chat.Message {
	return chat.Message{Channel: channel, User: "ana", Text: "hi"}
}

func TestObserveCounts(t *testing.T) {
	m := New("mira")
	ctx := context.Background()
	decisions := []chat.Decision{
		{Action: chat.ActionAnswer, FAQ: "schedule", Question: true},
		{Action: chat.ActionAnswer, FAQ: "schedule", Question: true},
		{Action: chat.ActionAnswer, FAQ: "discord", Question: true},
		{Action: chat.ActionCommand, FAQ: "discord"},
		{Action: chat.ActionIgnore, Question: true},
		{Question: true},
		{},
		{Action: chat.ActionEscalate, Question: true, Ticket: "#1"},
		{Action: chat.ActionModerate, Rule: "links", Penalty: "delete"},
		{Action: chat.ActionModerate, Rule: "links", Penalty: "delete"},
		{Action: chat.ActionModerate, Rule: "caps", Penalty: "timeout 60s", Shadow: true},
	}
	for _, d := range decisions {
		m.Observe(ctx, msg("mira"), d, time.Millisecond)
	}
	m.Observe(ctx, msg("other"), chat.Decision{}, 0)
	m.Shed("mira")
	m.Shed("mira")

	tests := []struct {
		name string
		got  float64
		want float64
	}{
		{"messages mira", testutil.ToFloat64(m.messages.WithLabelValues("mira")), 11},
		{"messages other", testutil.ToFloat64(m.messages.WithLabelValues("other")), 1},
		{"questions", testutil.ToFloat64(m.questions.WithLabelValues("mira")), 6},
		{"missed", testutil.ToFloat64(m.missed.WithLabelValues("mira")), 2},
		{"escalations", testutil.ToFloat64(m.escalations.WithLabelValues("mira")), 1},
		{"answers schedule", testutil.ToFloat64(m.answers.WithLabelValues("mira", "schedule")), 2},
		{"answers discord", testutil.ToFloat64(m.answers.WithLabelValues("mira", "discord")), 2},
		{"ignore decisions", testutil.ToFloat64(m.decisions.WithLabelValues("mira", "ignore")), 3},
		{"moderation links delete", testutil.ToFloat64(m.moderation.WithLabelValues("mira", "links", "delete", "false")), 2},
		{"shed", testutil.ToFloat64(m.shed.WithLabelValues("mira")), 2},
		{"moderation caps shadow", testutil.ToFloat64(m.moderation.WithLabelValues("mira", "caps", "timeout 60s", "true")), 1},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %v; want %v", tt.name, tt.got, tt.want)
		}
	}
	// Every channel's series exist from its first message, at zero.
	if n := testutil.CollectAndCount(m.latency, "chatdesk_answer_latency_seconds"); n != 2 {
		t.Errorf("answer latency series = %d; want 2 (mira, other)", n)
	}
}

func TestTickets(t *testing.T) {
	m := New("mira")
	m.SetOpenTickets("mira", 2)
	m.TicketOpened("mira")
	m.TicketFirstResponse("mira", 90*time.Second)
	m.TicketClosed("mira", true, 5*time.Minute)
	m.TicketClosed("mira", false, time.Minute)
	if got := testutil.ToFloat64(m.openTickets.WithLabelValues("mira")); got != 1 {
		t.Errorf("open tickets = %v; want 1", got)
	}
	want := `
# HELP chatdesk_ticket_resolution_seconds Time from filing a ticket to resolving it.
# TYPE chatdesk_ticket_resolution_seconds histogram
chatdesk_ticket_resolution_seconds_bucket{channel="mira",le="30"} 0
chatdesk_ticket_resolution_seconds_bucket{channel="mira",le="60"} 0
chatdesk_ticket_resolution_seconds_bucket{channel="mira",le="120"} 0
chatdesk_ticket_resolution_seconds_bucket{channel="mira",le="300"} 1
chatdesk_ticket_resolution_seconds_bucket{channel="mira",le="600"} 1
chatdesk_ticket_resolution_seconds_bucket{channel="mira",le="1200"} 1
chatdesk_ticket_resolution_seconds_bucket{channel="mira",le="1800"} 1
chatdesk_ticket_resolution_seconds_bucket{channel="mira",le="3600"} 1
chatdesk_ticket_resolution_seconds_bucket{channel="mira",le="7200"} 1
chatdesk_ticket_resolution_seconds_bucket{channel="mira",le="21600"} 1
chatdesk_ticket_resolution_seconds_bucket{channel="mira",le="86400"} 1
chatdesk_ticket_resolution_seconds_bucket{channel="mira",le="+Inf"} 1
chatdesk_ticket_resolution_seconds_sum{channel="mira"} 300
chatdesk_ticket_resolution_seconds_count{channel="mira"} 1
`
	if err := testutil.CollectAndCompare(m.resolution, strings.NewReader(want)); err != nil {
		t.Error(err)
	}
	if got := testutil.ToFloat64(m.ticketsClosed.WithLabelValues("mira", "dismissed")); got != 1 {
		t.Errorf("dismissed = %v; want 1", got)
	}
}

func TestLiveAndHandler(t *testing.T) {
	m := New("mira")
	m.WatchLive(func() Live {
		return Live{
			Connected: true, Connects: 2,
			Channels: []LiveChannel{{Name: "mira", Joined: true}},
			Send:     chat.SenderStats{Queued: 3, Capacity: 1024, Posted: 10, Stale: 1, Shed: 5, Rejected: 2, Folded: 6},
			Enforced: 4,
		}
	})
	m.WatchDropped(func() int64 { return 7 })
	m.HelixError("POST", "/moderation/bans", 429)
	m.Posted(chat.Posted{Priority: chat.PriorityAnswer, Queued: time.Unix(0, 0), At: time.Unix(1, 0)})

	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	for _, want := range []string{
		"chatdesk_twitch_connected 1",
		"chatdesk_twitch_connects_total 2",
		`chatdesk_twitch_channel_joined{channel="mira"} 1`,
		"chatdesk_send_queue_depth 3",
		"chatdesk_send_queue_capacity 1024",
		"chatdesk_send_folded_total 6",
		`chatdesk_send_dropped_total{reason="stale"} 1`,
		`chatdesk_send_dropped_total{reason="shed"} 5`,
		`chatdesk_send_dropped_total{reason="rejected"} 2`,
		`chatdesk_moderation_enforcements_total{result="done"} 4`,
		"chatdesk_messages_dropped_total 7",
		`chatdesk_helix_errors_total{endpoint="POST /moderation/bans",status="429"} 1`,
		`chatdesk_send_wait_seconds_count{priority="answer"} 1`,
		`chatdesk_send_wait_seconds_count{priority="staff"} 0`,
		`chatdesk_open_tickets{channel="mira"} 0`,
		"go_goroutines",
	} {
		if !strings.Contains(string(body), want+"\n") && !strings.Contains(string(body), want+" ") {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	problems, err := testutil.GatherAndLint(m.Registry())
	if err != nil {
		t.Fatalf("lint: %v", err)
	}
	for _, p := range problems {
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}
}

// BenchmarkObserve is the cost metrics add to every chat message: an
// answered question, the commonest case that touches the most series.
func BenchmarkObserve(b *testing.B) {
	m := New("mira", "other")
	ctx := context.Background()
	ms := msg("mira")
	answered := chat.Decision{Action: chat.ActionAnswer, FAQ: "schedule", Question: true}
	ignored := chat.Decision{Action: chat.ActionIgnore}
	b.ReportAllocs()
	b.Run("answer", func(b *testing.B) {
		for b.Loop() {
			m.Observe(ctx, ms, answered, 300*time.Microsecond)
		}
	})
	b.Run("ignore", func(b *testing.B) {
		for b.Loop() {
			m.Observe(ctx, ms, ignored, 50*time.Microsecond)
		}
	})
	b.Run("parallel-answer", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				m.Observe(ctx, ms, answered, 300*time.Microsecond)
			}
		})
	})
}
