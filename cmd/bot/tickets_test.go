package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/chatdesk/chatdesk/internal/escalation"
	"github.com/chatdesk/chatdesk/internal/report"
)

// ticketsConfig has two channels and a 10-minute promise.
const ticketsConfig = `bot: {data_dir: data}
escalation:
  sla: {first_response: 10m}
channels:
  - name: mira
    faq: [FAQ]
  - name: otto
    faq: [FAQ]
`

// seedTickets writes a config and a store with a stream's worth of tickets:
// one answered in time and resolved, one answered late, one still waiting
// (long past the promise), one dismissed, and one in another channel.
func seedTickets(t *testing.T) string {
	t.Helper()
	path := writeConfig(t, ticketsConfig)
	cfg, err := loadConfig(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	s, err := escalation.OpenBolt(cfg.Store.Path, escalation.BoltOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	t0 := time.Now().Add(-3 * time.Hour).Truncate(time.Second)
	file := func(channel, id, user, text string, kind escalation.Kind) escalation.Ticket {
		tk, _, err := s.Create(ctx, escalation.NewTicket{
			Channel: channel, Kind: kind, Source: escalation.SourceAsk, Text: text, MessageID: id,
			Askers:  []escalation.Asker{{User: user, MessageID: id, Text: text, At: t0}},
			Context: []escalation.Line{{At: t0.Add(-time.Minute), Text: "hi chat"}},
			At:      t0,
		})
		if err != nil {
			t.Fatal(err)
		}
		return tk
	}
	op := func(tk escalation.Ticket, id string, d time.Duration) escalation.Op {
		return escalation.Op{Channel: tk.Channel, Number: tk.Number, By: "kim", ID: id, At: t0.Add(d)}
	}
	must := func(_ escalation.Ticket, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	a := file("mira", "m1", "ana", "when is the next collab, with Otto?", escalation.KindQuestion)
	must(s.Answer(ctx, op(a, "a1", 4*time.Minute), `Friday, 8pm "CET"`))
	must(s.Resolve(ctx, op(a, "r1", 30*time.Minute)))
	b := file("mira", "m2", "bob", "is the merch store open?", escalation.KindQuestion)
	must(s.Answer(ctx, op(b, "a2", 25*time.Minute), "yes"))
	file("mira", "m3", "cy", "what keyboard do you use?", escalation.KindQuestion)
	d := file("mira", "m4", "dan", "someone is rude", escalation.KindComplaint)
	must(s.Dismiss(ctx, op(d, "d4", time.Minute), "handled in whispers"))
	file("otto", "o1", "eve", "otto when minecraft?", escalation.KindQuestion)
	return path
}

func TestTicketsList(t *testing.T) {
	path := seedTickets(t)
	o := invoke(t, nil, "", "tickets", "list", "--config", path)
	if o.err != nil {
		t.Fatalf("tickets list: %v\n%s", o.err, o.stderr)
	}
	for _, want := range []string{
		"#mira: 4 tickets, 2 open, 1 resolved; first response median 14m30s; resolved in median 30m; 0 reopened; 2 past the 10m promise",
		"#otto: 1 ticket, 1 open, 0 resolved",
		"TICKET  KIND       STATE",
		"#2      question   answered",
		"25m (late)",
		"#4      complaint  dismissed",
	} {
		if !strings.Contains(o.stdout, want) {
			t.Errorf("tickets list:\n%s\nwant %q", o.stdout, want)
		}
	}

	o = invoke(t, nil, "", "tickets", "list", "--config", path, "--channel", "#mira", "--state", "open")
	if o.err != nil {
		t.Fatal(o.err)
	}
	if strings.Contains(o.stdout, "otto") || strings.Contains(o.stdout, "#1 ") || !strings.Contains(o.stdout, "#3") {
		t.Errorf("open tickets of #mira:\n%s", o.stdout)
	}
}

func TestTicketsShow(t *testing.T) {
	path := seedTickets(t)
	o := invoke(t, nil, "", "tickets", "show", "1", "--config", path, "--channel", "mira")
	if o.err != nil {
		t.Fatalf("tickets show: %v\n%s", o.err, o.stderr)
	}
	for _, want := range []string{
		"ticket #1 in #mira — question, resolved (filed by ask)",
		`answered:`, `by kim: Friday, 8pm "CET"`,
		"first response after 4m",
		"askers (1):", "ana", "waiting for the answer",
		"said before:", "hi chat",
	} {
		if !strings.Contains(o.stdout, want) {
			t.Errorf("tickets show 1:\n%s\nwant %q", o.stdout, want)
		}
	}
	o = invoke(t, nil, "", "tickets", "show", "3", "--config", path, "--channel", "mira")
	if !strings.Contains(o.stdout, "past the 10m promise") {
		t.Errorf("tickets show 3:\n%s\nwant the breach", o.stdout)
	}
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"tickets", "show", "9", "--channel", "mira"}, exitFailure, "no ticket #9 in #mira"},
		{[]string{"tickets", "show", "1"}, exitBadInput, "numbers are per channel"},
		{[]string{"tickets", "show", "x", "--channel", "mira"}, exitBadInput, "want a ticket number"},
		{[]string{"tickets", "list", "--channel", "nobody"}, exitBadInput, `no channel "nobody"`},
		{[]string{"tickets", "list", "--state", "lost"}, exitBadInput, `unknown state "lost"`},
		{[]string{"tickets", "export", "--format", "xml"}, exitBadInput, "json or csv"},
	} {
		o := invoke(t, nil, "", append(c.args, "--config", path)...)
		if o.code() != c.code || o.err == nil || !strings.Contains(o.err.Error(), c.want) {
			t.Errorf("%v = exit %d, %v; want exit %d with %q", c.args, o.code(), o.err, c.code, c.want)
		}
	}
}

func TestTicketsExportCSV(t *testing.T) {
	path := seedTickets(t)
	o := invoke(t, nil, "", "tickets", "export", "--format", "csv", "--config", path)
	if o.err != nil {
		t.Fatalf("export: %v\n%s", o.err, o.stderr)
	}
	rows, err := csv.NewReader(strings.NewReader(o.stdout)).ReadAll()
	if err != nil {
		t.Fatalf("export is not CSV: %v\n%s", err, o.stdout)
	}
	if len(rows) != 6 || strings.Join(rows[0], ",") != strings.Join(report.CSVColumns, ",") {
		t.Fatalf("%d rows, header %v", len(rows), rows[0])
	}
	col := map[string]int{}
	for i, c := range rows[0] {
		col[c] = i
	}
	first := rows[1]
	for name, want := range map[string]string{
		"channel": "mira", "number": "1", "state": "resolved", "text": "when is the next collab, with Otto?",
		"answer": `Friday, 8pm "CET"`, "first_response_seconds": "240", "resolve_seconds": "1800", "sla_breached": "false",
		"askers": "ana", "answered_by": "kim",
	} {
		if got := first[col[name]]; got != want {
			t.Errorf("ticket 1 %s = %q; want %q", name, got, want)
		}
	}
	if rows[2][col["sla_breached"]] != "true" || rows[3][col["sla_breached"]] != "true" || rows[3][col["first_response_seconds"]] != "" {
		t.Errorf("breaches: #2 %q, #3 %q (first response %q); want both breached, #3 unanswered",
			rows[2][col["sla_breached"]], rows[3][col["sla_breached"]], rows[3][col["first_response_seconds"]])
	}
	if rows[5][col["channel"]] != "otto" {
		t.Errorf("last row from #%s; want otto", rows[5][col["channel"]])
	}
}

func TestTicketsExportJSON(t *testing.T) {
	path := seedTickets(t)
	o := invoke(t, nil, "", "tickets", "export", "--config", path, "--state", "resolved,dismissed")
	if o.err != nil {
		t.Fatalf("export: %v\n%s", o.err, o.stderr)
	}
	var got []struct {
		Channel              string
		Number               int64
		State                string
		Reason               string
		Answer               string
		FirstResponseSeconds *float64 `json:"first_response_seconds"`
		Askers               []struct{ User string }
		Context              []struct{ Text string }
	}
	if err := json.Unmarshal([]byte(o.stdout), &got); err != nil {
		t.Fatalf("export is not JSON: %v\n%s", err, o.stdout)
	}
	if len(got) != 2 || got[0].Number != 1 || got[0].State != "resolved" || got[1].Number != 4 || got[1].Reason != "handled in whispers" {
		t.Fatalf("export = %+v; want #1 resolved and #4 dismissed", got)
	}
	if got[0].FirstResponseSeconds == nil || *got[0].FirstResponseSeconds != 240 || got[0].Askers[0].User != "ana" || got[0].Context[0].Text != "hi chat" {
		t.Errorf("#1 = %+v", got[0])
	}
}

func TestTicketsWithoutAStore(t *testing.T) {
	path := writeConfig(t, ticketsConfig)
	o := invoke(t, nil, "", "tickets", "list", "--config", path)
	if o.code() != exitFailure || !strings.Contains(fmt.Sprint(o.err), "no ticket store at") {
		t.Errorf("tickets list without a store = exit %d, %v", o.code(), o.err)
	}
}

func TestTicketsWhileTheBotRuns(t *testing.T) {
	path := seedTickets(t)
	cfg, err := loadConfig(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	s, err := escalation.OpenBolt(cfg.Store.Path, escalation.BoltOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	o := invoke(t, nil, "", "tickets", "list", "--config", path)
	if o.code() != exitFailure || !strings.Contains(fmt.Sprint(o.err), "in use by another chatdesk process") {
		t.Errorf("tickets list while the store is open = exit %d, %v", o.code(), o.err)
	}
}

// testRedisPrefix returns the test Redis's address and a key prefix of its
// own, deleted when the test ends. Without a Redis the test is skipped,
// except under CI=true, where it fails.
func testRedisPrefix(t *testing.T) (string, string) {
	t.Helper()
	addr := os.Getenv("CHATDESK_TEST_REDIS")
	if addr == "" {
		addr = "127.0.0.1:6379"
	}
	c := redis.NewClient(&redis.Options{Addr: addr, DialTimeout: time.Second, MaxRetries: -1})
	t.Cleanup(func() { c.Close() })
	ctx := context.Background()
	if err := c.Ping(ctx).Err(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("no Redis at %s (CHATDESK_TEST_REDIS): %v; CI must provide one", addr, err)
		}
		t.Skipf("no Redis at %s (set CHATDESK_TEST_REDIS): %v", addr, err)
	}
	prefix := fmt.Sprintf("chatdesk-test:cmd-%d:", time.Now().UnixNano())
	t.Cleanup(func() {
		keys, _ := c.Keys(ctx, prefix+"*").Result()
		if len(keys) > 0 {
			c.Del(ctx, keys...)
		}
	})
	return addr, prefix
}

// TestRedisBackendEndToEnd: the console files into Redis, and bot tickets
// reads it back while the bot could still be running.
func TestRedisBackendEndToEnd(t *testing.T) {
	addr, prefix := testRedisPrefix(t)
	path := writeConfig(t, fmt.Sprintf("bot: {data_dir: data}\nstore: {backend: redis, redis: {addrs: [%q], key_prefix: %q}}\nchannels: [{name: mira, faq: [FAQ]}]\n", addr, prefix))
	o := invoke(t, nil, "ana: !ask when is the next collab?\n@mod kim: !claim 1\n", "--config", path)
	if o.err != nil || !strings.Contains(o.stdout, "(ticket #1)") || !strings.Contains(o.stdout, "#1 is yours") {
		t.Fatalf("console on Redis: %v\n%s\n%s", o.err, o.stdout, o.stderr)
	}
	o = invoke(t, nil, "", "tickets", "list", "--config", path)
	if o.err != nil || !strings.Contains(o.stdout, "claimed (kim)") || !strings.Contains(o.stdout, "when is the next collab?") {
		t.Fatalf("tickets list on Redis: %v\n%s\n%s", o.err, o.stdout, o.stderr)
	}
}
