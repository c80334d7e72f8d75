package answer_test

import (
	"fmt"
	"testing"

	"github.com/chatdesk/chatdesk/internal/answer"
	"github.com/chatdesk/chatdesk/internal/answer/answertest"
	"github.com/chatdesk/chatdesk/internal/question"
)

// TestDecisionsRepeat: two builds of one 10,000-entry FAQ, whose templated
// questions tie with each other all the time, decide every question the
// same way: the same entries, in the same order, as sure, from the same
// example.
func TestDecisionsRepeat(t *testing.T) {
	entries := bigFAQ(t)
	questions := answertest.Questions(500, 2)
	var runs [2][]string
	for run := range runs {
		ix, err := answer.Build(entries)
		if err != nil {
			t.Fatal(err)
		}
		r := answer.NewResponder(ix, question.Detector{}, answer.Settings{}, nil, nil)
		for _, q := range questions {
			res, err := r.Lookup(q, 5)
			if err != nil {
				t.Fatal(err)
			}
			d := fmt.Sprintf("%s: best %v;", q, res.Best != nil)
			for _, c := range res.Candidates {
				d += fmt.Sprintf(" %s %.6f %q", c.Entry.ID, c.Confidence, c.Example)
			}
			runs[run] = append(runs[run], d)
		}
		r.Close()
	}
	differ := 0
	for i := range questions {
		if runs[0][i] != runs[1][i] {
			if differ++; differ <= 5 {
				t.Errorf("decided differently:\n  %s\n  %s", runs[0][i], runs[1][i])
			}
		}
	}
	if differ > 0 {
		t.Errorf("%d of %d questions decided differently", differ, len(questions))
	}
}

// BenchmarkCandidatesLarge matches generated questions against a
// generated 10,000-entry FAQ (30,000 example questions).
// Run: go test -run '^$' -bench BenchmarkCandidatesLarge -benchmem ./internal/answer
func BenchmarkCandidatesLarge(b *testing.B) {
	ix, err := answer.Build(bigFAQ(b))
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	qs := answertest.Questions(1000, 3)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := ix.Candidates(qs[i%len(qs)], "en", 2); err != nil {
			b.Fatal(err)
		}
	}
}

// bigFAQ is a generated 10,000-entry FAQ, whose templated questions tie
// with each other all the time.
func bigFAQ(tb testing.TB) []answer.Entry {
	tb.Helper()
	entries, err := answer.ParseFAQ("big.yaml", answertest.FAQ(10_000, 1))
	if err != nil {
		tb.Fatal(err)
	}
	return entries
}
