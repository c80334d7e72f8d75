package replay

import (
	"fmt"
	"io"
	"strings"

	"github.com/chatdesk/chatdesk/internal/chat"
)

// Spam labels mark a line of a moderation set; any other label is the id of
// the FAQ entry that should answer the line, and "" says no entry should.
const (
	LabelSpam = "spam"
	LabelOK   = "ok"
)

// Score tallies a replay of labelled chat against its labels, counted the
// way the dev sets' README scores them: a line is answered when its
// decision is an answer, and flagged when it is a moderation.
type Score struct {
	FAQ  FAQScore
	Spam SpamScore
	// Unlabelled counts lines without an "expect" field; they are replayed
	// (they are context for the labelled ones) but not scored.
	Unlabelled int
	// Wrong lists the answers a viewer would have seen in error: the wrong
	// entry, or an answer where none was wanted. Missed lists answerable
	// lines left unanswered, and Flagged honest lines moderated; spam let
	// through is in Unflagged. Each keeps at most MaxListed lines.
	Wrong, Missed, Flagged, Unflagged []Scored
}

// MaxListed bounds each list of a Score, so scoring a large file keeps
// constant memory; the counts stay exact.
const MaxListed = 200

// Scored is one line a score lists: what was expected and what was decided.
type Scored struct {
	Line       int
	Text       string
	Expect     string
	Action     chat.Action
	FAQ        string
	Confidence float64
	Rule       string
}

// FAQScore counts the lines labelled with an FAQ entry or with "".
type FAQScore struct {
	Lines      int // labelled lines
	Answerable int // lines with an entry to answer them
	Answers    int // answered lines
	Correct    int // answered with the expected entry
	False      int // answered where no entry should answer
	Unanswered int // answerable lines not answered at all
}

// Precision is the share of answers that were the expected entry.
func (s FAQScore) Precision() float64 { return ratio(s.Correct, s.Answers) }

// Recall is the share of answerable lines answered with their entry.
func (s FAQScore) Recall() float64 { return ratio(s.Correct, s.Answerable) }

// FalseAnswerRate is the share of lines that needed no answer and got one.
func (s FAQScore) FalseAnswerRate() float64 { return ratio(s.False, s.Lines-s.Answerable) }

// SpamScore counts the lines labelled spam or ok.
type SpamScore struct {
	Spam, OK       int // lines with each label
	Caught         int // spam lines moderated
	FalsePositives int // ok lines moderated
}

// CatchRate is the share of spam lines moderated.
func (s SpamScore) CatchRate() float64 { return ratio(s.Caught, s.Spam) }

// FalsePositiveRate is the share of honest lines moderated.
func (s SpamScore) FalsePositiveRate() float64 { return ratio(s.FalsePositives, s.OK) }

// Precision is the share of moderated lines that were spam.
func (s SpamScore) Precision() float64 { return ratio(s.Caught, s.Caught+s.FalsePositives) }

func ratio(n, d int) float64 {
	if d == 0 {
		return 0
	}
	return float64(n) / float64(d)
}

// Add scores one replayed line.
func (s *Score) Add(rec Record, o Output) {
	if !rec.Labelled {
		s.Unlabelled++
		return
	}
	sc := Scored{Line: rec.Line, Text: o.Text, Expect: rec.Expect, Action: o.Action, FAQ: o.FAQ, Confidence: o.Confidence, Rule: o.Rule}
	flagged := o.Action == chat.ActionModerate
	switch rec.Expect {
	case LabelSpam:
		s.Spam.Spam++
		if flagged {
			s.Spam.Caught++
		} else {
			s.Unflagged = keep(s.Unflagged, sc)
		}
		return
	case LabelOK:
		s.Spam.OK++
		if flagged {
			s.Spam.FalsePositives++
			s.Flagged = keep(s.Flagged, sc)
		}
		return
	}
	s.FAQ.Lines++
	answered := o.Action == chat.ActionAnswer
	if rec.Expect != "" {
		s.FAQ.Answerable++
	}
	switch {
	case answered && o.FAQ == rec.Expect:
		s.FAQ.Answers++
		s.FAQ.Correct++
	case answered:
		s.FAQ.Answers++
		if rec.Expect == "" {
			s.FAQ.False++
		}
		s.Wrong = keep(s.Wrong, sc)
	case rec.Expect != "":
		s.FAQ.Unanswered++
		s.Missed = keep(s.Missed, sc)
	}
}

func keep(list []Scored, sc Scored) []Scored {
	if len(list) >= MaxListed {
		return list
	}
	return append(list, sc)
}

// Labelled reports whether any scored line carried a label.
func (s *Score) Labelled() bool { return s.FAQ.Lines+s.Spam.Spam+s.Spam.OK > 0 }

// Write prints the score for a streamer: the rates, then the lines worth
// reading — wrong answers first, since those are what chat saw — up to
// show of each list (0: none, negative: all that were kept).
func (s *Score) Write(w io.Writer, show int) error {
	var b strings.Builder
	if f := s.FAQ; f.Lines > 0 {
		fmt.Fprintf(&b, "answers: %s, %d answerable\n", plural(f.Lines, "labelled line"), f.Answerable)
		fmt.Fprintf(&b, "  precision %.3f (%d right of %s)\n", f.Precision(), f.Correct, plural(f.Answers, "answer"))
		fmt.Fprintf(&b, "  recall    %.3f (%d of %s)\n", f.Recall(), f.Correct, plural(f.Answerable, "answerable line"))
		fmt.Fprintf(&b, "  false answers %.3f (%d of %d that needed none)\n", f.FalseAnswerRate(), f.False, f.Lines-f.Answerable)
	}
	if p := s.Spam; p.Spam+p.OK > 0 {
		fmt.Fprintf(&b, "moderation: %s, %s\n", plural(p.Spam, "spam line"), plural(p.OK, "honest line"))
		fmt.Fprintf(&b, "  caught %.3f (%d of %d)\n", p.CatchRate(), p.Caught, p.Spam)
		fmt.Fprintf(&b, "  false positives %.3f (%d of %d)\n", p.FalsePositiveRate(), p.FalsePositives, p.OK)
		fmt.Fprintf(&b, "  precision %.3f\n", p.Precision())
	}
	if s.Unlabelled > 0 {
		fmt.Fprintf(&b, "%s without a label replayed but not scored\n", plural(s.Unlabelled, "line"))
	}
	lists := []struct {
		title string
		lines []Scored
		total int
	}{
		{"wrong answers", s.Wrong, s.FAQ.Answers - s.FAQ.Correct},
		{"honest lines moderated", s.Flagged, s.Spam.FalsePositives},
		{"answerable lines left unanswered", s.Missed, s.FAQ.Unanswered},
		{"spam let through", s.Unflagged, s.Spam.Spam - s.Spam.Caught},
	}
	for _, l := range lists {
		if show == 0 || len(l.lines) == 0 {
			continue
		}
		n := len(l.lines)
		if show > 0 && n > show {
			n = show
		}
		fmt.Fprintf(&b, "\n%s (%d):\n", l.title, l.total)
		for _, sc := range l.lines[:n] {
			b.WriteString("  " + sc.describe() + "\n")
		}
		if more := l.total - n; more > 0 {
			fmt.Fprintf(&b, "  … and %d more\n", more)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// describe is one listed line: where it is, what was wanted, what was done.
func (sc Scored) describe() string {
	want := sc.Expect
	if want == "" {
		want = "no answer"
	}
	var got string
	switch sc.Action {
	case chat.ActionAnswer:
		got = fmt.Sprintf("answered %s (%.2f)", sc.FAQ, sc.Confidence)
	case chat.ActionModerate:
		got = "moderated by " + sc.Rule
	case chat.ActionEscalate:
		got = "a ticket"
	case chat.ActionIgnore:
		got = "no answer"
	default:
		got = string(sc.Action)
	}
	if sc.Action != chat.ActionAnswer && sc.Confidence > 0 {
		got += fmt.Sprintf(" (best %.2f)", sc.Confidence)
	}
	return fmt.Sprintf("line %d: want %s, got %s: %s", sc.Line, want, got, chat.Printable(sc.Text))
}
