package answer

import (
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chatdesk/chatdesk/internal/question"
)

func TestSectionSettings(t *testing.T) {
	top := Section{MinConfidence: map[string]float64{"en": 0.5, "zh": 0.9}, Cooldown: 2 * time.Minute}
	got := top.Settings(ChannelSection{MinConfidence: map[string]float64{"en": 0.7}})
	want := Settings{MinConfidence: map[string]float64{"en": 0.7, "zh": 0.9}, Cooldown: 2 * time.Minute}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Settings = %+v; want %+v", got, want)
	}
	if got := top.Settings(ChannelSection{Cooldown: time.Minute}); got.Cooldown != time.Minute || got.Threshold("en") != 0.5 {
		t.Errorf("Settings with a channel cooldown = %+v; want 1m and the top's en", got)
	}
	// The merge is a copy: a channel never changes the top level's map.
	if top.MinConfidence["en"] != 0.5 {
		t.Errorf("the top level's en became %v", top.MinConfidence["en"])
	}
}

func TestTipsSectionSettings(t *testing.T) {
	got := TipsSection{MinMessages: 5, TrendingViewers: 0, TrendingWithin: time.Minute}.Settings()
	if want := (TipSettings{MinMessages: 5, TrendingViewers: -1, TrendingWithin: time.Minute}); got != want {
		t.Errorf("0 trending viewers: %+v; want %+v (off)", got, want)
	}
	if got := (TipsSection{TrendingViewers: 4}).Settings(); got.TrendingViewers != 4 {
		t.Errorf("4 trending viewers became %d", got.TrendingViewers)
	}
}

func collect(check func(report func(field, msg string))) []string {
	var got []string
	check(func(field, msg string) { got = append(got, field+": "+msg) })
	return got
}

func TestSectionCheck(t *testing.T) {
	good := Section{MinConfidence: map[string]float64{"en": 0.5}, Tips: TipsSection{MinMessages: 1, TrendingWithin: time.Minute}}
	if got := collect(good.Check); got != nil {
		t.Errorf("a good section: %q", got)
	}
	bad := Section{
		MinConfidence: map[string]float64{"zh": 1.5, "fr": 0.5, "en": -0.1},
		Cooldown:      -time.Second, ReloadInterval: -time.Second,
		Tips: TipsSection{MinMessages: 0, TrendingViewers: -1},
	}
	want := []string{
		"min_confidence.en: must be between 0 and 1, got -0.1",
		`min_confidence.fr: unknown language "fr" (want en or zh)`,
		"min_confidence.zh: must be between 0 and 1, got 1.5",
		"cooldown: must not be negative",
		"reload_interval: must not be negative",
		"tips.min_messages: must be at least 1, got 0",
		"tips.trending_viewers: must not be negative (0 turns trending off)",
		"tips.trending_within: must be a positive duration such as 10m",
	}
	if got := collect(bad.Check); !slices.Equal(got, want) {
		t.Errorf("Check:\ngot  %q\nwant %q", got, want)
	}
	ch := ChannelSection{MinConfidence: map[string]float64{"de": 2}, Cooldown: -time.Second}
	want = []string{
		`min_confidence.de: unknown language "de" (want en or zh)`,
		"min_confidence.de: must be between 0 and 1, got 2",
		"cooldown: must not be negative",
	}
	if got := collect(ch.Check); !slices.Equal(got, want) {
		t.Errorf("channel Check:\ngot  %q\nwant %q", got, want)
	}
}

// TestSectionDefaults: the defaults are the package's own, and name every
// language the answer stage knows.
func TestSectionDefaults(t *testing.T) {
	d := SectionDefaults()
	for lang := range languages {
		if d["min_confidence."+lang] != DefaultMinConfidence[lang] {
			t.Errorf("min_confidence.%s = %v; want %v", lang, d["min_confidence."+lang], DefaultMinConfidence[lang])
		}
	}
	if d["cooldown"] != DefaultCooldown.String() || d["tips.min_messages"] != DefaultTipMinMessages {
		t.Errorf("cooldown %v, tips.min_messages %v; want the package's defaults", d["cooldown"], d["tips.min_messages"])
	}
	if got := slices.Sorted(maps.Keys(d)); len(got) != 7 {
		t.Errorf("keys %q; want 7", got)
	}
}

func TestExplain(t *testing.T) {
	schedule := &Entry{ID: "schedule", Answer: "Mondays.", Answers: map[string]string{"zh": "周一"}, File: "faq/demo.yaml", Line: 3}
	cands := []Candidate{{Entry: schedule, Confidence: 0.81, Example: "when do you stream", Terms: []string{"stream", "when"}}}
	tests := []struct {
		name string
		r    Result
		want string
	}{
		{"answered", Result{Question: question.Question{Is: true, Lang: "en", Why: "wh-word"}, Candidates: cands, Best: &cands[0], Threshold: 0.5}, `#mira "when do you stream?"
  language: en; a question (wh-word)
  decision: answer with "schedule" (confidence 0.81 ≥ 0.50)
  reply: Mondays.
  candidates:
   1. schedule             0.81  terms [stream when]  via "when do you stream" (faq/demo.yaml:3)
`},
		{"in the asker's language", Result{Question: question.Question{Is: true, Lang: "zh", Why: "zh particle 吗"}, Candidates: cands, Best: &cands[0], Threshold: 0.5}, "  reply: 周一\n"},
		{"not confident enough", Result{Question: question.Question{Is: true, Lang: "en", Why: "wh-word"}, Candidates: cands, Threshold: 0.9}, "  decision: no answer (best confidence 0.81 < 0.90)\n"},
		{"nothing in common", Result{Question: question.Question{Is: true, Lang: "en", Why: "wh-word"}, Threshold: 0.5}, `#mira "when do you stream?"
  language: en; a question (wh-word)
  decision: no answer (no entry shares a word with it)
`},
		{"not a question", Result{Question: question.Question{Lang: "en", Why: "statement"}}, "  language: en; not a question (statement)\n  decision: ignore — the bot only answers questions and requests\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			tt.r.Explain(&b, "mira", "when do you stream?")
			if !strings.Contains(b.String(), tt.want) {
				t.Errorf("Explain:\n%s\nwant it to hold:\n%s", b.String(), tt.want)
			}
		})
	}
}
