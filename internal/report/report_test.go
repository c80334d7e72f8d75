package report_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chatdesk/chatdesk/internal/escalation"
	"github.com/chatdesk/chatdesk/internal/report"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// fixture is the fixed stream in testdata: two hours of #mira.
func fixture(t testing.TB) report.Report {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "events.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var events []escalation.Event
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var e escalation.Event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("events.jsonl: %v", err)
		}
		events = append(events, e)
	}
	raw, err := os.ReadFile(filepath.Join("testdata", "tickets.json"))
	if err != nil {
		t.Fatal(err)
	}
	var tickets []escalation.Ticket
	if err := json.Unmarshal(raw, &tickets); err != nil {
		t.Fatalf("tickets.json: %v", err)
	}
	from := time.Date(2026, 3, 14, 18, 0, 0, 0, time.UTC)
	return report.Build(report.Options{
		Channel: "mira", From: from, To: from.Add(2 * time.Hour), FirstResponse: 10 * time.Minute, Names: []string{"chatdesk", "mira"},
	}, events, tickets)
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test -update rewrites it); got:\n%s", name, got)
	}
}

func TestMarkdownGolden(t *testing.T) {
	var b bytes.Buffer
	if err := report.Markdown(&b, fixture(t)); err != nil {
		t.Fatal(err)
	}
	golden(t, "report.md.golden", b.Bytes())
}

func TestBuild(t *testing.T) {
	r := fixture(t)
	checks := []struct {
		what      string
		got, want any
	}{
		{"messages in the window", r.Messages, 80},
		{"questions", r.Questions, 18},
		{"answered, escalated, missed", [3]int{r.Answered, r.Escalated, r.Missed}, [3]int{9, 3, 6}},
		{"top entry", r.TopEntries[0], report.Count{Name: "schedule", N: 5}},
		{"question groups", len(r.Unanswered), 3},
		{"biggest group", r.Unanswered[0].Count, 3},
		{"tickets", r.Tickets, 6},
		{"resolved", r.Resolved, 3},
		{"resolution rate (suggestions left out)", r.ResolutionRate, 0.6},
		{"first response median: 2m, 3m, 14m, 25m → mean of 3m and 14m", r.FirstResponse.Median, 8*time.Minute + 30*time.Second},
		{"first response p90", r.FirstResponse.P90, 25 * time.Minute},
		{"SLA breaches: #2 late, #6 late, #4 unanswered", r.SLABreaches, 3},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v; want %v", c.what, c.got, c.want)
		}
	}
	if m := r.Moderation[0]; m.Rule != "links" || m.Actions != 3 || m.Pardons != 2 {
		t.Errorf("first rule = %+v; want links, 3 actions, 2 pardons", m)
	}
}

func TestHTMLIsSelfContained(t *testing.T) {
	var b bytes.Buffer
	if err := report.HTML(&b, fixture(t)); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, bad := range []string{"<script", "http://", "https://", "src="} {
		if strings.Contains(strings.ReplaceAll(page, `xmlns="http://www.w3.org/2000/svg"`, ""), bad) {
			t.Errorf("page holds %q; want nothing fetched or run", bad)
		}
	}
	if n := strings.Count(page, "<svg"); n != 3 {
		t.Errorf("%d charts; want 3", n)
	}
	if !strings.Contains(page, "is there a | pipe?") {
		t.Error("the unanswered questions are missing from the page")
	}
}

// TestBuildCountsChatVolume: the live bot writes chat volume as counts a
// minute; older logs have an event a message. Both add up.
func TestBuildCountsChatVolume(t *testing.T) {
	from := time.Date(2026, 3, 14, 18, 0, 0, 0, time.UTC)
	ev := func(d time.Duration, count int) escalation.Event {
		return escalation.Event{Channel: "mira", At: from.Add(d), Kind: escalation.EventMessage, Count: count}
	}
	events := []escalation.Event{ev(time.Second, 0), ev(time.Minute, 40), ev(2*time.Minute+5*time.Second, 7), ev(-time.Minute, 100), ev(time.Hour, 100)}
	r := report.Build(report.Options{Channel: "mira", From: from, To: from.Add(time.Hour)}, events, nil)
	if r.Messages != 48 {
		t.Errorf("Messages = %d; want 48 (1 + 40 + 7, the two counts outside the window left out)", r.Messages)
	}
}
