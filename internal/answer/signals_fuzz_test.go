package answer

import (
	"math"
	"testing"

	"github.com/chatdesk/chatdesk/internal/question"
)

// FuzzCandidates feeds any line through the normalisers and the matcher:
// nothing panics, and every confidence is a probability.
func FuzzCandidates(f *testing.F) {
	for _, s := range []string{"when do you stream?", "主播會講杭州話嗎", "咋进群 3楼", "discord link", "😂😂", "", "\xff\xfe", "ｆｕｌｌ ps5 二楼"} {
		f.Add(s)
	}
	ix, err := Build([]Entry{
		{ID: "schedule", Questions: []string{"when do you stream", "什么时候开播"}, Keywords: []string{"schedule", "how long"}, Answer: "a"},
		{ID: "group", Questions: []string{"怎么进粉丝群 2群", "is there a discord"}, Answer: "b"},
	})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { ix.Close() })
	f.Fuzz(func(t *testing.T, s string) {
		_ = foldZh(s)
		_ = askType(s)
		_ = newZhContent(s)
		_ = requestShaped(question.Question{Lang: question.LangEnglish, Why: "statement"}, s)
		for _, lang := range []string{question.LangEnglish, question.LangChinese} {
			cs, err := ix.Candidates(s, lang, 3)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range cs {
				if c.Confidence < 0 || c.Confidence > 1 || math.IsNaN(c.Confidence) {
					t.Fatalf("Candidates(%q, %s): confidence %v", s, lang, c.Confidence)
				}
			}
		}
	})
}
