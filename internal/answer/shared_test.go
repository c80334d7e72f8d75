package answer_test

import (
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
