package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chatdesk/chatdesk/internal/chat"
	"github.com/chatdesk/chatdesk/internal/escalation"
	"github.com/chatdesk/chatdesk/internal/report"
)

// TestReportCommand: bot report reads the embedded store's events and
// tickets; bot tickets --kind picks a kind.
func TestReportCommand(t *testing.T) {
	path := writeConfig(t, "bot: {data_dir: data}\nchannels: [{name: mira, faq: [FAQ]}]\n")
	s, err := escalation.OpenBolt(filepath.Join(filepath.Dir(path), "data", "chatdesk.db"), escalation.BoltOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	err = s.AppendEvents(ctx,
		escalation.Event{Channel: "mira", At: now.Add(-time.Hour), Kind: escalation.EventAnswered, FAQ: "schedule"},
		escalation.Event{Channel: "mira", At: now.Add(-time.Hour), Kind: escalation.EventMissed, Text: "is there merch?"},
		escalation.Event{Channel: "mira", At: now.Add(-48 * time.Hour), Kind: escalation.EventMissed, Text: "too old to show"},
	)
	if err != nil {
		t.Fatal(err)
	}
	for i, k := range []escalation.Kind{escalation.KindSuggestion, escalation.KindQuestion} {
		_, _, err := s.Create(ctx, escalation.NewTicket{Channel: "mira", Kind: k, Source: escalation.SourceSuggest, Text: "idea " + string(k),
			MessageID: "m" + string(rune('0'+i)), Askers: []escalation.Asker{{User: escalation.AnonymousLogin, At: now}}, At: now.Add(-time.Minute)})
		if err != nil {
			t.Fatal(err)
		}
	}
	s.Close()

	o := invoke(t, nil, "", "report", "--config", path, "--since", "24h")
	if o.err != nil {
		t.Fatalf("report: %v\n%s", o.err, o.stderr)
	}
	for _, want := range []string{"# Stream report: #mira", "| schedule | 1 |", "is there merch?", "1 question, 1 suggestion"} {
		if !strings.Contains(o.stdout, want) {
			t.Errorf("report lacks %q:\n%s", want, o.stdout)
		}
	}
	if strings.Contains(o.stdout, "too old") {
		t.Errorf("report shows an event from before --since:\n%s", o.stdout)
	}
	o = invoke(t, nil, "", "report", "--config", path, "--format", "html")
	if o.err != nil || !strings.HasPrefix(o.stdout, "<!DOCTYPE html>") {
		t.Errorf("report --format html = %v, %.60q", o.err, o.stdout)
	}
	if o := invoke(t, nil, "", "report", "--config", path, "--format", "pdf"); exitCode(o.err) != exitBadInput {
		t.Errorf("--format pdf: %v; want exit 2", o.err)
	}

	o = invoke(t, nil, "", "tickets", "list", "--config", path, "--kind", "suggestion")
	if o.err != nil || !strings.Contains(o.stdout, "idea suggestion") || strings.Contains(o.stdout, "idea question") {
		t.Errorf("tickets list --kind suggestion = %v:\n%s", o.err, o.stdout)
	}
	if o := invoke(t, nil, "", "tickets", "list", "--config", path, "--kind", "nonsense"); exitCode(o.err) != exitBadInput {
		t.Errorf("--kind nonsense: %v; want exit 2", o.err)
	}
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		t.Fatal("config vanished")
	}
}

// TestTicketsSummaryAgreesWithReport: bot tickets and bot report measure
// the same tickets the same way — escalation.Measure — and show the same
// numbers. The tickets mix every kind: a suggestion owes no answer, so it
// breaks no promise and has no response time; a complaint or faq-fix
// answered late, or a question closed unanswered after the promise, does.
func TestTicketsSummaryAgreesWithReport(t *testing.T) {
	base := time.Date(2026, 3, 14, 18, 0, 0, 0, time.UTC)
	now := base.Add(time.Hour)
	const promise = 10 * time.Minute
	tk := func(n int64, kind escalation.Kind, state escalation.State, first, closed time.Duration) escalation.Ticket {
		t := escalation.Ticket{Channel: "mira", Number: n, Kind: kind, State: state, CreatedAt: base, Text: "t"}
		if first > 0 {
			t.FirstResponseAt = base.Add(first)
		}
		if closed > 0 {
			t.ClosedAt = base.Add(closed)
		}
		return t
	}
	ts := []escalation.Ticket{
		tk(1, escalation.KindQuestion, escalation.StateResolved, time.Minute, 10*time.Minute),
		tk(2, escalation.KindQuestion, escalation.StateAnswered, 3*time.Minute, 0),
		tk(3, escalation.KindQuestion, escalation.StateNew, 0, 0),                    // waiting 1h: late
		tk(4, escalation.KindComplaint, escalation.StateAnswered, 12*time.Minute, 0), // late
		tk(5, escalation.KindFAQFix, escalation.StateResolved, 14*time.Minute, 20*time.Minute),
		tk(6, escalation.KindSuggestion, escalation.StateNew, 0, 0),
		tk(7, escalation.KindSuggestion, escalation.StateResolved, 0, 5*time.Minute),
		tk(8, escalation.KindQuestion, escalation.StateDismissed, 0, 40*time.Minute), // closed late, unanswered
	}
	got := report.TicketSummary(ts, promise, now)
	want := "8 tickets, 4 open, 3 resolved; first response median 7m30s; resolved in median 15m; 0 reopened; 4 past the 10m promise"
	if got != want {
		t.Errorf("summary = %q; want %q", got, want)
	}

	r := report.Build(report.Options{Channel: "mira", From: base, To: now, FirstResponse: promise}, nil, ts)
	var md strings.Builder
	if err := report.Markdown(&md, r); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		what, inSummary, inReport string
	}{
		{"tickets", fmt.Sprintf("%d tickets", r.Tickets), "| filed | 8 ("},
		{"first response median", "first response median " + chat.FormatDuration(r.FirstResponse.Median, 2), "| first response, median / p90 | 7m30s / "},
		{"resolution median", "resolved in median " + chat.FormatDuration(r.Resolution.Median, 2), "| resolution, median / p90 | 15m / "},
		{"breaches", fmt.Sprintf("%d past the 10m promise", r.SLABreaches), "| over the 10m first-response promise | 4 |"},
	} {
		if !strings.Contains(got, c.inSummary) {
			t.Errorf("%s: summary %q lacks %q, the report's number", c.what, got, c.inSummary)
		}
		if !strings.Contains(md.String(), c.inReport) {
			t.Errorf("%s: report lacks %q:\n%s", c.what, c.inReport, md.String())
		}
	}
	// The summary's "resolved" counts every kind, as its table shows them;
	// the report's resolution rate is over the kinds that owe an answer.
	if m := escalation.Measure(ts, promise, now); r.Resolved != m.AnswerableResolved || r.ResolutionRate != m.ResolutionRate() || m.Resolved != 3 {
		t.Errorf("report resolved %d (%.2f), measures %+v", r.Resolved, r.ResolutionRate, m)
	}
}
