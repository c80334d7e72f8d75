package answer_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatdesk/chatdesk/internal/answer"
	"github.com/chatdesk/chatdesk/internal/chat"
	"github.com/chatdesk/chatdesk/internal/question"
)

// teaFAQ is a small FAQ: one entry with its own cooldown and a Chinese
// answer, one that takes the channel's cooldown.
const teaFAQ = `entries:
  - id: teapot
    questions:
      - what colour is the teapot
      - where did you get the teapot
      - 茶壶是什么颜色
    keywords: [teapot, 茶壶]
    answer: "The teapot is blue."
    answer_zh: "茶壶是蓝色的。"
    cooldown: 1m

  - id: plant
    questions:
      - what plant is that
      - is the plant real
      - 那是什么植物
    keywords: [plant, fern, 植物]
    answer: "It's a fern called Gerald."
`

// index builds an index from FAQ text.
func index(t *testing.T, faq string) *answer.Index {
	t.Helper()
	entries, err := answer.ParseFAQ("test.yaml", []byte(faq))
	if err != nil {
		t.Fatalf("ParseFAQ: %v", err)
	}
	ix, err := answer.Build(entries)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return ix
}

// responder builds a responder over faq whose channel cooldown is 10m.
func responder(t *testing.T, faq string, now func() time.Time) *answer.Responder {
	t.Helper()
	r := answer.NewResponder(index(t, faq), question.Detector{Names: []string{"chatdesk", "mira"}},
		answer.Settings{Cooldown: 10 * time.Minute}, now, nil)
	t.Cleanup(func() { r.Close() })
	return r
}

// clock is a time source a test moves by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

var t0 = time.Date(2025, 3, 1, 19, 0, 0, 0, time.UTC)

// reply kinds a step of a cooldown scenario expects.
const (
	full    = "full answer"
	pointer = "pointer"
	silent  = "no reply"
)

type step struct {
	user string
	text string
	at   time.Duration // after t0
	want string        // full, pointer or silent
	note string
}

func runSteps(t *testing.T, r *answer.Responder, steps []step) {
	t.Helper()
	for i, s := range steps {
		msg := chat.Message{ID: fmt.Sprintf("m%d", i+1), Channel: "mira", User: s.user, Text: s.text, Time: t0.Add(s.at)}
		d := r.Handle(context.Background(), msg)
		where := fmt.Sprintf("step %d (%s at +%v: %q)", i+1, s.user, s.at, s.text)
		if d.Action != chat.ActionAnswer {
			t.Errorf("%s: Action = %q; want %q", where, d.Action, chat.ActionAnswer)
			continue
		}
		if d.Note != s.note {
			t.Errorf("%s: Note = %q; want %q", where, d.Note, s.note)
		}
		var got string
		switch {
		case len(d.Replies) == 0:
			got = silent
		case len(d.Replies) > 1:
			t.Errorf("%s: %d replies; want at most 1", where, len(d.Replies))
			continue
		case strings.Contains(d.Replies[0].Text, "↑"):
			got = pointer
		default:
			got = full
		}
		if got != s.want {
			t.Errorf("%s: got %s (%+v); want %s", where, got, d.Replies, s.want)
		}
		if len(d.Replies) == 1 && d.Replies[0].ParentID != msg.ID {
			t.Errorf("%s: reply threads under %q; want %q", where, d.Replies[0].ParentID, msg.ID)
		}
	}
}

func TestResponderCooldown(t *testing.T) {
	const q = "what colour is the teapot?"
	tests := []struct {
		name  string
		steps []step
	}{
		{
			name: "repeat, pointer once, then full again after the entry's cooldown",
			steps: []step{
				{"ana", q, 0, full, ""},
				{"ana", q, 20 * time.Second, pointer, "cooldown"},
				{"ana", q, 40 * time.Second, silent, "cooldown, already pointed"},
				{"ana", q, 59 * time.Second, silent, "cooldown, already pointed"},
				{"ana", q, time.Minute, full, ""},
			},
		},
		{
			name: "each asker gets their own pointer",
			steps: []step{
				{"ana", q, 0, full, ""},
				{"bo", q, 10 * time.Second, pointer, "cooldown"},
				{"cy", q, 20 * time.Second, pointer, "cooldown"},
				{"bo", q, 30 * time.Second, silent, "cooldown, already pointed"},
			},
		},
		{
			name: "another phrasing of the same entry is inside the same cooldown",
			steps: []step{
				{"ana", q, 0, full, ""},
				{"bo", "where did you get the teapot?", 5 * time.Second, pointer, "cooldown"},
			},
		},
		{
			name: "entries cool down separately",
			steps: []step{
				{"ana", q, 0, full, ""},
				{"ana", "what plant is that?", 5 * time.Second, full, ""},
			},
		},
		{
			name: "an entry without its own cooldown takes the channel's",
			steps: []step{
				{"ana", "what plant is that?", 0, full, ""},
				{"bo", "what plant is that?", 5 * time.Minute, pointer, "cooldown"},
				{"cy", "what plant is that?", 10 * time.Minute, full, ""},
			},
		},
		{
			name: "the pointer itself cools down",
			steps: []step{
				{"ana", q, 0, full, ""},
				{"bo", q, 50 * time.Second, pointer, "cooldown"},
				{"ana", q, 70 * time.Second, full, ""},
				{"bo", q, 80 * time.Second, silent, "cooldown, already pointed"},
				{"bo", q, 111 * time.Second, pointer, "cooldown"},
			},
		},
		{
			name: "a question in another language gets the answer in its language",
			steps: []step{
				{"ana", q, 0, full, ""},
				{"bo", "茶壶是什么颜色？", 10 * time.Second, full, ""},
				{"cy", "茶壶是什么颜色？", 20 * time.Second, pointer, "cooldown"},
				{"dee", q, 30 * time.Second, pointer, "cooldown"},
				{"eli", q, time.Minute, full, ""},
			},
		},
		{
			name: "an entry with one answer for all languages cools down as one",
			steps: []step{
				{"ana", "what plant is that?", 0, full, ""},
				{"bo", "那是什么植物？", 10 * time.Second, pointer, "cooldown"},
			},
		},
		{
			name: "a message stamped earlier than the last answer is answered",
			steps: []step{
				{"ana", q, time.Minute, full, ""},
				{"bo", q, 0, full, ""},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runSteps(t, responder(t, teaFAQ, nil), tt.steps)
		})
	}
}

func TestResponderPointerText(t *testing.T) {
	r := responder(t, teaFAQ, nil)
	ask := func(user, text string, at time.Duration) chat.Decision {
		return r.Handle(context.Background(), chat.Message{ID: user, User: user, Text: text, Time: t0.Add(at)})
	}
	ask("ana", "what colour is the teapot?", 0)
	if got, want := ask("bo", "what colour is the teapot?", 30*time.Second).Replies[0].Text, "I answered that 30s ago"; !strings.Contains(got, want) {
		t.Errorf("pointer = %q; want it to contain %q", got, want)
	}
	// The plant has one answer for every language, so a Chinese question
	// inside its cooldown is pointed at the answer already posted, in Chinese.
	ask("ana", "what plant is that?", 0)
	d := ask("mei", "那是什么植物？", 45*time.Second)
	if len(d.Replies) != 1 || !strings.Contains(d.Replies[0].Text, "45秒") {
		t.Errorf("pointer to a Chinese question = %+v; want one reply in Chinese saying 45秒", d.Replies)
	}
}

// TestResponderClock: a message without a time is stamped by the
// responder's clock.
func TestResponderClock(t *testing.T) {
	c := &clock{t: t0}
	r := responder(t, teaFAQ, c.Now)
	ask := func(user string) chat.Decision {
		return r.Handle(context.Background(), chat.Message{ID: user, User: user, Text: "what colour is the teapot?"})
	}
	if d := ask("ana"); d.Note != "" || len(d.Replies) != 1 {
		t.Fatalf("first ask = %+v; want the full answer", d)
	}
	c.Advance(59 * time.Second)
	if d := ask("bo"); d.Note != "cooldown" {
		t.Errorf("ask at +59s: Note = %q; want cooldown", d.Note)
	}
	c.Advance(time.Second)
	if d := ask("cy"); d.Note != "" || len(d.Replies) != 1 || d.Replies[0].Text != "The teapot is blue." {
		t.Errorf("ask at +60s = %+v; want the full answer again", d)
	}
}

func TestResponderLanguage(t *testing.T) {
	tests := []struct {
		text string
		lang string
		want string
	}{
		{"what colour is the teapot?", "en", "The teapot is blue."},
		{"茶壶是什么颜色？", "zh", "茶壶是蓝色的。"},
		// No answer_zh for the plant: the default answer it is.
		{"what plant is that?", "en", "It's a fern called Gerald."},
	}
	for _, tt := range tests {
		r := responder(t, teaFAQ, nil)
		d := r.Handle(context.Background(), chat.Message{ID: "m1", User: "ana", Text: tt.text, Time: t0})
		if d.Lang != tt.lang {
			t.Errorf("Handle(%q).Lang = %q; want %q", tt.text, d.Lang, tt.lang)
		}
		if len(d.Replies) != 1 || d.Replies[0].Text != tt.want {
			t.Errorf("Handle(%q) replies %+v; want %q", tt.text, d.Replies, tt.want)
		}
		if d.Confidence <= 0 || d.Confidence > 1 {
			t.Errorf("Handle(%q).Confidence = %v; want in (0, 1]", tt.text, d.Confidence)
		}
	}
}

func TestResponderLeavesAlone(t *testing.T) {
	r := responder(t, teaFAQ, nil)
	for _, text := range []string{
		"",
		"the teapot is nice",
		"hello everyone",
		"LUL",
		"!teapot",
		"@bob what colour is your teapot?",
		"how do I bake bread?",
	} {
		if d := r.Handle(context.Background(), chat.Message{ID: "m", User: "ana", Text: text, Time: t0}); d.Acted() {
			t.Errorf("Handle(%q) = %+v; want no action", text, d)
		}
	}
}

func TestResponderThreshold(t *testing.T) {
	// A threshold no match can reach: nothing is answered, but Lookup
	// still shows the candidates.
	r := answer.NewResponder(index(t, teaFAQ), question.Detector{}, answer.Settings{MinConfidence: map[string]float64{"en": 1.01}}, nil, nil)
	defer r.Close()
	if d := r.Handle(context.Background(), chat.Message{Text: "what colour is the teapot?"}); d.Acted() {
		t.Errorf("Handle above every confidence = %+v; want no action", d)
	}
	res, err := r.Lookup("what colour is the teapot?", 3)
	if err != nil {
		t.Fatal(err)
	}
	if res.Best != nil || len(res.Candidates) == 0 || res.Candidates[0].Entry.ID != "teapot" || res.Threshold != 1.01 {
		t.Errorf("Lookup = best %v, %d candidates, threshold %v; want no best, teapot first, threshold 1.01", res.Best, len(res.Candidates), res.Threshold)
	}
}

func TestSettingsThreshold(t *testing.T) {
	s := answer.Settings{MinConfidence: map[string]float64{"en": 0.7}}
	tests := []struct {
		lang string
		want float64
	}{
		{"en", 0.7},
		{"zh", answer.DefaultMinConfidence["zh"]},
		{"xx", answer.DefaultMinConfidence["en"]},
	}
	for _, tt := range tests {
		if got := s.Threshold(tt.lang); got != tt.want {
			t.Errorf("Threshold(%q) = %v; want %v", tt.lang, got, tt.want)
		}
	}
}

func TestResponderAnswerBypassesDetection(t *testing.T) {
	r := responder(t, teaFAQ, nil)
	entries := r.Entries()
	var plant answer.Entry
	for _, e := range entries {
		if e.ID == "plant" {
			plant = e
		}
	}
	msg := chat.Message{ID: "m1", User: "ana", Text: "!faq plant", Time: t0}
	d := r.Answer(msg, answer.Candidate{Entry: &plant, Confidence: 1})
	if len(d.Replies) != 1 || d.Replies[0].Text != plant.Answer || d.FAQ != "plant" {
		t.Errorf("Answer = %+v; want the plant answer", d)
	}
	msg.ID, msg.User = "m2", "bo"
	if d := r.Answer(msg, answer.Candidate{Entry: &plant, Confidence: 1}); d.Note != "cooldown" {
		t.Errorf("second Answer inside the cooldown: Note = %q; want cooldown", d.Note)
	}
}

// TestResponderSwapConcurrent swaps indexes while other goroutines look
// things up; run with -race. Every lookup sees one whole index or the other.
func TestResponderSwapConcurrent(t *testing.T) {
	const v2 = `entries:
  - id: teapot-v2
    questions: [what colour is the teapot]
    answer: "The teapot is green now."
`
	r := responder(t, teaFAQ, nil)
	const readers, lookups, swaps = 4, 50, 10
	var wg sync.WaitGroup
	errs := make(chan string, readers*lookups)
	for range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range lookups {
				res, err := r.Lookup("what colour is the teapot?", 2)
				if err != nil {
					errs <- err.Error()
					continue
				}
				if res.Best == nil {
					errs <- "no answer mid-swap"
					continue
				}
				if id := res.Best.Entry.ID; id != "teapot" && id != "teapot-v2" {
					errs <- "answered with " + id
				}
				d := r.Handle(context.Background(), chat.Message{ID: "m", User: fmt.Sprint(i), Text: "what colour is the teapot?"})
				if d.Action != chat.ActionAnswer {
					errs <- "Handle did not answer mid-swap"
				}
				_ = r.Entries()
			}
		}()
	}
	for i := range swaps {
		if i%2 == 0 {
			r.Swap(index(t, v2))
		} else {
			r.Swap(index(t, teaFAQ))
		}
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func TestResponderClosed(t *testing.T) {
	r := answer.NewResponder(index(t, teaFAQ), question.Detector{}, answer.Settings{}, nil, nil)
	if err := r.Close(); err != nil {
		t.Fatalf("Close = %v", err)
	}
	if err := r.Close(); err != nil {
		t.Errorf("second Close = %v; want nil", err)
	}
	if d := r.Handle(context.Background(), chat.Message{Text: "what colour is the teapot?"}); d.Acted() {
		t.Errorf("Handle after Close = %+v; want no action", d)
	}
	if got := r.Entries(); len(got) != 0 {
		t.Errorf("Entries after Close = %d; want none", len(got))
	}
}

func TestResponderMarksQuestions(t *testing.T) {
	r := responder(t, teaFAQ, nil)
	for _, tc := range []struct {
		text     string
		action   chat.Action
		question bool
	}{
		{"what colour is the teapot?", chat.ActionAnswer, true},
		{"what is the capital of peru?", "", true}, // a question the FAQ does not cover: missed
		{"nice stream today", "", false},
	} {
		d := r.Handle(context.Background(), chat.Message{ID: "1", User: "ana", Text: tc.text})
		if d.Action != tc.action || d.Question != tc.question {
			t.Errorf("Handle(%q) = action %q question %v; want action %q question %v", tc.text, d.Action, d.Question, tc.action, tc.question)
		}
		if d.Acted() != (tc.action != "") {
			t.Errorf("Handle(%q).Acted() = %v", tc.text, d.Acted())
		}
	}
}

// TestResponderTrustsReading: a message the pipeline has read is answered
// by that reading, in its language, without the responder reading the line
// again; an unread one is read by the responder itself.
func TestResponderTrustsReading(t *testing.T) {
	r := responder(t, teaFAQ, nil)
	const q = "what colour is the teapot?"
	tests := []struct {
		name    string
		reading chat.Reading
		action  chat.Action
		lang    string
	}{
		{"unread: the responder reads it", chat.Reading{}, chat.ActionAnswer, "en"},
		{"read as a question", chat.Reading{Question: true, Lang: "en", Why: "question mark"}, chat.ActionAnswer, "en"},
		// (A statement may still be answered as a request; a reaction never.)
		{"read as chat", chat.Reading{Lang: "en", Why: "reaction"}, "", ""},
		{"read as a Chinese question", chat.Reading{Question: true, Lang: "zh", Why: "zh particle 吗"}, "", "zh"},
	}
	for i, tt := range tests {
		msg := chat.Message{ID: fmt.Sprint("m", i), User: fmt.Sprint("u", i), Text: q, Time: t0.Add(time.Duration(i) * time.Hour), Reading: tt.reading}
		d := r.Handle(context.Background(), msg)
		if d.Action != tt.action || d.Lang != tt.lang {
			t.Errorf("%s: Handle = action %q lang %q; want action %q lang %q", tt.name, d.Action, d.Lang, tt.action, tt.lang)
		}
	}
	// The reading's language picks the answer's, whatever the text looks like.
	var teapot answer.Entry
	for _, e := range r.Entries() {
		if e.ID == "teapot" {
			teapot = e
		}
	}
	msg := chat.Message{ID: "z", User: "ana", Text: "!faq teapot", Time: t0.Add(10 * time.Hour), Reading: chat.Reading{Lang: "zh", Why: "command"}}
	if d := r.Answer(msg, answer.Candidate{Entry: &teapot, Confidence: 1}); len(d.Replies) != 1 || d.Replies[0].Text != teapot.AnswerIn("zh") {
		t.Errorf("Answer with a Chinese reading = %+v; want the Chinese answer %q", d.Replies, teapot.AnswerIn("zh"))
	}
}

// TestKeywordSharedByManyEntries: a keyword brings its entries in as
// candidates on its own, even with no example sharing a word with the
// question, while at most 8 entries list it; one that more list points at
// none of them, and still marks an entry its examples found.
func TestKeywordSharedByManyEntries(t *testing.T) {
	for _, tc := range []struct {
		entries, want int
	}{{1, 1}, {7, 7}, {8, 0}, {40, 0}} { // the shop entry lists it too
		t.Run(fmt.Sprint(tc.entries), func(t *testing.T) {
			var b strings.Builder
			b.WriteString("entries:\n")
			for i := range tc.entries {
				fmt.Fprintf(&b, "  - id: e%d\n    questions: [\"which colour is sticker %s\"]\n    keywords: [merch]\n    answer: \"Answer %d.\"\n", i, strings.Repeat("x", i+1), i)
			}
			b.WriteString("  - id: shop\n    questions: [\"where is the merch shop\"]\n    keywords: [merch]\n    answer: \"The shop.\"\n")
			entries, err := answer.ParseFAQ("faq.yaml", []byte(b.String()))
			if err != nil {
				t.Fatal(err)
			}
			ix, err := answer.Build(entries)
			if err != nil {
				t.Fatal(err)
			}
			defer ix.Close()
			cs, err := ix.Candidates("got any merch??", "en", 100)
			if err != nil {
				t.Fatal(err)
			}
			byKeyword := 0
			for _, c := range cs {
				switch {
				case c.Entry.ID == "shop":
					if !c.Features.Keyword {
						t.Errorf("the entry its example found is not marked as a keyword hit: %+v", c.Features)
					}
				case c.Example == "":
					byKeyword++
				}
			}
			if byKeyword != tc.want {
				t.Errorf("%d entries brought in by the keyword alone; want %d", byKeyword, tc.want)
			}
		})
	}
}
