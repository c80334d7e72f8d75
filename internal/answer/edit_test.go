package answer_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chatdesk/chatdesk/internal/answer"
	"github.com/chatdesk/chatdesk/internal/question"
)

const editable = `# Mira's FAQ — keep it short.
entries:
  # the one everybody asks
  - id: schedule
    questions:
      - when do you stream?   # the classic
      - what's the schedule
    answer: "Tue, Thu & Sat at 18:00"
    cooldown: 2m
  - id: pc
    questions: [what pc do you have]
    answer: a custom build
`

// TestEditFAQ: an edit changes the entry's answer and questions, keeps the
// file's comments and order, and the responder answers from it at once.
func TestEditFAQ(t *testing.T) {
	path := filepath.Join(t.TempDir(), "faq.yaml")
	if err := os.WriteFile(path, []byte(editable), 0o644); err != nil {
		t.Fatal(err)
	}
	entries, _ := answer.LoadFAQ(path)
	ix, _ := answer.Build(entries)
	r := answer.NewResponder(ix, question.Detector{}, answer.Settings{}, nil, nil)
	defer r.Close()
	file, err := answer.EditFAQ([]string{path}, r, answer.Edit{ID: "schedule", Answer: "Mon & Fri at 19:00: moved!",
		Questions: []string{"what's the schedule", "when do you stream?", "when are you live"}})
	if err != nil || file != path {
		t.Fatalf("edit: %q, %v", file, err)
	}
	got, _ := os.ReadFile(path)
	for _, keep := range []string{"# Mira's FAQ — keep it short.", "# the one everybody asks", "# the classic", "cooldown: 2m", "id: pc"} {
		if !strings.Contains(string(got), keep) {
			t.Errorf("the edit lost %q:\n%s", keep, got)
		}
	}
	if strings.Index(string(got), "id: schedule") > strings.Index(string(got), "id: pc") {
		t.Errorf("the edit reordered the entries:\n%s", got)
	}
	res, err := r.Lookup("when are you live?", 1)
	if err != nil || res.Best == nil || res.Best.Entry.Answer != "Mon & Fri at 19:00: moved!" {
		t.Fatalf("the responder does not answer from the edit: %+v %v", res.Best, err)
	}
}

// TestEditFAQRefused: an edit that would not load (no questions, a
// question another entry has) changes nothing and says where.
func TestEditFAQRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "faq.yaml")
	if err := os.WriteFile(path, []byte(editable), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, e := range []answer.Edit{
		{ID: "schedule", Answer: "x", Questions: nil},
		{ID: "schedule", Answer: "x", Questions: []string{"what pc do you have"}},
		{ID: "schedule", Answer: "", Questions: []string{"when"}},
	} {
		_, err := answer.EditFAQ([]string{path}, nil, e)
		var ve *answer.ValidationError
		if !errors.As(err, &ve) || !strings.Contains(err.Error(), path+":") {
			t.Errorf("edit %+v: %v; want a validation error naming %s:line", e, err, path)
		}
		if got, _ := os.ReadFile(path); string(got) != editable {
			t.Errorf("a refused edit changed the file:\n%s", got)
		}
	}
	if _, err := answer.EditFAQ([]string{path}, nil, answer.Edit{ID: "nope", Answer: "x", Questions: []string{"y"}}); !errors.Is(err, answer.ErrNoEntry) {
		t.Errorf("unknown id: %v", err)
	}
}
