package answer

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/chatdesk/chatdesk/internal/question"
)

// TestLearnedIndexGoesToTheLibrary: the index !learn builds is the one the
// channel's next reload gets from its library, not a second build of the
// whole FAQ, and its learned entry points at the learned file, not at the
// temporary file it was checked in.
func TestLearnedIndexGoesToTheLibrary(t *testing.T) {
	base, err := filepath.Abs("testdata/learn/tiny.yaml")
	if err != nil {
		t.Fatal(err)
	}
	lib := NewLibrary(nil)
	ix, err := lib.Load(base)
	if err != nil {
		t.Fatal(err)
	}
	r := NewResponder(ix, question.Detector{}, Settings{}, nil, nil)
	defer r.Close()
	l := NewLearnedFAQ(filepath.Join(t.TempDir(), "learned", "mira.yaml"), []string{base}, r)
	l.Library = lib
	for n, q := range []string{"is the merch store open on weekends?", "what keyboard switches?"} {
		id, _, err := l.Learn(context.Background(), "learned", []string{q}, "yes", "from a test")
		if err != nil {
			t.Fatal(err)
		}
		r.mu.RLock()
		serving := r.ix
		r.mu.RUnlock()
		got, built, err := lib.load([]string{base, l.Path()})
		if err != nil {
			t.Fatal(err)
		}
		if built || got != serving {
			t.Errorf("lesson %d: the reload built the FAQ again (built %v, same index %v)", n+1, built, got == serving)
		}
		got.Close()
		if e, ok := serving.Entry(id); !ok || e.File != l.Path() {
			t.Errorf("lesson %d: entry %s is from %q; want the learned file %s", n+1, id, e.File, l.Path())
		}
	}
}
