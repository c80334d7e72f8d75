package answer_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatdesk/chatdesk/internal/answer"
	"github.com/chatdesk/chatdesk/internal/question"
)

const (
	faqV1 = `entries:
  - id: teapot
    questions: [what colour is the teapot]
    answer: "The teapot is blue."
`
	faqV2 = `entries:
  - id: teapot
    questions: [what colour is the teapot]
    answer: "The teapot is green now."
  - id: plant
    questions: [what plant is that]
    answer: "It's a fern."
`
	// faqBroken has a duplicate id on line 5.
	faqBroken = `entries:
  - id: teapot
    questions: [what colour is the teapot]
    answer: "The teapot is red."
  - id: teapot
    questions: [what plant is that]
    answer: "A cactus."
`
)

// writeFile replaces path's contents the way careful editors save: a new
// file renamed over the old one, so a reader never sees half of it.
func writeFile(t *testing.T, path, data string) {
	t.Helper()
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// served returns the answer the responder gives to text now, or "" for none.
func served(t *testing.T, r *answer.Responder, text string) string {
	t.Helper()
	res, err := r.Lookup(text, 1)
	if err != nil {
		t.Fatalf("Lookup(%q): %v", text, err)
	}
	if res.Best == nil {
		return ""
	}
	return res.Best.Entry.AnswerIn(res.Question.Lang)
}

// reloadSetup writes faqV1 to a temporary file and returns it with a
// responder serving it.
func reloadSetup(t *testing.T) (string, *answer.Responder) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "faq.yaml")
	writeFile(t, path, faqV1)
	entries, err := answer.LoadFAQ(path)
	if err != nil {
		t.Fatal(err)
	}
	ix, err := answer.Build(entries)
	if err != nil {
		t.Fatal(err)
	}
	r := answer.NewResponder(ix, question.Detector{}, answer.Settings{}, nil, nil)
	t.Cleanup(func() { r.Close() })
	return path, r
}

func TestReloadServesNewAnswers(t *testing.T) {
	path, r := reloadSetup(t)
	w := &answer.Reloader{Files: []string{path}, Responder: r}
	if got, want := served(t, r, "what colour is the teapot?"), "The teapot is blue."; got != want {
		t.Fatalf("before reload: got %q; want %q", got, want)
	}
	writeFile(t, path, faqV2)
	if err := w.Reload(); err != nil {
		t.Fatalf("Reload = %v", err)
	}
	tests := []struct{ question, want string }{
		{"what colour is the teapot?", "The teapot is green now."},
		{"what plant is that?", "It's a fern."},
	}
	for _, tt := range tests {
		if got := served(t, r, tt.question); got != tt.want {
			t.Errorf("after reload, %q: got %q; want %q", tt.question, got, tt.want)
		}
	}
	if got := len(r.Entries()); got != 2 {
		t.Errorf("after reload: %d entries; want 2", got)
	}
}

func TestReloadKeepsLastGoodFAQ(t *testing.T) {
	tests := []struct {
		name string
		data string // "" removes the file
		want string // in the error, right after the file's path
	}{
		{"duplicate id", faqBroken, ":5: entries[1].id: duplicate id"},
		{"bad yaml", "entries:\n  - id: teapot\n    questions: [what colour\n", ":3: yaml: "},
		{"no entries", "entries: []\n", ":1: "},
		{"file removed", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path, r := reloadSetup(t)
			var logs recordedLogs
			w := &answer.Reloader{Files: []string{path}, Responder: r, Log: slog.New(&logs)}
			if tt.data == "" {
				if err := os.Remove(path); err != nil {
					t.Fatal(err)
				}
			} else {
				writeFile(t, path, tt.data)
			}
			err := w.Reload()
			if err == nil {
				t.Fatal("Reload of a broken FAQ = nil; want an error")
			}
			if want := path + tt.want; !strings.Contains(err.Error(), want) {
				t.Errorf("Reload = %q; want it to name %s", err, want)
			}
			if got, want := served(t, r, "what colour is the teapot?"), "The teapot is blue."; got != want {
				t.Errorf("after a failed reload: got %q; want the last good answer %q", got, want)
			}
			if !logs.has(slog.LevelError, "keeping the last good faq") {
				t.Errorf("logs = %q; want an error saying the last good FAQ is kept", logs.messages())
			}
		})
	}
}

func TestReloadRunNoticesChange(t *testing.T) {
	path, r := reloadSetup(t)
	var logs recordedLogs
	w := &answer.Reloader{Files: []string{path}, Responder: r, Interval: time.Millisecond, Log: slog.New(&logs)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run = %v; want nil after cancel", err)
		}
	}()

	// Run takes its first look at the files when it starts, which may be
	// after a write: each round writes again, a little longer, so a change
	// is always there to be seen.
	edit := func(data string) func(round int) {
		return func(round int) { writeFile(t, path, data+strings.Repeat("#", round)+"\n") }
	}
	waitFor(t, "the new answer to be served", edit(faqV2), func() bool {
		return served(t, r, "what colour is the teapot?") == "The teapot is green now."
	})
	waitFor(t, "a failed reload to be logged", edit(faqBroken), func() bool {
		return logs.has(slog.LevelError, "keeping the last good faq")
	})
	if got, want := served(t, r, "what colour is the teapot?"), "The teapot is green now."; got != want {
		t.Errorf("after a broken edit: got %q; want the last good answer %q", got, want)
	}
}

func TestReloadRunOff(t *testing.T) {
	_, r := reloadSetup(t)
	w := &answer.Reloader{Responder: r}
	if err := w.Run(context.Background()); err != nil {
		t.Errorf("Run with no interval = %v; want nil at once", err)
	}
}

// waitFor calls poke and checks cond until cond holds, failing the test if
// it does not within a generous deadline. It waits on a ticker between
// rounds; no assertion depends on how long anything took.
func waitFor(t *testing.T, what string, poke func(round int), cond func() bool) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for round := 0; ; round++ {
		if cond() {
			return
		}
		poke(round)
		select {
		case <-deadline:
			t.Fatalf("gave up waiting for %s", what)
		case <-tick.C:
		}
	}
}

// recordedLogs is a slog.Handler that keeps every record, safe for use from
// several goroutines.
type recordedLogs struct {
	mu   sync.Mutex
	recs []slog.Record
}

func (h *recordedLogs) Enabled(context.Context, slog.Level) bool { return true }
func (h *recordedLogs) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *recordedLogs) WithGroup(string) slog.Handler            { return h }

func (h *recordedLogs) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.recs = append(h.recs, r.Clone())
	return nil
}

func (h *recordedLogs) has(level slog.Level, substr string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, r := range h.recs {
		if r.Level == level && strings.Contains(r.Message, substr) {
			return true
		}
	}
	return false
}

func (h *recordedLogs) messages() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, r := range h.recs {
		out = append(out, r.Message)
	}
	return out
}
