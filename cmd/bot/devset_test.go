package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/chatdesk/chatdesk/internal/devdata"
)

// devData finds the labelled dev data beside the repository (see devdata.Dir).
func devData(t testing.TB) string { return devdata.Dir(t) }

// devScore is what the dev README defines for a FAQ set.
type devScore struct {
	answers, correct, positives, negatives, falseAnswers int
}

func (s devScore) precision() float64 { return ratio(s.correct, s.answers) }
func (s devScore) recall() float64    { return ratio(s.correct, s.positives) }
func (s devScore) falseRate() float64 { return ratio(s.falseAnswers, s.negatives) }

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// scoreReplay runs `bot replay --faq <set>/faq.yaml <set>/chat.jsonl` through
// the real command and scores its output against the labels.
func scoreReplay(t *testing.T, dir, set string) devScore {
	t.Helper()
	chatFile := filepath.Join(dir, set, "chat.jsonl")
	var stdout, stderr bytes.Buffer
	a := &app{env: nil, stdin: bytes.NewReader(nil), stdout: &stdout, stderr: &stderr}
	err := a.execute(context.Background(), []string{"replay", "--config", "../../config.yaml",
		"--faq", filepath.Join(dir, set, "faq.yaml"), chatFile})
	if err != nil {
		t.Fatalf("replay %s: %v\n%s", set, err, stderr.String())
	}
	expect := map[int]string{}
	f, err := os.Open(chatFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var s devScore
	for n := 1; sc.Scan(); n++ {
		var l struct{ Expect string }
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("%s:%d: %v", chatFile, n, err)
		}
		expect[n] = l.Expect
		if l.Expect != "" {
			s.positives++
		} else {
			s.negatives++
		}
	}
	out := bufio.NewScanner(&stdout)
	out.Buffer(make([]byte, 1<<20), 1<<20)
	lines := 0
	for out.Scan() {
		lines++
		var d struct {
			Line   int
			Action string
			FAQ    string
		}
		if err := json.Unmarshal(out.Bytes(), &d); err != nil {
			t.Fatalf("replay output line %d: %v", lines, err)
		}
		if d.Action != "answer" {
			continue
		}
		s.answers++
		want := expect[d.Line]
		switch {
		case want == "":
			s.falseAnswers++
		case want == d.FAQ:
			s.correct++
		}
	}
	if lines != len(expect) {
		t.Errorf("replay printed %d decisions for %d messages", lines, len(expect))
	}
	return s
}

// TestDevSetQuality holds the answer quality on the labelled dev chat to
// the bars the project promises: precision ≥ 0.95 and false answers on
// messages the FAQ does not cover ≤ 1 %, per language, with the shipped
// thresholds.
func TestDevSetQuality(t *testing.T) {
	dir := devData(t)
	for _, set := range []string{"en", "zh"} {
		t.Run(set, func(t *testing.T) {
			s := scoreReplay(t, dir, set)
			t.Logf("%s: %d answers, precision %.3f, recall %.3f, false answers %.4f (%d of %d)",
				set, s.answers, s.precision(), s.recall(), s.falseRate(), s.falseAnswers, s.negatives)
			if s.answers == 0 {
				t.Fatal("no answers at all")
			}
			if p := s.precision(); p < 0.95 {
				t.Errorf("precision %.3f; want ≥ 0.95", p)
			}
			if f := s.falseRate(); f > 0.01 {
				t.Errorf("false-answer rate %.4f; want ≤ 0.01", f)
			}
		})
	}
}
