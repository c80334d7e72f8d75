package answer_test

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/chatdesk/chatdesk/internal/answer"
	"github.com/chatdesk/chatdesk/internal/question"
)

// TestLibraryShares: channels on the same files get one index; a reload
// builds the new one once and every channel's reload swaps it in; the old
// index serves until the last channel has moved off it.
func TestLibraryShares(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "faq.yaml")
	writeFile(t, path, faqV1)
	lib := answer.NewLibrary(nil)
	ix1, err := lib.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	again, err := lib.Load(filepath.Join(dir, ".", "faq.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if again != ix1 {
		t.Fatal("a second channel on the same file got an index of its own")
	}
	d := question.Detector{}
	r1 := answer.NewResponder(ix1, d, answer.Settings{}, nil, nil)
	r2 := answer.NewResponder(again, d, answer.Settings{}, nil, nil)

	writeFile(t, path, faqV2)
	w1 := &answer.Reloader{Files: []string{path}, Responder: r1, Library: lib}
	if err := w1.Reload(); err != nil {
		t.Fatal(err)
	}
	if got := served(t, r1, "what colour is the teapot?"); got != "The teapot is green now." {
		t.Fatalf("reloaded channel: %q", got)
	}
	if got := served(t, r2, "what colour is the teapot?"); got != "The teapot is blue." {
		t.Fatalf("channel not yet reloaded: %q (its index must stay open)", got)
	}
	ix2, err := lib.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if ix2 == ix1 {
		t.Fatal("the library kept the old index after the file changed")
	}
	ix2.Close()
	w2 := &answer.Reloader{Files: []string{path}, Responder: r2, Library: lib}
	if err := w2.Reload(); err != nil {
		t.Fatal(err)
	}
	if got := served(t, r2, "what colour is the teapot?"); got != "The teapot is green now." {
		t.Fatalf("second channel after its reload: %q", got)
	}
	if _, err := ix1.Candidates("what colour is the teapot", "en", 1); err == nil {
		t.Error("the old index is still open after every channel moved off it")
	}
	// A reload that finds nothing new keeps one hold per channel.
	if err := w2.Reload(); err != nil {
		t.Fatal(err)
	}
	r1.Close()
	if got := served(t, r2, "what plant is that?"); got != "It's a fern." {
		t.Fatalf("after the other channel closed: %q", got)
	}
	r2.Close()
	ix3, err := lib.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ix3.Close()
	if _, err := ix3.Candidates("what plant is that", "en", 1); err != nil {
		t.Fatalf("the library handed out a closed index: %v", err)
	}
}

// TestLibraryBadFAQ: a broken file is reported to every channel that
// loads it, with its line, and a reload keeps the last good index.
func TestLibraryBadFAQ(t *testing.T) {
	path := filepath.Join(t.TempDir(), "faq.yaml")
	writeFile(t, path, faqV1)
	lib := answer.NewLibrary(nil)
	ix, err := lib.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	r := answer.NewResponder(ix, question.Detector{}, answer.Settings{}, nil, nil)
	defer r.Close()
	writeFile(t, path, faqBroken)
	for i := 0; i < 2; i++ {
		if _, err := lib.Load(path); err == nil || !strings.Contains(err.Error(), "faq.yaml:5") {
			t.Fatalf("load %d of a broken file: %v", i, err)
		}
	}
	w := &answer.Reloader{Files: []string{path}, Responder: r, Library: lib}
	if err := w.Reload(); err == nil {
		t.Fatal("reload of a broken file succeeded")
	}
	if got := served(t, r, "what colour is the teapot?"); got != "The teapot is blue." {
		t.Fatalf("after a failed reload: %q", got)
	}
}

// TestLibraryConcurrent: channels starting at once build the index once.
func TestLibraryConcurrent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "faq.yaml")
	writeFile(t, path, faqV2)
	lib := answer.NewLibrary(nil)
	got := make([]*answer.Index, 8)
	var wg sync.WaitGroup
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ix, err := lib.Load(path)
			if err != nil {
				t.Error(err)
				return
			}
			got[i] = ix
		}()
	}
	wg.Wait()
	for _, ix := range got {
		if ix != got[0] {
			t.Fatal("concurrent loads of one file built more than one index")
		}
	}
	for _, ix := range got {
		if err := ix.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestLibraryReloadLogsOnce: channels that share a FAQ reload together, and
// an edit is logged once, naming the files, by the channel whose check built
// the new index; a broken edit is an error once. The others log at debug
// level, so a thousand channels on one FAQ make one line, not a thousand.
func TestLibraryReloadLogsOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "faq.yaml")
	writeFile(t, path, faqV1)
	lib := answer.NewLibrary(nil)
	var mu sync.Mutex
	var lines []string
	log := slog.New(recordHandler{mu: &mu, lines: &lines})
	var reloaders []*answer.Reloader
	for ch := range 3 {
		ix, err := lib.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		r := answer.NewResponder(ix, question.Detector{}, answer.Settings{}, nil, nil)
		t.Cleanup(func() { r.Close() })
		reloaders = append(reloaders, &answer.Reloader{Files: []string{path}, Responder: r, Library: lib,
			Log: log.With("channel", fmt.Sprintf("ch%d", ch))})
	}
	for _, tc := range []struct {
		faq     string
		wantErr bool
		want    string
	}{
		{faqV2, false, "INFO faq reloaded channel=ch0"},
		{faqBroken, true, "ERROR faq reload failed; keeping the last good faq channel=ch0"},
	} {
		lines = nil
		writeFile(t, path, tc.faq)
		for i, w := range reloaders {
			if err := w.Reload(); (err != nil) != tc.wantErr {
				t.Fatalf("channel %d: reload error %v, want one: %v", i, err, tc.wantErr)
			}
		}
		var loud []string
		for _, l := range lines {
			if !strings.HasPrefix(l, "DEBUG") {
				loud = append(loud, l)
			}
		}
		if len(loud) != 1 || !strings.HasPrefix(loud[0], tc.want) || !strings.Contains(loud[0], path) {
			t.Errorf("logged above debug: %q, want one line %q… naming %s", loud, tc.want, path)
		}
		if len(lines) != len(reloaders) {
			t.Errorf("logged %d lines for %d channels: %q", len(lines), len(reloaders), lines)
		}
	}
	for i, w := range reloaders {
		if got := served(t, w.Responder, "what colour is the teapot?"); got != "The teapot is green now." {
			t.Errorf("channel %d serves %q after the broken edit, want the last good answer", i, got)
		}
	}
}

// recordHandler keeps each record as "LEVEL message key=value…".
type recordHandler struct {
	mu    *sync.Mutex
	lines *[]string
	attrs []slog.Attr
}

func (h recordHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h recordHandler) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Level.String() + " " + r.Message)
	add := func(a slog.Attr) bool { fmt.Fprintf(&b, " %s=%v", a.Key, a.Value); return true }
	for _, a := range h.attrs {
		add(a)
	}
	r.Attrs(add)
	h.mu.Lock()
	*h.lines = append(*h.lines, b.String())
	h.mu.Unlock()
	return nil
}

func (h recordHandler) WithAttrs(as []slog.Attr) slog.Handler {
	h.attrs = append(append([]slog.Attr(nil), h.attrs...), as...)
	return h
}

func (h recordHandler) WithGroup(string) slog.Handler { return h }
