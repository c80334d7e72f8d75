package moderation

import (
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"time"
)

// Section is a moderation section of a config file, as it is read (the
// mapstructure tags are its keys). At the top level it sets every
// channel's rules; in a channel it changes only what it names. Unset
// fields (nil) inherit, which is why they are pointers: "not set" and
// "set to false" must differ.
type Section struct {
	// Enabled turns the moderation stage on or off.
	Enabled *bool `mapstructure:"enabled"`
	// Shadow puts every rule in shadow mode: decide and record, never act.
	Shadow *bool `mapstructure:"shadow"`
	// Ladder is the penalty ladder, mildest first: "warn", "delete",
	// "timeout 60s", "ban", or several joined by "+".
	Ladder       []string       `mapstructure:"ladder"`
	StrikeDecay  *time.Duration `mapstructure:"strike_decay"`
	NoticeWindow *time.Duration `mapstructure:"notice_window"`
	// Regulars are logins that rules can exempt as "regular".
	Regulars []string `mapstructure:"regulars"`
	// Emotes are the channel's third-party emote names.
	Emotes []string `mapstructure:"emotes"`
	// FetchEmotes fetches the channel's BTTV, FFZ and 7TV emote names
	// while the bot runs on Twitch.
	FetchEmotes *bool                  `mapstructure:"fetch_emotes"`
	Rules       map[string]RuleSection `mapstructure:"rules"`
}

// RuleSection is one rule's settings in a Section. Which options a rule
// reads is listed by Rules; setting another is a problem Check reports.
type RuleSection struct {
	Enabled   *bool          `mapstructure:"enabled"`
	Severity  *int           `mapstructure:"severity"`
	Shadow    *bool          `mapstructure:"shadow"`
	Exempt    []string       `mapstructure:"exempt"`
	Ratio     *float64       `mapstructure:"ratio"`
	MinLength *int           `mapstructure:"min_length"`
	Max       *int           `mapstructure:"max"`
	MaxWords  *int           `mapstructure:"max_words"`
	Window    *time.Duration `mapstructure:"window"`
	Allow     []string       `mapstructure:"allow"`
	Terms     []string       `mapstructure:"terms"`
	Phrases   []string       `mapstructure:"phrases"`
	Threshold *float64       `mapstructure:"threshold"`
	Permit    *time.Duration `mapstructure:"permit"`
	// YoungAccount and YoungSeverity: see RuleSettings.
	YoungAccount  *time.Duration `mapstructure:"young_account"`
	YoungSeverity *int           `mapstructure:"young_severity"`
}

// commonRuleOptions apply to every rule.
var commonRuleOptions = []string{"enabled", "severity", "shadow", "exempt"}

// allOptions are the options the rule reads, by config key.
func (info RuleInfo) allOptions() []string {
	return append(slices.Clone(commonRuleOptions), info.Options...)
}

// ruleFields maps each option's config key to its RuleSection field, which
// RuleSettings holds under the same name: the one table of rule options.
var ruleFields = func() map[string]string {
	t := reflect.TypeFor[RuleSection]()
	m := make(map[string]string, t.NumField())
	for i := range t.NumField() {
		m[t.Field(i).Tag.Get("mapstructure")] = t.Field(i).Name
	}
	return m
}()

// asWritten is a setting's value as a config file writes it.
func asWritten(v any) any {
	switch x := v.(type) {
	case time.Duration:
		return x.String()
	case []Role:
		out := make([]string, len(x))
		for i, r := range x {
			out[i] = string(r)
		}
		return out
	}
	return v
}

// SectionDefaults are the keys of a moderation section, relative to it
// ("rules.caps.enabled"), with their default values, taken from
// DefaultSettings so the two cannot drift. A config reader sets them as its
// defaults; they also name each rule's options, the map keys an
// environment variable can set (CHATDESK_MODERATION_RULES_CAPS_ENABLED).
// Durations are strings, as a config file writes them.
func SectionDefaults() map[string]any {
	d := DefaultSettings()
	steps := make([]string, len(d.Ladder))
	for i, s := range d.Ladder {
		steps[i] = s.String()
	}
	out := map[string]any{
		"enabled":       true,
		"shadow":        false,
		"ladder":        steps,
		"strike_decay":  d.StrikeDecay.String(),
		"notice_window": d.NoticeWindow.String(),
		"fetch_emotes":  d.FetchEmotes,
	}
	for _, info := range Rules() {
		r := reflect.ValueOf(d.Rules[info.Name])
		for _, opt := range info.allOptions() {
			out["rules."+info.Name+"."+opt] = asWritten(r.FieldByName(ruleFields[opt]).Interface())
		}
	}
	return out
}

// Settings returns the settings that result from applying c, then over (a
// channel's section; nil for none), to DefaultSettings, and whether the
// stage is enabled. Values that do not parse (a bad ladder step) are left
// at their defaults; Check reports them.
func (c *Section) Settings(over *Section) (Settings, bool) {
	s := DefaultSettings()
	enabled := true
	for _, sec := range []*Section{c, over} {
		if sec == nil {
			continue
		}
		if sec.Enabled != nil {
			enabled = *sec.Enabled
		}
		if sec.Shadow != nil {
			s.Shadow = *sec.Shadow
		}
		if sec.Ladder != nil {
			var ladder []Step
			for _, st := range sec.Ladder {
				if step, err := ParseStep(st); err == nil {
					ladder = append(ladder, step)
				}
			}
			if len(ladder) == len(sec.Ladder) && len(ladder) > 0 {
				s.Ladder = ladder
			}
		}
		setIf(&s.StrikeDecay, sec.StrikeDecay)
		setIf(&s.NoticeWindow, sec.NoticeWindow)
		if sec.Regulars != nil {
			s.Regulars = sec.Regulars
		}
		setIf(&s.FetchEmotes, sec.FetchEmotes)
		if sec.Emotes != nil {
			s.Emotes = sec.Emotes
		}
		for name, rc := range sec.Rules {
			r, ok := s.Rules[name]
			if !ok {
				// Unknown rules are carried, so that
				// Settings.Validate names them.
				r = RuleSettings{Severity: 1}
			}
			rc.apply(&r)
			s.Rules[name] = r
		}
	}
	return s, enabled
}

func (rc RuleSection) apply(r *RuleSettings) {
	setIf(&r.Enabled, rc.Enabled)
	setIf(&r.Severity, rc.Severity)
	setIf(&r.Shadow, rc.Shadow)
	setIf(&r.Ratio, rc.Ratio)
	setIf(&r.MinLength, rc.MinLength)
	setIf(&r.Max, rc.Max)
	setIf(&r.MaxWords, rc.MaxWords)
	setIf(&r.Window, rc.Window)
	setIf(&r.Threshold, rc.Threshold)
	setIf(&r.Permit, rc.Permit)
	setIf(&r.YoungAccount, rc.YoungAccount)
	setIf(&r.YoungSeverity, rc.YoungSeverity)
	if rc.Exempt != nil {
		r.Exempt = nil
		for _, x := range rc.Exempt {
			r.Exempt = append(r.Exempt, Role(strings.ToLower(strings.TrimSpace(x))))
		}
	}
	if rc.Allow != nil {
		r.Allow = rc.Allow
	}
	if rc.Terms != nil {
		r.Terms = rc.Terms
	}
	if rc.Phrases != nil {
		r.Phrases = rc.Phrases
	}
}

// setIf copies what src points to into dst, unless src is nil (unset).
func setIf[T any](dst, src *T) {
	if src != nil {
		*dst = *src
	}
}

// setOptions lists the options rc sets, by config key.
func (rc RuleSection) setOptions() []string {
	var out []string
	v := reflect.ValueOf(rc)
	t := v.Type()
	for i := range t.NumField() {
		f := v.Field(i)
		if (f.Kind() == reflect.Pointer || f.Kind() == reflect.Slice) && !f.IsNil() {
			out = append(out, t.Field(i).Tag.Get("mapstructure"))
		}
	}
	return out
}

// Check reports every problem with the settings c and over make, as a
// field path relative to the section checked (over's, or c's when over is
// nil: "ladder[1]", "rules.caps.ratio") and a message. A bad ladder step
// and an option a rule does not read are reported for the section that
// writes them; the rest comes from Settings.Validate. A channel's section
// does not repeat what checking c alone reports, so a mistake at the top
// level is reported once, not once per channel.
func (c *Section) Check(over *Section, report func(field, msg string)) {
	own := over
	if own == nil {
		own = c
	}
	for i, st := range own.Ladder {
		if _, err := ParseStep(st); err != nil {
			report(fmt.Sprintf("ladder[%d]", i), err.Error())
		}
	}
	// In order, so the same file always gives the same report.
	names := make([]string, 0, len(own.Rules))
	for name := range own.Rules {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		spec, ok := specFor(name)
		if !ok {
			continue // Settings.Validate names it
		}
		allowed := spec.allOptions()
		for _, opt := range own.Rules[name].setOptions() {
			if !slices.Contains(allowed, opt) {
				report("rules."+name+"."+opt, fmt.Sprintf("%s does not use %s (it takes: %s)", name, opt, strings.Join(allowed, ", ")))
			}
		}
	}
	var seen []Problem
	s, _ := c.Settings(over)
	if over != nil {
		top, _ := c.Settings(nil)
		// A term list the channel does not set is c's, judged when c
		// is checked. Judging terms is the costly part of a check, so
		// it is not done again for every channel.
		over.dropInheritedLists(top, s)
		seen = top.problems()
	}
	for _, p := range s.problems() {
		if !slices.Contains(seen, p) {
			report(p.Field, p.Msg)
		}
	}
}

// dropInheritedLists empties, in each of sets, the term lists over does not
// set.
func (over *Section) dropInheritedLists(sets ...Settings) {
	for _, s := range sets {
		for name, r := range s.Rules {
			own := over.Rules[name]
			if own.Terms == nil {
				r.Terms = nil
			}
			if own.Phrases == nil {
				r.Phrases = nil
			}
			s.Rules[name] = r
		}
	}
}
