package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chatdesk/chatdesk/internal/escalation"
)

// A console session that files a ticket is in the stream report: its
// messages, questions and answers, not only the ticket.
func TestConsoleSessionIsInTheReport(t *testing.T) {
	path := writeConfig(t, "bot: {data_dir: data}\nchannels: [{name: mira, faq: [FAQ]}]\n")
	o := invoke(t, nil, strings.Join([]string{
		"zed: hi chat",
		"ana: what colour is the teapot?",
		"bob: !ask is there a stream on monday?",
		"",
	}, "\n"), "--config", path)
	if o.err != nil {
		t.Fatalf("run: %v\n%s", o.err, o.stderr)
	}
	r := invoke(t, nil, "", "report", "--config", path, "--format", "md")
	if r.err != nil {
		t.Fatalf("report: %v\n%s", r.err, r.stderr)
	}
	for _, want := range []string{"| messages | 3 |", "| questions | 2 |"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("report lacks %q:\n%s", want, r.stdout)
		}
	}
}

// heldEvents keeps events in memory until the store exists, then writes
// them first, in order; it never creates the store itself.
func TestHeldEventsWaitForTheStore(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	lb := &lazyBolt{path: filepath.Join(dir, "chatdesk.db")}
	defer lb.Close()
	log := consoleEvents(lb)
	at := time.Date(2026, 11, 1, 18, 0, 0, 0, time.UTC)
	ev := func(i int) escalation.Event {
		return escalation.Event{Channel: "mira", Kind: escalation.EventMessage, At: at.Add(time.Duration(i) * time.Second)}
	}
	if err := log.AppendEvents(ctx, ev(0), ev(1)); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(lb.path); !os.IsNotExist(err) {
		t.Fatalf("the store was created by events alone (stat: %v)", err)
	}
	if _, _, err := lb.Create(ctx, escalation.NewTicket{Channel: "mira", MessageID: "m1", Text: "a question", Kind: escalation.KindQuestion, At: at, Askers: []escalation.Asker{{User: "ana"}}}); err != nil {
		t.Fatal(err)
	}
	if err := log.AppendEvents(ctx, ev(2)); err != nil {
		t.Fatal(err)
	}
	got, err := lb.Events(ctx, "mira", at.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("got %d events; want the 2 held and the 1 new", len(got))
	}
	for i, e := range got {
		if !e.At.Equal(ev(i).At) {
			t.Errorf("event %d at %v; want %v", i, e.At, ev(i).At)
		}
	}
}
