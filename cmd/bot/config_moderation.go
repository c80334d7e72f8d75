package main

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/chatdesk/chatdesk/internal/moderation"
)

// ModerationConfig is a moderation section. At the top level it sets
// every channel's rules; in a channel it changes only what it names. Unset
// fields (nil) inherit.
type ModerationConfig struct {
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
	Emotes []string              `mapstructure:"emotes"`
	Rules  map[string]RuleConfig `mapstructure:"rules"`
}

// RuleConfig is one rule's settings. Which options a rule reads is listed
// by moderation.Rules; setting another is an error.
type RuleConfig struct {
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
}

// commonRuleOptions apply to every rule.
var commonRuleOptions = []string{"enabled", "severity", "shadow", "exempt"}

// moderationDefaults are the config keys of the moderation section with
// their default values, taken from the moderation package so the two
// cannot drift. configDefaults adds them to the others, and so names the
// rules' options the environment can set
// (CHATDESK_MODERATION_RULES_CAPS_ENABLED=true).
func moderationDefaults() map[string]any {
	d := moderation.DefaultSettings()
	steps := make([]string, len(d.Ladder))
	for i, s := range d.Ladder {
		steps[i] = s.String()
	}
	out := map[string]any{
		"moderation.enabled":       true,
		"moderation.shadow":        false,
		"moderation.ladder":        steps,
		"moderation.strike_decay":  d.StrikeDecay.String(),
		"moderation.notice_window": d.NoticeWindow.String(),
	}
	for _, info := range moderation.Rules() {
		r := d.Rules[info.Name]
		p := "moderation.rules." + info.Name + "."
		out[p+"enabled"] = r.Enabled
		out[p+"severity"] = r.Severity
		out[p+"shadow"] = r.Shadow
		exempt := make([]string, len(r.Exempt))
		for i, x := range r.Exempt {
			exempt[i] = string(x)
		}
		out[p+"exempt"] = exempt
		for _, opt := range info.Options {
			switch opt {
			case "ratio":
				out[p+opt] = r.Ratio
			case "min_length":
				out[p+opt] = r.MinLength
			case "max":
				out[p+opt] = r.Max
			case "max_words":
				out[p+opt] = r.MaxWords
			case "window":
				out[p+opt] = r.Window.String()
			case "allow":
				out[p+opt] = r.Allow
			case "terms":
				out[p+opt] = r.Terms
			case "phrases":
				out[p+opt] = r.Phrases
			case "threshold":
				out[p+opt] = r.Threshold
			case "permit":
				out[p+opt] = r.Permit.String()
			}
		}
	}
	return out
}

// settings returns the moderation settings that result from applying m,
// then over (a channel's section, may be nil), to the defaults. Values
// that do not parse (a bad ladder step) are left at their defaults; the
// config's validation reports them.
func (m *ModerationConfig) settings(over *ModerationConfig) (moderation.Settings, bool) {
	s := moderation.DefaultSettings()
	enabled := true
	for _, c := range []*ModerationConfig{m, over} {
		if c == nil {
			continue
		}
		if c.Enabled != nil {
			enabled = *c.Enabled
		}
		if c.Shadow != nil {
			s.Shadow = *c.Shadow
		}
		if c.Ladder != nil {
			var ladder []moderation.Step
			for _, st := range c.Ladder {
				if step, err := moderation.ParseStep(st); err == nil {
					ladder = append(ladder, step)
				}
			}
			if len(ladder) == len(c.Ladder) && len(ladder) > 0 {
				s.Ladder = ladder
			}
		}
		if c.StrikeDecay != nil {
			s.StrikeDecay = *c.StrikeDecay
		}
		if c.NoticeWindow != nil {
			s.NoticeWindow = *c.NoticeWindow
		}
		if c.Regulars != nil {
			s.Regulars = c.Regulars
		}
		if c.Emotes != nil {
			s.Emotes = c.Emotes
		}
		for name, rc := range c.Rules {
			r, ok := s.Rules[name]
			if !ok {
				// Unknown rules are reported by validation; carrying
				// them makes Settings.Validate say so too.
				r = moderation.RuleSettings{Severity: 1}
			}
			rc.apply(&r)
			s.Rules[name] = r
		}
	}
	return s, enabled
}

func (rc RuleConfig) apply(r *moderation.RuleSettings) {
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
	if rc.Exempt != nil {
		r.Exempt = nil
		for _, x := range rc.Exempt {
			r.Exempt = append(r.Exempt, moderation.Role(strings.ToLower(strings.TrimSpace(x))))
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
func (rc RuleConfig) setOptions() []string {
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

// validateModeration checks the top-level moderation section and every
// channel's, naming the field of each problem.
func validateModeration(c *Config, add func(field, format string, args ...any)) {
	top := checkModeration(&c.Moderation, nil, "moderation", nil, add)
	for i := range c.Channels {
		checkModeration(&c.Moderation, &c.Channels[i].Moderation, fmt.Sprintf("channels[%d].moderation", i), top, add)
	}
}

// checkModeration validates the settings m and over make. Problems already
// reported for the top level (seen) are not repeated for a channel that
// does not touch the field. It returns the problems it found.
func checkModeration(m, over *ModerationConfig, prefix string, seen map[string]bool, add func(field, format string, args ...any)) map[string]bool {
	own := over
	if own == nil {
		own = m
	}
	for i, st := range own.Ladder {
		if _, err := moderation.ParseStep(st); err != nil {
			add(fmt.Sprintf("%s.ladder[%d]", prefix, i), "%v", err)
		}
	}
	for name, rc := range own.Rules {
		info, ok := ruleInfo(name)
		if !ok {
			continue // Settings.Validate names it
		}
		allowed := append(slices.Clone(commonRuleOptions), info.Options...)
		for _, opt := range rc.setOptions() {
			if !slices.Contains(allowed, opt) {
				add(prefix+".rules."+name+"."+opt, "%s does not use %s (it takes: %s)", name, opt, strings.Join(allowed, ", "))
			}
		}
	}
	s, _ := m.settings(over)
	found := map[string]bool{}
	if err := s.Validate(); err != nil {
		var ve *moderation.ValidationError
		if !errors.As(err, &ve) {
			add(prefix, "%v", err)
			return found
		}
		for _, p := range ve.Problems {
			key := p.Field + ": " + p.Msg
			found[key] = true
			if seen[key] {
				continue
			}
			add(prefix+"."+p.Field, "%s", p.Msg)
		}
	}
	return found
}

func ruleInfo(name string) (moderation.RuleInfo, bool) {
	for _, info := range moderation.Rules() {
		if info.Name == name {
			return info, true
		}
	}
	return moderation.RuleInfo{}, false
}
