package answer_test

import (
	"testing"

	"github.com/chatdesk/chatdesk/internal/answer"
	"github.com/chatdesk/chatdesk/internal/answer/answertest"
)

// BenchmarkCandidatesLarge matches generated questions against a
// generated 10,000-entry FAQ (30,000 example questions).
// Run: go test -run '^$' -bench BenchmarkCandidatesLarge -benchmem ./internal/answer
func BenchmarkCandidatesLarge(b *testing.B) {
	entries, err := answer.ParseFAQ("big.yaml", answertest.FAQ(10_000, 1))
	if err != nil {
		b.Fatal(err)
	}
	ix, err := answer.Build(entries)
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
