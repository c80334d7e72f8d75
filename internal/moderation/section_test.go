package moderation

import (
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

func ptr[T any](v T) *T { return &v }

func TestSectionSettings(t *testing.T) {
	top := &Section{
		Shadow:      ptr(true),
		Ladder:      []string{"delete", "timeout 60s", "ban"},
		StrikeDecay: ptr(30 * time.Minute),
		Regulars:    []string{"ana"},
		Rules: map[string]RuleSection{
			RuleCaps:  {Enabled: ptr(true), Ratio: ptr(0.6)},
			RuleLinks: {Exempt: []string{" VIP ", "Regular"}},
		},
	}
	channel := &Section{
		Enabled: ptr(false),
		// A bad step leaves the ladder as it was: validation says why.
		Ladder: []string{"warn", "explode"},
		Rules: map[string]RuleSection{
			RuleCaps:   {MinLength: ptr(10)},
			"capslock": {Enabled: ptr(true)},
		},
	}
	s, enabled := top.Settings(channel)
	if enabled {
		t.Error("enabled; the channel turns moderation off")
	}
	if want := []Step{{Delete: true}, {Timeout: time.Minute}, {Ban: true}}; !slices.Equal(s.Ladder, want) {
		t.Errorf("ladder = %v; want the top level's %v", s.Ladder, want)
	}
	if !s.Shadow || s.StrikeDecay != 30*time.Minute || s.NoticeWindow != time.Minute || !slices.Equal(s.Regulars, []string{"ana"}) {
		t.Errorf("shadow %v, strike decay %v, notice window %v, regulars %q; want true, 30m, the default 1m, [ana]", s.Shadow, s.StrikeDecay, s.NoticeWindow, s.Regulars)
	}
	caps := s.Rules[RuleCaps]
	if !caps.Enabled || caps.Ratio != 0.6 || caps.MinLength != 10 || caps.Severity != DefaultSettings().Rules[RuleCaps].Severity {
		t.Errorf("caps = %+v; want enabled, ratio 0.6 from the top, min_length 10 from the channel, default severity", caps)
	}
	if got, want := s.Rules[RuleLinks].Exempt, []Role{RoleVIP, RoleRegular}; !slices.Equal(got, want) {
		t.Errorf("links exempt = %q; want %q", got, want)
	}
	// An unknown rule is carried, so that Validate names it.
	if r, ok := s.Rules["capslock"]; !ok || r.Severity != 1 {
		t.Errorf("capslock = %+v, %v; want it carried with severity 1", r, ok)
	}
	if err := s.Validate(); err == nil || !strings.Contains(err.Error(), "rules.capslock: unknown rule") {
		t.Errorf("Validate() = %v; want it to name capslock", err)
	}

	if s, enabled := (&Section{}).Settings(nil); !enabled || !reflect.DeepEqual(s, DefaultSettings()) {
		t.Errorf("an empty section: %+v, %v; want the defaults, enabled", s, enabled)
	}
}

func TestSectionCheck(t *testing.T) {
	tests := []struct {
		name       string
		top, over  *Section
		wantFields []string // "field: msg", in order
	}{
		{"fine", &Section{}, nil, nil},
		{"bad steps, each", &Section{Ladder: []string{"warn", "kick", ""}}, nil, []string{
			`ladder[1]: unknown step "kick" (want warn, delete, timeout <duration> or ban, joined by +)`,
			"ladder[2]: empty step (want warn, delete, timeout <duration> or ban)",
		}},
		{"an option the rule does not read", &Section{Rules: map[string]RuleSection{RuleCaps: {Allow: []string{"example.com"}, Window: ptr(time.Minute)}}}, nil, []string{
			"rules.caps.window: caps does not use window (it takes: enabled, severity, shadow, exempt, ratio, min_length)",
			"rules.caps.allow: caps does not use allow (it takes: enabled, severity, shadow, exempt, ratio, min_length)",
		}},
		{"values, from Settings.Validate", &Section{Rules: map[string]RuleSection{RuleCaps: {Ratio: ptr(1.5)}, "capslock": {}}}, nil, []string{
			"rules.caps.ratio: must be between 0 and 1, got 1.5",
			"rules.capslock: unknown rule (known: " + strings.Join(RuleNames(), ", ") + ")",
		}},
		// The top level's mistakes are the top level's: a channel that
		// does not touch them does not repeat them.
		{"a channel repeats nothing", &Section{Ladder: []string{"kick"}, Rules: map[string]RuleSection{"capslock": {}}}, &Section{}, nil},
		{"a channel's own mistakes", &Section{Rules: map[string]RuleSection{"capslock": {}}}, &Section{
			Ladder: []string{"timeout 1y"},
			Rules:  map[string]RuleSection{RuleZalgo: {Max: ptr(0)}, RuleLinks: {Terms: []string{"x"}}},
		}, []string{
			`ladder[0]: step "timeout 1y": want a duration like 60s or 10m, got "1y"`,
			"rules.links.terms: links does not use terms (it takes: enabled, severity, shadow, exempt, allow, permit)",
			"rules.zalgo.max: must be at least 1, got 0",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			tt.top.Check(tt.over, func(field, msg string) { got = append(got, field+": "+msg) })
			if !slices.Equal(got, tt.wantFields) {
				t.Errorf("Check:\ngot  %q\nwant %q", got, tt.wantFields)
			}
		})
	}
}

// TestSectionCheckShortLadder: a ladder a channel shortens puts the
// severities it inherits past its end, which is the channel's problem.
func TestSectionCheckShortLadder(t *testing.T) {
	var got []string
	(&Section{}).Check(&Section{Ladder: []string{"ban"}}, func(field, msg string) { got = append(got, field+": "+msg) })
	if want := "rules.links.severity: step 2 is past the end of the ladder (1 steps)"; !slices.Contains(got, want) {
		t.Errorf("Check = %q; want it to hold %q", got, want)
	}
}

// TestSectionDefaults: every default names a key of Section and holds
// DefaultSettings' value, and every rule's every option has one, so the
// environment can set each.
func TestSectionDefaults(t *testing.T) {
	d := SectionDefaults()
	def := DefaultSettings()
	tags := func(v any) []string {
		var out []string
		rt := reflect.TypeOf(v)
		for i := range rt.NumField() {
			out = append(out, rt.Field(i).Tag.Get("mapstructure"))
		}
		return out
	}
	sectionKeys, ruleKeys := tags(Section{}), tags(RuleSection{})
	for k := range d {
		parts := strings.Split(k, ".")
		switch {
		case len(parts) == 1 && slices.Contains(sectionKeys, k):
		case len(parts) == 3 && parts[0] == "rules" && slices.Contains(ruleKeys, parts[2]):
			if _, ok := def.Rules[parts[1]]; !ok {
				t.Errorf("%s: no rule %s", k, parts[1])
			}
		default:
			t.Errorf("%s is not a key of a moderation section", k)
		}
	}
	for _, info := range Rules() {
		for _, opt := range append(slices.Clone(commonRuleOptions), info.Options...) {
			if _, ok := d["rules."+info.Name+"."+opt]; !ok {
				t.Errorf("no default for rules.%s.%s", info.Name, opt)
			}
		}
	}
	for k, want := range map[string]any{
		"ladder":                      []string{"warn", "delete", "timeout 60s", "timeout 10m", "ban"},
		"strike_decay":                def.StrikeDecay.String(),
		"rules.caps.ratio":            def.Rules[RuleCaps].Ratio,
		"rules.links.allow":           def.Rules[RuleLinks].Allow,
		"rules.links.exempt":          []string{"vip"},
		"rules.flood.window":          def.Rules[RuleFlood].Window.String(),
		"rules.first_chatter.phrases": def.Rules[RuleFirstChatter].Phrases,
	} {
		if !reflect.DeepEqual(d[k], want) {
			t.Errorf("%s = %#v; want %#v", k, d[k], want)
		}
	}
}

// TestSectionCheckJudgesTopTermsOnce: a channel that does not set a term
// list inherits the top level's, which checking the top level judged; a
// channel's check does not judge it again. The stand-in probe clock counts
// the judgements of regexps.
func TestSectionCheckJudgesTopTermsOnce(t *testing.T) {
	saved := probeElapsed
	t.Cleanup(func() { probeElapsed = saved })
	calls := 0
	probeElapsed = func(*regexp.Regexp) time.Duration {
		calls++
		return time.Millisecond
	}
	top := &Section{Rules: map[string]RuleSection{RuleBannedTerms: {Terms: []string{"/fr[e3]+e/", "e"}}}}
	var got []string
	top.Check(&Section{Rules: map[string]RuleSection{RuleCaps: {Ratio: ptr(0.5)}}}, func(field, msg string) { got = append(got, field) })
	if calls != 0 || len(got) != 0 {
		t.Errorf("channel check timed %d runs and reported %q; want 0 and nothing (the list is the top level's)", calls, got)
	}
	// A list the channel sets is the channel's to answer for.
	got = nil
	top.Check(&Section{Rules: map[string]RuleSection{RuleBannedTerms: {Terms: []string{"/fr[e3]+e/", "free"}}}}, func(field, msg string) { got = append(got, field) })
	if calls == 0 {
		t.Error("a channel's own regexp was not judged")
	}
}
