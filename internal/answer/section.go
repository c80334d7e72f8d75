package answer

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"time"

	"github.com/chatdesk/chatdesk/internal/embedding"
)

// Section is the answer section of a config file, as it is read (the
// mapstructure tags are its keys). At the top level it sets every
// channel's defaults; a channel's ChannelSection overrides them.
type Section struct {
	// MinConfidence per language ("en", "zh"), 0..1.
	MinConfidence map[string]float64 `mapstructure:"min_confidence"`
	// Cooldown for entries that set none.
	Cooldown time.Duration `mapstructure:"cooldown"`
	// ReloadInterval is how often FAQ files are checked for changes; zero
	// turns hot reload off.
	ReloadInterval time.Duration `mapstructure:"reload_interval"`
	// Tips decide when entries with announce are posted unasked.
	Tips TipsSection `mapstructure:"tips"`
	// Semantic picks where the semantic score's sentence vectors come from.
	Semantic SemanticSection `mapstructure:"semantic"`
}

// SemanticSection picks the semantic score's source: the built-in English
// table, or an OpenAI-compatible /v1/embeddings endpoint the streamer runs.
type SemanticSection struct {
	// Backend is "builtin" or "http".
	Backend string `mapstructure:"backend"`
	// URL is the endpoint's API base, such as http://localhost:11434/v1.
	URL string `mapstructure:"url"`
	// Model is the embedding model's name at the endpoint.
	Model string `mapstructure:"model"`
	// Timeout bounds one request; past it the built-in score is used.
	Timeout time.Duration `mapstructure:"timeout"`
}

// DefaultSemanticTimeout keeps a slow endpoint from holding up chat: a
// local model embeds one question in a few tens of milliseconds.
const DefaultSemanticTimeout = 500 * time.Millisecond

// Embedder returns the configured endpoint's client, caching vectors under
// cacheDir, or nil for the built-in score.
func (s SemanticSection) Embedder(cacheDir string) Embedder {
	if s.Backend != "http" {
		return nil
	}
	timeout := s.Timeout
	if timeout == 0 {
		timeout = DefaultSemanticTimeout
	}
	return embedding.NewRemote(embedding.RemoteConfig{URL: s.URL, Model: s.Model, Timeout: timeout, CacheDir: cacheDir})
}

// TipsSection tunes proactive tips (FAQ entries with announce).
type TipsSection struct {
	// MinMessages chat messages must come between two tips.
	MinMessages int `mapstructure:"min_messages"`
	// TrendingViewers distinct viewers asking an entry within
	// TrendingWithin post it sooner; 0 turns that off.
	TrendingViewers int           `mapstructure:"trending_viewers"`
	TrendingWithin  time.Duration `mapstructure:"trending_within"`
}

// ChannelSection holds a channel's overrides; zero values inherit.
type ChannelSection struct {
	MinConfidence map[string]float64 `mapstructure:"min_confidence"`
	Cooldown      time.Duration      `mapstructure:"cooldown"`
}

// DefaultReloadInterval is how often FAQ files are checked for edits when
// the config says nothing: often enough that a streamer who saves a file
// sees the change in chat at once, rarely enough to cost nothing.
const DefaultReloadInterval = 2 * time.Second

// SectionDefaults are the keys of an answer section, relative to it
// ("min_confidence.en"), with the values a config that says nothing gets.
// They also name the languages whose min_confidence an environment
// variable can set. Durations are strings, as a config file writes them.
func SectionDefaults() map[string]any {
	d := map[string]any{
		"cooldown":              DefaultCooldown.String(),
		"reload_interval":       DefaultReloadInterval.String(),
		"tips.min_messages":     DefaultTipMinMessages,
		"tips.trending_viewers": DefaultTipTrendingViewers,
		"tips.trending_within":  DefaultTipTrendingWithin.String(),
	}
	for lang, v := range DefaultMinConfidence {
		d["min_confidence."+lang] = v
	}
	return d
}

// languages the answer stage knows.
var languages = map[string]bool{"en": true, "zh": true}

// Settings merges the section with a channel's overrides: a language's
// confidence the channel sets replaces the section's, the others stay.
func (s Section) Settings(ch ChannelSection) Settings {
	set := Settings{MinConfidence: map[string]float64{}, Cooldown: s.Cooldown}
	maps.Copy(set.MinConfidence, s.MinConfidence)
	maps.Copy(set.MinConfidence, ch.MinConfidence)
	if ch.Cooldown != 0 {
		set.Cooldown = ch.Cooldown
	}
	return set
}

// Settings are the tip settings the section makes. A config writes 0
// trending viewers for "off", which TipSettings spells as negative (its
// zero means the default).
func (t TipsSection) Settings() TipSettings {
	set := TipSettings{MinMessages: t.MinMessages, TrendingViewers: t.TrendingViewers, TrendingWithin: t.TrendingWithin}
	if set.TrendingViewers == 0 {
		set.TrendingViewers = -1
	}
	return set
}

// Check reports every problem with the section, as a field path relative
// to it ("min_confidence.en", "tips.min_messages") and a message.
func (s Section) Check(report func(field, msg string)) {
	checkAnswer(report, s.MinConfidence, s.Cooldown)
	if s.ReloadInterval < 0 {
		report("reload_interval", "must not be negative")
	}
	if s.Tips.MinMessages < 1 {
		report("tips.min_messages", fmt.Sprintf("must be at least 1, got %d", s.Tips.MinMessages))
	}
	if s.Tips.TrendingViewers < 0 {
		report("tips.trending_viewers", "must not be negative (0 turns trending off)")
	}
	if s.Tips.TrendingWithin <= 0 {
		report("tips.trending_within", "must be a positive duration such as 10m")
	}
	s.Semantic.check(report)
}

func (s SemanticSection) check(report func(field, msg string)) {
	switch s.Backend {
	case "", "builtin":
	case "http":
		if s.URL == "" {
			report("semantic.url", "backend http needs the endpoint's url, such as http://localhost:11434/v1")
		} else if u, err := url.Parse(s.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			report("semantic.url", fmt.Sprintf("want an http(s) url such as http://localhost:11434/v1, got %q", s.URL))
		}
		if s.Model == "" {
			report("semantic.model", "backend http needs the embedding model's name, such as nomic-embed-text")
		}
	default:
		report("semantic.backend", fmt.Sprintf("unknown backend %q (want builtin or http)", s.Backend))
	}
	if s.Timeout < 0 {
		report("semantic.timeout", "must be a positive duration such as 500ms")
	}
}

// Check reports every problem with a channel's section, as Section.Check
// does.
func (c ChannelSection) Check(report func(field, msg string)) {
	checkAnswer(report, c.MinConfidence, c.Cooldown)
}

func checkAnswer(report func(field, msg string), mc map[string]float64, cooldown time.Duration) {
	// In order, so the same file always gives the same report.
	for _, lang := range slices.Sorted(maps.Keys(mc)) {
		v := mc[lang]
		if !languages[lang] {
			report("min_confidence."+lang, fmt.Sprintf("unknown language %q (want en or zh)", lang))
		}
		if v < 0 || v > 1 {
			report("min_confidence."+lang, fmt.Sprintf("must be between 0 and 1, got %v", v))
		}
	}
	if cooldown < 0 {
		report("cooldown", "must not be negative")
	}
}
