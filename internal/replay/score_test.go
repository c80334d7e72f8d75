package replay_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chatdesk/chatdesk/internal/chat"
	"github.com/chatdesk/chatdesk/internal/replay"
)

// labeller decides from the text: "a:ID" answers with entry ID, "spam"
// anywhere moderates, anything else is ignored.
type labeller struct{}

func (labeller) Handle(_ context.Context, msg chat.Message) (chat.Decision, error) {
	switch {
	case strings.HasPrefix(msg.Text, "a:"):
		return chat.Decision{Action: chat.ActionAnswer, FAQ: strings.TrimPrefix(msg.Text, "a:"), Confidence: 0.8}, nil
	case strings.Contains(msg.Text, "spam"):
		return chat.Decision{Action: chat.ActionModerate, Rule: "links"}, nil
	}
	return chat.Decision{}, nil
}

func TestScore(t *testing.T) {
	line := func(text, expect string) string {
		return fmt.Sprintf(`{"user":"v","text":%q,"expect":%q}`, text, expect)
	}
	tests := []struct {
		name                            string
		lines                           []string
		correct, answers, answerable    int
		falseAns, unanswered, labelled  int
		spam, ok, caught, fp, unlabeled int
		precision, recall, far          float64
	}{
		{
			name:    "right answer",
			lines:   []string{line("a:keyboard", "keyboard")},
			correct: 1, answers: 1, answerable: 1, labelled: 1, precision: 1, recall: 1,
		},
		{
			name:    "wrong entry counts against precision and recall, not as a false answer",
			lines:   []string{line("a:mouse", "keyboard"), line("a:keyboard", "keyboard")},
			correct: 1, answers: 2, answerable: 2, labelled: 2, precision: 0.5, recall: 0.5,
		},
		{
			name:    "an answer where none was wanted is a false answer",
			lines:   []string{line("a:keyboard", ""), line("hello", ""), line("how old", "age")},
			answers: 1, answerable: 1, falseAns: 1, unanswered: 1, labelled: 3, far: 0.5,
		},
		{
			name:  "spam labels score moderation",
			lines: []string{line("spam link", "spam"), line("more spam", "ok"), line("buy", "spam"), line("hi", "ok")},
			spam:  2, ok: 2, caught: 1, fp: 1,
		},
		{
			name:      "lines without a label, or with one that is not a string, are not scored",
			lines:     []string{`{"user":"v","text":"a:keyboard"}`, `{"user":"v","text":"a:keyboard","expect":3}`, "not json"},
			unlabeled: 3,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var sc replay.Score
			rp := replay.NewReplayer(labeller{}, "mira", replay.FormatJSONL, &bytes.Buffer{})
			rp.Score = &sc
			in := strings.Join(tt.lines, "\n")
			if err := rp.Replay(context.Background(), "chat.jsonl", strings.NewReader(in), 0); err != nil {
				t.Fatal(err)
			}
			f := sc.FAQ
			if f.Correct != tt.correct || f.Answers != tt.answers || f.Answerable != tt.answerable || f.False != tt.falseAns || f.Unanswered != tt.unanswered || f.Lines != tt.labelled {
				t.Errorf("FAQ score %+v; want correct %d answers %d answerable %d false %d unanswered %d lines %d",
					f, tt.correct, tt.answers, tt.answerable, tt.falseAns, tt.unanswered, tt.labelled)
			}
			if f.Precision() != tt.precision || f.Recall() != tt.recall || f.FalseAnswerRate() != tt.far {
				t.Errorf("precision %v recall %v false-answer rate %v; want %v %v %v", f.Precision(), f.Recall(), f.FalseAnswerRate(), tt.precision, tt.recall, tt.far)
			}
			s := sc.Spam
			if s.Spam != tt.spam || s.OK != tt.ok || s.Caught != tt.caught || s.FalsePositives != tt.fp {
				t.Errorf("spam score %+v; want spam %d ok %d caught %d fp %d", s, tt.spam, tt.ok, tt.caught, tt.fp)
			}
			if sc.Unlabelled != tt.unlabeled {
				t.Errorf("Unlabelled = %d; want %d", sc.Unlabelled, tt.unlabeled)
			}
		})
	}
}

func TestScoreWrite(t *testing.T) {
	var sc replay.Score
	rp := replay.NewReplayer(labeller{}, "mira", replay.FormatJSONL, &bytes.Buffer{})
	rp.Score = &sc
	in := `{"text":"a:mouse","expect":"keyboard"}
{"text":"a:keyboard","expect":"keyboard"}
{"text":"a:pet","expect":""}
{"text":"how old \u202eis it","expect":"age"}
{"text":"hi spam","expect":"ok"}
{"text":"buy","expect":"spam"}
{"text":"a:x"}
`
	if err := rp.Replay(context.Background(), "chat.jsonl", strings.NewReader(in), 0); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := sc.Write(&out, 1); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{
		"answers: 4 labelled lines, 3 answerable\n",
		"  precision 0.333 (1 right of 3 answers)\n",
		"  recall    0.333 (1 of 3 answerable lines)\n",
		"  false answers 1.000 (1 of 1 that needed none)\n",
		"moderation: 1 spam line, 1 honest line\n",
		"  caught 0.000 (0 of 1)\n",
		"1 line without a label replayed but not scored\n",
		"wrong answers (2):\n  line 1: want keyboard, got answered mouse (0.80): a:mouse\n  … and 1 more\n",
		"answerable lines left unanswered (1):\n  line 4: want age, got no answer: how old \\u202eis it\n",
		"honest lines moderated (1):\n  line 5: want ok, got moderated by links: hi spam\n",
		"spam let through (1):\n  line 6: want spam, got no answer: buy\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("score output lacks %q:\n%s", want, got)
		}
	}
	out.Reset()
	if err := sc.Write(&out, 0); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "line 1:") {
		t.Errorf("show 0 listed lines:\n%s", out.String())
	}
}
