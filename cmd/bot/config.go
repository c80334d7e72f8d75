package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"time"

	"github.com/go-viper/mapstructure/v2"
	"github.com/spf13/viper"

	"github.com/chatdesk/chatdesk/internal/answer"
	"github.com/chatdesk/chatdesk/internal/cluster"
	"github.com/chatdesk/chatdesk/internal/configcheck"
	"github.com/chatdesk/chatdesk/internal/escalation"
	"github.com/chatdesk/chatdesk/internal/moderation"
	"github.com/chatdesk/chatdesk/internal/twitch"
	"github.com/chatdesk/chatdesk/internal/web"
)

// Config is the whole of config.yaml, after defaults and CHATDESK_*
// environment overrides. The sections the deciding packages read are
// theirs (answer.Section, moderation.Section, escalation.Section), with
// their merges and checks; what is here is the bot's own.
type Config struct {
	Bot BotConfig `mapstructure:"bot"`
	// Answer sets every channel's answer defaults; a channel's own
	// section overrides them.
	Answer   answer.Section  `mapstructure:"answer"`
	Channels []ChannelConfig `mapstructure:"channels"`
	Twitch   twitch.Section  `mapstructure:"twitch"`
	HTTP     web.Section     `mapstructure:"http"`
	// Moderation sets every channel's rules; a channel's own section
	// changes what it names.
	Moderation moderation.Section `mapstructure:"moderation"`
	// Store says where tickets live; Escalation when questions become
	// tickets and what the bot promises about them.
	Store      escalation.StoreSection `mapstructure:"store"`
	Escalation escalation.Section      `mapstructure:"escalation"`
	// Feedback is how viewers rate the answers.
	Feedback FeedbackConfig `mapstructure:"feedback"`
	// Cluster shares the channels among instances through the Redis store.
	Cluster cluster.Section `mapstructure:"cluster"`

	// file is the config file's path; relative paths in it are resolved
	// against its directory.
	file string
}

// BotConfig is the bot's identity and logging.
type BotConfig struct {
	// Name is the bot's chat login; viewers may @-mention it.
	Name     string `mapstructure:"name"`
	LogLevel string `mapstructure:"log_level"`
	// DataDir is where the bot keeps what it learns while running (the
	// block lists moderators edit from chat), relative to the config file.
	DataDir string `mapstructure:"data_dir"`
}

// ChannelConfig is one channel the bot works in.
type ChannelConfig struct {
	Name string   `mapstructure:"name"`
	FAQ  []string `mapstructure:"faq"`
	// Answer overrides the top-level answer settings for this channel.
	Answer answer.ChannelSection `mapstructure:"answer"`
	// Moderation changes the top-level moderation settings for this
	// channel.
	Moderation moderation.Section `mapstructure:"moderation"`
	// Escalation changes the top-level escalation settings for this
	// channel.
	Escalation escalation.ChannelSection `mapstructure:"escalation"`
}

// FeedbackConfig is how viewers rate the bot's answers.
type FeedbackConfig struct {
	// Window is how long after an answer its asker may say !helpful,
	// !wrong, thanks or 👍/👎.
	Window time.Duration `mapstructure:"window"`
}

// configDefaults are the values a key takes when neither the file nor the
// environment sets it, built afresh for each load: nothing can change them
// between two loads. The deciding packages' sections bring their own, so
// the two cannot drift. A map's keys (a language's min_confidence, a rule's
// options) are the ones named here, and only those can be set from the
// environment.
func configDefaults() map[string]any {
	d := map[string]any{
		"bot.name":        "chatdesk",
		"bot.log_level":   "info",
		"bot.data_dir":    "data",
		"channels":        []any{},
		"feedback.window": "2m",
	}
	for section, defs := range map[string]map[string]any{
		"answer": answer.SectionDefaults(), "moderation": moderation.SectionDefaults(),
		"store": escalation.StoreDefaults(), "escalation": escalation.SectionDefaults(),
		"cluster": cluster.SectionDefaults(), "twitch": twitch.SectionDefaults(), "http": web.SectionDefaults(),
	} {
		for k, v := range defs {
			d[section+"."+k] = v
		}
	}
	return d
}

// schema is what the file and the environment are checked against before
// viper reads them: viper (through mapstructure) stops at the first
// problem and names neither a line nor the key a user typed.
var schema = configcheck.Schema{
	Type: reflect.TypeFor[Config](),
	// Secrets may only come from the environment.
	Secrets: map[string]bool{"twitch.token": true, "twitch.refresh_token": true, "twitch.client_id": true, "twitch.client_secret": true,
		"store.redis.password": true},
	EnvPrefix: "CHATDESK_",
	// CHATDESK_TEST_* belongs to the tests (CHATDESK_TEST_REDIS).
	EnvIgnore: []string{"CHATDESK_TEST_"},
	EnvKnown:  "CHATDESK_<SECTION>_<KEY> for the keys of config.yaml",
	Empty:     "the config is empty; see config.yaml in the chatdesk repository for a starting point",
}

// ConfigError lists every problem found in a config file and the
// environment, one "file:line: field: problem" (or "environment: NAME: …")
// per line.
type ConfigError = configcheck.Error

// loadConfig reads path (which must exist), applies defaults and CHATDESK_*
// environment overrides from env, resolves the paths in it once, and
// validates the result. Problems in the file and in the environment are
// reported together.
func loadConfig(path string, env []string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	defs := configDefaults()
	overrides, envProblems := schema.ReadEnv(env, schema.Settings(defs))
	doc, err := schema.Check(path, data)
	if err != nil {
		var ce *ConfigError
		if errors.As(err, &ce) {
			ce.Problems = append(ce.Problems, envProblems...)
		}
		return nil, err
	}
	if len(envProblems) > 0 {
		return nil, &ConfigError{Problems: envProblems}
	}

	v := viper.New()
	for k, val := range defs {
		v.SetDefault(k, val)
	}
	v.SetConfigType("yaml")
	if err := v.ReadConfig(bytes.NewReader(data)); err != nil {
		return nil, &ConfigError{Problems: []string{fmt.Sprintf("%s:1: (file): %v", path, err)}}
	}
	var applied []string
	for _, o := range overrides {
		v.Set(o.Key, o.Value)
		doc.SetByEnv(o.Key, o.Name)
		applied = append(applied, o.Name)
	}
	var cfg Config
	hook := mapstructure.ComposeDecodeHookFunc(
		mapstructure.StringToTimeDurationHookFunc(),
		mapstructure.StringToSliceHookFunc(","),
	)
	if err := v.Unmarshal(&cfg, viper.DecodeHook(hook)); err != nil {
		// The file and the environment were checked against Config's
		// shape above, so this is a bug in that check.
		return nil, fmt.Errorf("config %s (with environment %s): %w", path, strings.Join(applied, ", "), err)
	}
	cfg.file = path
	cfg.resolvePaths()
	if err := cfg.validate(doc); err != nil {
		return nil, err
	}
	return &cfg, nil
}

var channelName = regexp.MustCompile(`^[a-z0-9_]{1,25}$`)

// validate checks values that are well-typed but wrong, naming the line of
// the field that holds them. The sections of the deciding packages check
// themselves; the rest is about wiring.
func (c *Config) validate(doc *configcheck.Doc) error {
	var p []string
	add := func(field, format string, args ...any) {
		p = append(p, doc.Problem(field, fmt.Sprintf(format, args...)))
	}
	// in reports a section's problems under the section's key.
	in := func(prefix string) func(field, msg string) {
		return func(field, msg string) { p = append(p, doc.Problem(prefix+"."+field, msg)) }
	}
	switch c.Bot.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		add("bot.log_level", "want debug, info, warn or error, got %q", c.Bot.LogLevel)
	}
	c.Answer.Check(in("answer"))
	c.Moderation.Check(nil, in("moderation"))
	for i := range c.Channels {
		c.Moderation.Check(&c.Channels[i].Moderation, in(fmt.Sprintf("channels[%d].moderation", i)))
	}
	c.Store.Check(in("store"))
	c.Cluster.Check(c.Store.Backend, in("cluster"))
	c.Escalation.Check(in("escalation"))
	for i, ch := range c.Channels {
		ch.Escalation.Check(in(fmt.Sprintf("channels[%d].escalation", i)))
	}
	if len(c.Channels) == 0 {
		add("channels", "list at least one channel, e.g. channels: [{name: mychannel, faq: [faq/demo.yaml]}]")
	}
	seen := map[string]int{}
	for i, ch := range c.Channels {
		f := fmt.Sprintf("channels[%d]", i)
		name := strings.TrimPrefix(strings.ToLower(ch.Name), "#")
		c.Channels[i].Name = name
		if !channelName.MatchString(name) {
			add(f+".name", "want a Twitch login (letters, digits, _), got %q", ch.Name)
		} else if j, dup := seen[name]; dup {
			add(f+".name", "channel %q is listed twice (also channels[%d])", name, j)
		}
		seen[name] = i
		if len(ch.FAQ) == 0 {
			add(f+".faq", "list at least one FAQ file")
		}
		for k, file := range ch.FAQ {
			field := fmt.Sprintf("%s.faq[%d]", f, k)
			if strings.TrimSpace(file) == "" {
				add(field, "empty file name")
				continue
			}
			// resolvePaths has made the path relative to the config file.
			if _, err := os.Stat(file); errors.Is(err, os.ErrNotExist) {
				add(field, "no such file %s (a relative path is relative to the config file)", file)
			}
		}
		ch.Answer.Check(in(f + ".answer"))
	}
	c.HTTP.Check(in("http"))
	c.Twitch.Check(in("twitch"))
	if len(p) > 0 {
		return &ConfigError{Problems: p}
	}
	return nil
}

// moderates reports whether moderation is on in some channel, so the bot
// needs the moderation scopes.
func (c *Config) moderates() bool {
	for i := range c.Channels {
		if _, on := c.Moderation.Settings(&c.Channels[i].Moderation); on {
			return true
		}
	}
	return false
}

// resolvePaths resolves every path in the config against the config
// file's directory, so the bot finds its files whatever directory it is
// started from. It is the only place that does: code that uses a path
// (bot.data_dir, store.path, a channel's FAQ files) uses it as it is.
func (c *Config) resolvePaths() {
	dir := filepath.Dir(c.file)
	resolve := func(p string) string {
		if filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(dir, p)
	}
	if strings.TrimSpace(c.Bot.DataDir) == "" {
		c.Bot.DataDir = "data"
	}
	c.Bot.DataDir = resolve(c.Bot.DataDir)
	if c.Store.Path == "" {
		c.Store.Path = filepath.Join(c.Bot.DataDir, "chatdesk.db")
	} else {
		c.Store.Path = resolve(c.Store.Path)
	}
	for i := range c.Channels {
		for k, f := range c.Channels[i].FAQ {
			// An empty name stays empty, for validation to report.
			if strings.TrimSpace(f) != "" {
				c.Channels[i].FAQ[k] = resolve(f)
			}
		}
	}
}
