package answer_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chatdesk/chatdesk/internal/answer"
	"github.com/chatdesk/chatdesk/internal/question"
)

// newLearned is a channel's learned file over the tiny test FAQ.
func newLearned(t *testing.T) (*answer.LearnedFAQ, *answer.Responder, string) {
	t.Helper()
	base, err := filepath.Abs("testdata/learn/tiny.yaml")
	if err != nil {
		t.Fatal(err)
	}
	entries, err := answer.LoadFAQ(base)
	if err != nil {
		t.Fatal(err)
	}
	ix, err := answer.Build(entries)
	if err != nil {
		t.Fatal(err)
	}
	r := answer.NewResponder(ix, question.Detector{}, answer.Settings{}, nil, nil)
	t.Cleanup(func() { r.Close() })
	return answer.NewLearnedFAQ(filepath.Join(t.TempDir(), "learned", "mira.yaml"), []string{base}, r), r, base
}

// learn is a lesson from ticket n, as the help desk words it.
func learn(l *answer.LearnedFAQ, n int64, answerText string, questions ...string) (string, []string, error) {
	note := fmt.Sprintf("from ticket #%d in #mira, learned by kim on 2026-03-14", n)
	return l.Learn(context.Background(), fmt.Sprintf("learned-%d", n), questions, answerText, note)
}

func TestLearnedFAQ(t *testing.T) {
	l, r, base := newLearned(t)
	const q = "is the merch store open on weekends?"
	id, added, err := learn(l, 1, "yes, Sat and Sun", q, "merch store open weekends", "What colour is the  TEAPOT")
	if err != nil || id != "learned-1" || fmt.Sprint(added) != "[is the merch store open on weekends? merch store open weekends]" {
		t.Fatalf("Learn = %q %q, %v; want learned-1 without the teapot question the FAQ has", id, added, err)
	}
	if res, _ := r.Lookup(q, 1); res.Best == nil || res.Best.Entry.ID != "learned-1" {
		t.Fatalf("after Learn the responder does not answer %q from learned-1: %+v", q, res.Best)
	}
	select {
	case <-l.Created():
	default:
		t.Error("no signal that the learned file was created")
	}
	data, err := os.ReadFile(l.Path())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(data), "# Answers moderators taught the bot with !learn.") || !strings.Contains(string(data), "# from ticket #1 in #mira, learned by kim on 2026-03-14") {
		t.Errorf("learned file:\n%s", data)
	}

	// Another entry goes after the first; the file loads as an FAQ.
	if _, _, err := learn(l, 2, "Gateron browns: \"clicky\" — no", "what keyboard switches?"); err != nil {
		t.Fatal(err)
	}
	entries, err := answer.LoadFAQ(base, l.Path())
	if err != nil || len(entries) != 4 || entries[3].ID != "learned-2" || entries[3].Answer != "Gateron browns: \"clicky\" — no" {
		t.Fatalf("FAQ after two lessons: %d entries, %v", len(entries), err)
	}
	select {
	case <-l.Created():
		t.Error("created signalled again for a file that existed")
	default:
	}

	// Nothing new to learn; an id already taken gets a suffix.
	if _, added, err := learn(l, 1, "yes", q); err != nil || len(added) != 0 {
		t.Errorf("learning the same question again added %q, %v; want nothing, no error", added, err)
	}
	if id, _, err := learn(l, 1, "yes", "does the merch ship abroad?"); err != nil || id != "learned-1-2" {
		t.Errorf("a second lesson from ticket #1 = %q, %v; want learned-1-2", id, err)
	}
	// An answer the FAQ refuses leaves the file as it was.
	before, _ := os.ReadFile(l.Path())
	if _, _, err := learn(l, 3, strings.Repeat("long ", 120), "how long is a piece of string"); err == nil || !strings.Contains(err.Error(), l.Path()) {
		t.Errorf("an over-long answer = %v; want an error naming the learned file", err)
	}
	if after, _ := os.ReadFile(l.Path()); string(after) != string(before) {
		t.Error("a refused lesson changed the file")
	}
}

// TestLearnedFAQThatNoLongerLoads: a learned file the streamer broke is
// not appended to; Learn says where it is broken, in an error the help desk
// recognises, and the channel keeps answering from the FAQ it had.
func TestLearnedFAQThatNoLongerLoads(t *testing.T) {
	l, r, _ := newLearned(t)
	if _, _, err := learn(l, 1, "yes, Sat and Sun", "is the merch store open on weekends?"); err != nil {
		t.Fatal(err)
	}
	broken := []byte("entries:\n  - id: learned-1\n    questions: [what keyboard\n")
	if err := os.WriteFile(l.Path(), broken, 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err := learn(l, 2, "browns", "what keyboard switches?")
	var b interface{ FAQBroken() bool }
	if !errors.As(err, &b) || !b.FAQBroken() || !strings.Contains(err.Error(), l.Path()+":3:") {
		t.Fatalf("Learn over a broken learned file = %v; want a BrokenFAQError naming %s:3", err, l.Path())
	}
	if data, _ := os.ReadFile(l.Path()); string(data) != string(broken) {
		t.Errorf("the broken file was changed:\n%s", data)
	}
	if res, _ := r.Lookup("is the merch store open on weekends?", 1); res.Best == nil || res.Best.Entry.ID != "learned-1" {
		t.Errorf("the responder lost what it had learned: %+v", res.Best)
	}

	// A learned path that cannot be read at all is the same refusal.
	if err := os.Remove(l.Path()); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(l.Path(), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, _, err := learn(l, 2, "browns", "what keyboard switches?"); !errors.As(err, &b) {
		t.Errorf("Learn into a directory = %v; want a BrokenFAQError", err)
	}
}
