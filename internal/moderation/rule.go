package moderation

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/chatdesk/chatdesk/internal/chat"
)

// Rule is one of a channel's rules. It is the only shape a rule has:
// everything a rule shares with the others (severity, shadow mode,
// exemptions) is the engine's business, so a rule only says whether a
// message breaks it.
//
// Check is called once per message, in chat order and under the engine's
// lock, so a rule may keep state without locking of its own. It must not
// keep in or anything in it after returning: the engine reuses them.
type Rule interface {
	// Name is the rule's key in the config and in verdicts: "links".
	Name() string
	// Check reports whether the message breaks the rule, and why.
	Check(in *Input) (Hit, bool)
}

// Hit says why a message broke a rule.
type Hit struct {
	// Notice completes "@user …" in the chat notice: "links aren't
	// allowed here".
	Notice string
	// Detail is for moderators, logs and the enforcement's reason:
	// "link to bit.ly".
	Detail string
	// Why lists what tipped the decision, for `bot replay --explain`:
	// "family: handle bait", "handle \"name_1\"", "\"free\" +1.20".
	// Rules whose Detail says it all leave it empty.
	Why []string
	// others are earlier messages the same offence is found in (a spam
	// wave's first members): their authors get the same step.
	others []chat.Message
}

// Role is a role a rule can exempt. The broadcaster and moderators are
// always exempt and cannot be listed.
type Role string

// The roles exemptions can name.
const (
	RoleVIP        Role = "vip"
	RoleSubscriber Role = "subscriber"
	// RoleRegular is a chatter the channel lists by login as a regular.
	RoleRegular Role = "regular"
)

// RuleSettings configure one rule. The first four fields apply to every
// rule; the rest are options that only some rules read (RuleInfo lists
// which). Zero options take the rule's defaults only through
// DefaultSettings: Settings are always complete.
type RuleSettings struct {
	Enabled bool
	// Severity is the ladder step (1-based) a first offence against this
	// rule lands on; later offences climb from there.
	Severity int
	// Shadow rules decide and record but never act.
	Shadow bool
	// Exempt lists the roles the rule does not apply to.
	Exempt []Role

	// Ratio is a share between 0 and 1 (caps, symbols).
	Ratio float64
	// MinLength is how long a message must be before a ratio is judged.
	MinLength int
	// Max is a count: characters, emotes, repeats, messages, users.
	Max int
	// MaxWords is how often one word may repeat in a message.
	MaxWords int
	// Window is the time span counts are taken over.
	Window time.Duration
	// Allow lists domains links may point to (and their subdomains).
	Allow []string
	// Terms are banned words and phrases, matched as whole words on the
	// normalised text; "/regexp/" entries are regular expressions.
	Terms []string
	// Phrases are known spam phrases, matched like Terms.
	Phrases []string
	// Threshold is the spam score (0..1) from which a message is spam.
	Threshold float64
	// Permit is how long !permit lets a chatter post links by default.
	Permit time.Duration
	// YoungAccount: an account younger than this is young (0: ages are
	// never looked up); YoungSeverity is the ladder step a young
	// account's first message starts on when it breaks the rule.
	YoungAccount  time.Duration
	YoungSeverity int
}

// RuleInfo describes a rule for help texts, !rules and validation.
type RuleInfo struct {
	Name    string
	Summary string
	// Options are the RuleSettings option keys (as in config files) the
	// rule reads, besides enabled, severity, shadow and exempt.
	Options []string
}

// ruleSpec is a rule's entry in the registry: how to describe it, its
// defaults and how to build it.
type ruleSpec struct {
	RuleInfo
	defaults RuleSettings
	build    func(s RuleSettings, env *buildEnv) (Rule, error)
	// validate, when set, checks the options this rule reads beyond the
	// generic range checks.
	validate func(s RuleSettings, add func(option, format string, args ...any))
}

// buildEnv carries what rules share: the channel's emote names, the
// domains links may point to, and the term lists Settings.check parsed.
type buildEnv struct {
	emotes emoteNames
	allow  domainList
	lists  map[string]*termSet
}

// terms is the parsed list of rule's option ("terms", "phrases").
func (env *buildEnv) terms(rule, option string) *termSet {
	return env.lists["rules."+rule+"."+option]
}

// Rules describes every rule, in the order the engine checks them.
func Rules() []RuleInfo {
	out := make([]RuleInfo, len(registry))
	for i, s := range registry {
		out[i] = s.RuleInfo
	}
	return out
}

// RuleNames lists every rule's name, in check order.
func RuleNames() []string {
	out := make([]string, len(registry))
	for i, s := range registry {
		out[i] = s.Name
	}
	return out
}

func specFor(name string) (*ruleSpec, bool) {
	for i := range registry {
		if registry[i].Name == name {
			return &registry[i], true
		}
	}
	return nil, false
}

// Problem is one thing wrong with Settings. Field is a dotted path such as
// "rules.caps.ratio" so the caller can point at the line of a config file.
type Problem struct {
	Field string
	Msg   string
}

func (p Problem) String() string { return p.Field + ": " + p.Msg }

// ValidationError lists every problem found in Settings.
type ValidationError struct {
	Problems []Problem
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.String()
	}
	return "moderation settings: " + strings.Join(parts, "; ")
}

// Settings are a channel's moderation settings, complete: start from
// DefaultSettings and change what the channel's config changes.
type Settings struct {
	// Ladder is the penalty ladder, mildest step first.
	Ladder []Step
	// StrikeDecay is how long a chatter must stay out of trouble for one
	// strike to be forgiven.
	StrikeDecay time.Duration
	// NoticeWindow is the least time between two notices to one chatter.
	NoticeWindow time.Duration
	// Shadow puts every rule of the channel in shadow mode.
	Shadow bool
	// Regulars are the logins that hold RoleRegular.
	Regulars []string
	// Emotes are extra emote names (BTTV, FFZ, 7TV) that arrive as plain
	// words: they are never shouting and count as emotes.
	Emotes []string
	// FetchEmotes: the channel's BTTV, FFZ and 7TV emote names are
	// fetched while the bot runs on Twitch (see Engine.SetEmotes).
	FetchEmotes bool
	// Rules are the rules' settings, by name.
	Rules map[string]RuleSettings
}

// DefaultSettings returns the settings a channel gets when its config says
// nothing, as a fresh copy the caller may change.
func DefaultSettings() Settings {
	s := Settings{
		Ladder:       DefaultLadder(),
		StrikeDecay:  time.Hour,
		NoticeWindow: time.Minute,
		FetchEmotes:  true,
		Rules:        map[string]RuleSettings{},
	}
	for _, spec := range registry {
		r := spec.defaults
		r.Exempt = append([]Role(nil), r.Exempt...)
		r.Allow = append([]string(nil), r.Allow...)
		r.Terms = append([]string(nil), r.Terms...)
		r.Phrases = append([]string(nil), r.Phrases...)
		s.Rules[spec.Name] = r
	}
	return s
}

// Validate reports every problem with s: an unknown rule, a ratio outside
// 0..1, a bad regular expression, a severity off the ladder…
func (s Settings) Validate() error {
	if p := s.problems(); len(p) > 0 {
		return &ValidationError{Problems: p}
	}
	return nil
}

// problems lists what Validate reports, in a stable order: the ladder and
// times first, then the rules by name.
func (s Settings) problems() []Problem {
	p, _ := s.check()
	return p
}

// check is problems, and the term lists it parsed on the way, by field
// ("rules.banned_terms.terms"): judging a term is the costly part of a
// check, so New builds the rules from these instead of judging every term
// again.
func (s Settings) check() ([]Problem, map[string]*termSet) {
	var p []Problem
	lists := map[string]*termSet{}
	add := func(field, format string, args ...any) {
		p = append(p, Problem{Field: field, Msg: fmt.Sprintf(format, args...)})
	}
	if len(s.Ladder) == 0 {
		add("ladder", "list at least one step, e.g. [delete, timeout 60s, ban]")
	}
	if s.StrikeDecay <= 0 {
		add("strike_decay", "must be positive")
	}
	if s.NoticeWindow < 0 {
		add("notice_window", "must not be negative")
	}
	names := make([]string, 0, len(s.Rules))
	for name := range s.Rules {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		r := s.Rules[name]
		f := "rules." + name
		spec, ok := specFor(name)
		if !ok {
			add(f, "unknown rule (known: %s)", strings.Join(RuleNames(), ", "))
			continue
		}
		if r.Severity < 1 {
			add(f+".severity", "want a ladder step from 1 (the mildest), got %d", r.Severity)
		} else if len(s.Ladder) > 0 && r.Severity > len(s.Ladder) {
			add(f+".severity", "step %d is past the end of the ladder (%d steps)", r.Severity, len(s.Ladder))
		}
		for _, role := range r.Exempt {
			switch role {
			case RoleVIP, RoleSubscriber, RoleRegular:
			case "broadcaster", "moderator":
				add(f+".exempt", "%s is always exempt; list only vip, subscriber or regular", role)
			default:
				add(f+".exempt", "unknown role %q (want vip, subscriber or regular)", role)
			}
		}
		if r.Ratio < 0 || r.Ratio > 1 {
			add(f+".ratio", "must be between 0 and 1, got %v", r.Ratio)
		}
		if r.Threshold < 0 || r.Threshold > 1 {
			add(f+".threshold", "must be between 0 and 1, got %v", r.Threshold)
		}
		if r.MinLength < 0 {
			add(f+".min_length", "must not be negative")
		}
		if r.Max < 0 {
			add(f+".max", "must not be negative")
		}
		if r.MaxWords < 0 {
			add(f+".max_words", "must not be negative")
		}
		if r.Window < 0 {
			add(f+".window", "must not be negative")
		}
		if r.Permit < 0 {
			add(f+".permit", "must not be negative")
		}
		if r.YoungAccount < 0 {
			add(f+".young_account", "must not be negative (0 turns account ages off)")
		}
		if r.YoungAccount > 0 && (r.YoungSeverity < 1 || len(s.Ladder) > 0 && r.YoungSeverity > len(s.Ladder)) {
			add(f+".young_severity", "want a ladder step from 1 to %d, got %d", len(s.Ladder), r.YoungSeverity)
		}
		for i, d := range r.Allow {
			if _, err := normalizeDomain(d); err != nil {
				add(fmt.Sprintf("%s.allow[%d]", f, i), "%v", err)
			}
		}
		lists[f+".terms"] = checkTermList(f+".terms", r.Terms, add)
		lists[f+".phrases"] = checkTermList(f+".phrases", r.Phrases, add)
		if spec.validate != nil {
			spec.validate(r, func(opt, format string, args ...any) { add(f+"."+opt, format, args...) })
		}
	}
	return p, lists
}
