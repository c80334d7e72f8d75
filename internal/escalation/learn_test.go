package escalation_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// lesson is one call to the learner.
type lesson struct {
	ID, Answer, Note string
	Questions        []string
}

// fakeLearner records what the desk asks to learn; the real learner, which
// writes the FAQ file, is tested where it lives (internal/answer).
type fakeLearner struct {
	got  []lesson
	err  error
	seen map[string]bool
}

func (f *fakeLearner) Learn(_ context.Context, id string, questions []string, answer, note string) (string, []string, error) {
	if f.err != nil {
		return "", nil, f.err
	}
	if f.seen == nil {
		f.seen = map[string]bool{}
	}
	var fresh []string
	for _, q := range questions {
		if !f.seen[q] {
			f.seen[q] = true
			fresh = append(fresh, q)
		}
	}
	if len(fresh) == 0 {
		return "", nil, nil
	}
	f.got = append(f.got, lesson{ID: id, Answer: answer, Note: note, Questions: questions})
	return id, fresh, nil
}

func TestLearn(t *testing.T) {
	l := &fakeLearner{}
	h := newDesk(t, openBolt(t), defaultSettings(), l)
	h.viewer("ana", "!ask is the merch store open on weekends?")
	h.viewer("bob", "!ask @mira merch store open weekends?")

	d := h.mod("kim", "!learn 1")
	wantReply(t, d, "no answer to learn", "!answer 1")
	h.mod("kim", "!answer 1 yes, Sat and Sun")
	d = h.mod("kim", "!learn 1")
	wantReply(t, d, "learned ✓", `"learned-1"`)
	if d.FAQ != "learned-1" || len(l.got) != 1 {
		t.Fatalf("decision FAQ %q, %d learned; want learned-1, once", d.FAQ, len(l.got))
	}
	r := l.got[0]
	if r.Answer != "yes, Sat and Sun" || !strings.Contains(r.Note, "learned by kim") || !strings.Contains(r.Note, "ticket #1") ||
		fmt.Sprint(r.Questions) != "[is the merch store open on weekends? merch store open weekends?]" {
		t.Errorf("learn request %+v; want both wordings without the @mention, and kim's answer", r)
	}
	d = h.mod("kim", "!learn 1")
	wantReply(t, d, "already has")
	d = h.mod("kim", "!learn 9")
	wantReply(t, d, "there is no ticket #9")
	h.viewer("cy", "!report someone is rude")
	h.mod("kim", "!answer 2 handled")
	d = h.mod("kim", "!learn 2")
	wantReply(t, d, "no answer to learn")

	l.err = errors.New("disk full")
	h.viewer("dan", "!ask what keyboard switches?")
	h.mod("kim", "!answer 3 browns")
	d = h.mod("kim", "!learn 3")
	wantReply(t, d, "couldn't add #3", "log")
	if got := texts(d); got == "" || strings.Contains(got, "disk full") {
		t.Errorf("reply %q; an internal error must not reach chat", got)
	}
}

func TestLearnWithoutALearner(t *testing.T) {
	h := newDesk(t, openBolt(t), defaultSettings(), nil)
	if _, ok := h.cmds["learn"]; ok {
		t.Fatal("!learn offered without a learner")
	}
}

// brokenFAQ is the learner's error while the FAQ files do not load.
type brokenFAQ struct{}

func (brokenFAQ) Error() string   { return "learned/mira.yaml:3: yaml: did not find expected ','" }
func (brokenFAQ) FAQBroken() bool { return true }

// TestLearnWhileTheFAQDoesNotLoad: the moderator is told to have the FAQ
// fixed, not to retry, and no file text reaches chat.
func TestLearnWhileTheFAQDoesNotLoad(t *testing.T) {
	l := &fakeLearner{err: fmt.Errorf("learn: %w", brokenFAQ{})}
	h := newDesk(t, openBolt(t), defaultSettings(), l)
	h.viewer("ana", "!ask is the merch store open on weekends?")
	h.mod("kim", "!answer 1 yes")
	d := h.mod("kim", "!learn 1")
	wantReply(t, d, "couldn't add #1", "do not load", "!learn 1 again")
	if got := texts(d); strings.Contains(got, "yaml") {
		t.Errorf("reply %q; the parser's error must not reach chat", got)
	}
}
