package main

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/go-viper/mapstructure/v2"
	"github.com/spf13/viper"
	"gopkg.in/yaml.v3"
)

// Config is the whole of config.yaml, after defaults and CHATDESK_*
// environment overrides.
type Config struct {
	Bot      BotConfig       `mapstructure:"bot"`
	Answer   AnswerConfig    `mapstructure:"answer"`
	Channels []ChannelConfig `mapstructure:"channels"`
	Twitch   TwitchConfig    `mapstructure:"twitch"`
	HTTP     HTTPConfig      `mapstructure:"http"`
	// Moderation sets every channel's rules; a channel's own section
	// changes what it names.
	Moderation ModerationConfig `mapstructure:"moderation"`
	// Store says where tickets live; Escalation when questions become
	// tickets and what the bot promises about them.
	Store      StoreConfig      `mapstructure:"store"`
	Escalation EscalationConfig `mapstructure:"escalation"`
	// Feedback is how viewers rate the answers.
	Feedback FeedbackConfig `mapstructure:"feedback"`

	// file is the config file's path; relative paths in it are resolved
	// against its directory.
	file string
	// dryRun is set by the commands that only look (replay, ask, check):
	// they must not change what the bot keeps between runs.
	dryRun bool
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

// AnswerConfig tunes the FAQ answers. At the top level it sets every
// channel's defaults; a channel's own answer section overrides them.
type AnswerConfig struct {
	// MinConfidence per language ("en", "zh"), 0..1.
	MinConfidence map[string]float64 `mapstructure:"min_confidence"`
	// Cooldown for entries that set none.
	Cooldown time.Duration `mapstructure:"cooldown"`
	// ReloadInterval is how often FAQ files are checked for changes; zero
	// turns hot reload off.
	ReloadInterval time.Duration `mapstructure:"reload_interval"`
	// Tips decide when entries with announce are posted unasked.
	Tips TipsConfig `mapstructure:"tips"`
}

// TipsConfig tunes proactive tips (FAQ entries with announce).
type TipsConfig struct {
	// MinMessages chat messages must come between two tips.
	MinMessages int `mapstructure:"min_messages"`
	// TrendingViewers distinct viewers asking an entry within
	// TrendingWithin post it sooner; 0 turns that off.
	TrendingViewers int           `mapstructure:"trending_viewers"`
	TrendingWithin  time.Duration `mapstructure:"trending_within"`
}

// ChannelConfig is one channel the bot works in.
type ChannelConfig struct {
	Name string   `mapstructure:"name"`
	FAQ  []string `mapstructure:"faq"`
	// Answer overrides the top-level answer settings for this channel.
	Answer ChannelAnswerConfig `mapstructure:"answer"`
	// Moderation changes the top-level moderation settings for this
	// channel.
	Moderation ModerationConfig `mapstructure:"moderation"`
	// Escalation changes the top-level escalation settings for this
	// channel.
	Escalation ChannelEscalationConfig `mapstructure:"escalation"`
}

// ChannelAnswerConfig holds a channel's overrides; zero values inherit.
type ChannelAnswerConfig struct {
	MinConfidence map[string]float64 `mapstructure:"min_confidence"`
	Cooldown      time.Duration      `mapstructure:"cooldown"`
}

// TwitchConfig says how to reach Twitch. Secrets never live in the file:
// the token and client id come from CHATDESK_TWITCH_TOKEN and
// CHATDESK_TWITCH_CLIENT_ID.
type TwitchConfig struct {
	Username   string `mapstructure:"username"`
	IRCAddress string `mapstructure:"irc_address"`
	TLS        bool   `mapstructure:"tls"`
	APIURL     string `mapstructure:"api_url"`
	AuthURL    string `mapstructure:"auth_url"`
	Token      string `mapstructure:"token"`
	ClientID   string `mapstructure:"client_id"`
}

// HTTPConfig is the health and metrics server.
type HTTPConfig struct {
	// Addr to listen on; empty turns the server off.
	Addr string `mapstructure:"addr"`
}

// Defaults of keys that validation also quotes as examples.
const (
	defaultAPIURL  = "https://api.twitch.tv/helix"
	defaultAuthURL = "https://id.twitch.tv/oauth2"
)

// configDefaults are the values a key takes when neither the file nor the
// environment sets it, built afresh for each load: nothing can change them
// between two loads. The moderation keys come from the moderation package;
// a map's keys (a language's min_confidence, a rule's options) are the ones
// named here, and only those can be set from the environment.
func configDefaults() map[string]any {
	d := map[string]any{
		"bot.name":                 "chatdesk",
		"bot.log_level":            "info",
		"bot.data_dir":             "data",
		"answer.min_confidence.en": 0.5,
		"answer.min_confidence.zh": 0.9,
		"answer.cooldown":          "2m",
		"answer.reload_interval":   "2s",
		"twitch.username":          "",
		"twitch.irc_address":       "irc.chat.twitch.tv:6697",
		"twitch.tls":               true,
		"twitch.api_url":           defaultAPIURL,
		"twitch.auth_url":          defaultAuthURL,
		"twitch.token":             "",
		"twitch.client_id":         "",
		"http.addr":                "127.0.0.1:8080",
		"channels":                 []any{},

		"answer.tips.min_messages":     20,
		"answer.tips.trending_viewers": 3,
		"answer.tips.trending_within":  "10m",

		"store.backend":                 "embedded",
		"store.path":                    "",
		"store.redis.addrs":             []any{"127.0.0.1:6379"},
		"store.redis.db":                0,
		"store.redis.password":          "",
		"store.redis.master_name":       "",
		"store.redis.key_prefix":        "chatdesk:",
		"escalation.enabled":            true,
		"escalation.mentions":           true,
		"escalation.crowd.viewers":      3,
		"escalation.crowd.within":       "5m",
		"escalation.sla.first_response": "10m",
		"escalation.sla.remind_every":   "5m",
		"escalation.claim_lease":        "15m",
		"escalation.delivery_expiry":    "24h",
		"escalation.away_after":         "10m",
		"feedback.window":               "2m",
	}
	maps.Copy(d, moderationDefaults())
	return d
}

// secretKeys may only come from the environment.
var secretKeys = map[string]bool{"twitch.token": true, "twitch.client_id": true, "store.redis.password": true}

// languages the answer stage knows.
var languages = map[string]bool{"en": true, "zh": true}

// ConfigError lists every problem found in a config file, one
// "file:line: field: problem" per line.
type ConfigError struct {
	Problems []string
}

func (e *ConfigError) Error() string { return strings.Join(e.Problems, "\n") }

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
	overrides, envProblems := readEnv(env, envSettings(defs))
	doc := &configDoc{file: path, lines: map[string]int{}, env: map[string]string{}}
	if err := doc.check(data); err != nil {
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
		v.Set(o.key, o.value)
		doc.env[o.key] = o.name
		applied = append(applied, o.name)
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
// the field that holds them.
func (c *Config) validate(doc *configDoc) error {
	var p []string
	add := func(field, format string, args ...any) {
		msg := fmt.Sprintf(format, args...)
		if name, ok := doc.fromEnv(field); ok {
			p = append(p, fmt.Sprintf("environment: %s: %s: %s", name, field, msg))
			return
		}
		p = append(p, fmt.Sprintf("%s:%d: %s: %s", doc.file, doc.line(field), field, msg))
	}
	switch c.Bot.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		add("bot.log_level", "want debug, info, warn or error, got %q", c.Bot.LogLevel)
	}
	checkAnswer := func(prefix string, mc map[string]float64, cooldown, interval time.Duration) {
		// In order, so the same file always gives the same report.
		langs := make([]string, 0, len(mc))
		for lang := range mc {
			langs = append(langs, lang)
		}
		sort.Strings(langs)
		for _, lang := range langs {
			v := mc[lang]
			if !languages[lang] {
				add(prefix+".min_confidence."+lang, "unknown language %q (want en or zh)", lang)
			}
			if v < 0 || v > 1 {
				add(prefix+".min_confidence."+lang, "must be between 0 and 1, got %v", v)
			}
		}
		if cooldown < 0 {
			add(prefix+".cooldown", "must not be negative")
		}
		if interval < 0 {
			add(prefix+".reload_interval", "must not be negative")
		}
	}
	checkAnswer("answer", c.Answer.MinConfidence, c.Answer.Cooldown, c.Answer.ReloadInterval)
	if t := c.Answer.Tips; t.MinMessages < 1 {
		add("answer.tips.min_messages", "must be at least 1, got %d", t.MinMessages)
	}
	if c.Answer.Tips.TrendingViewers < 0 {
		add("answer.tips.trending_viewers", "must not be negative (0 turns trending off)")
	}
	if c.Answer.Tips.TrendingWithin <= 0 {
		add("answer.tips.trending_within", "must be a positive duration such as 10m")
	}
	validateModeration(c, add)
	validateEscalation(c, add)
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
		checkAnswer(f+".answer", ch.Answer.MinConfidence, ch.Answer.Cooldown, 0)
	}
	if c.HTTP.Addr != "" {
		if _, _, err := splitHostPort(c.HTTP.Addr); err != nil {
			add("http.addr", "%v", err)
		}
	}
	c.validateTwitch(add)
	if len(p) > 0 {
		return &ConfigError{Problems: p}
	}
	return nil
}

// validateTwitch checks the twitch section: a mistyped address would
// otherwise only show when the bot tries to go live.
func (c *Config) validateTwitch(add func(field, format string, args ...any)) {
	t := &c.Twitch
	t.Username = strings.TrimPrefix(strings.ToLower(strings.TrimSpace(t.Username)), "@")
	if t.Username != "" && !channelName.MatchString(t.Username) {
		add("twitch.username", "want the bot account's Twitch login (letters, digits, _), got %q", t.Username)
	}
	if host, _, err := splitHostPort(t.IRCAddress); err != nil || host == "" {
		add("twitch.irc_address", "want host:port such as irc.chat.twitch.tv:6697, got %q", t.IRCAddress)
	}
	for _, f := range []struct{ name, value, example string }{{"twitch.api_url", t.APIURL, defaultAPIURL}, {"twitch.auth_url", t.AuthURL, defaultAuthURL}} {
		if u, err := url.Parse(f.value); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			add(f.name, "want an http(s) URL such as %s, got %q", f.example, f.value)
		}
	}
}

func splitHostPort(addr string) (string, string, error) {
	i := strings.LastIndex(addr, ":")
	if i < 0 {
		return "", "", fmt.Errorf("want host:port, got %q", addr)
	}
	if _, err := strconv.Atoi(addr[i+1:]); err != nil {
		return "", "", fmt.Errorf("want host:port with a numeric port, got %q", addr)
	}
	return addr[:i], addr[i+1:], nil
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

// configDoc checks the raw YAML against Config's shape and remembers the
// line of every field, so later problems can name it.
type configDoc struct {
	file     string
	lines    map[string]int
	problems []string
	// env names the variable that set a key, for keys the environment
	// overrides: a problem with such a key is the variable's.
	env map[string]string
}

func (d *configDoc) line(field string) int {
	for f := field; f != ""; {
		if l, ok := d.lines[f]; ok {
			return l
		}
		i := strings.LastIndexAny(f, ".[")
		if i < 0 {
			break
		}
		f = f[:i]
	}
	return 1
}

// fromEnv returns the variable that set field, or set the key that holds
// it (a list's items are its key's).
func (d *configDoc) fromEnv(field string) (string, bool) {
	for f := field; f != ""; {
		if name, ok := d.env[f]; ok {
			return name, true
		}
		i := strings.LastIndexAny(f, ".[")
		if i < 0 {
			break
		}
		f = f[:i]
	}
	return "", false
}

func (d *configDoc) addf(line int, field, format string, args ...any) {
	d.problems = append(d.problems, fmt.Sprintf("%s:%d: %s: %s", d.file, line, field, fmt.Sprintf(format, args...)))
}

// check walks the YAML document against Config's fields: unknown keys,
// wrong kinds of values and unparsable durations or numbers are reported
// with their line, all at once.
func (d *configDoc) check(data []byte) error {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		line := 1
		var te *yaml.TypeError
		msg := err.Error()
		if errors.As(err, &te) && len(te.Errors) > 0 {
			msg = te.Errors[0]
		}
		msg = strings.TrimPrefix(msg, "yaml: ")
		if m := yamlLinePrefix.FindStringSubmatch(msg); m != nil {
			line, _ = strconv.Atoi(m[1])
			msg = msg[len(m[0]):]
			// yaml.v3 counts lines from zero in its parser's errors (not
			// its scanner's), so those come out one line early.
			if yamlParserProblem[msg] {
				line++
			}
		}
		// An error at the end of the input is placed on the last line an
		// editor shows.
		last := bytes.Count(data, []byte("\n"))
		if len(data) > 0 && data[len(data)-1] != '\n' {
			last++
		}
		if last > 0 && line > last {
			line = last
		}
		return &ConfigError{Problems: []string{fmt.Sprintf("%s:%d: (yaml): %s", d.file, line, msg)}}
	}
	if len(root.Content) == 0 {
		return &ConfigError{Problems: []string{fmt.Sprintf("%s:1: (file): the config is empty; see config.yaml in the chatdesk repository for a starting point", d.file)}}
	}
	d.walk(root.Content[0], reflect.TypeOf(Config{}), "")
	if len(d.problems) > 0 {
		return &ConfigError{Problems: d.problems}
	}
	return nil
}

var yamlLinePrefix = regexp.MustCompile(`^line (\d+): `)

// yamlParserProblem lists yaml.v3's parser errors that carry a line.
var yamlParserProblem = map[string]bool{
	"did not find expected node content":  true,
	"did not find expected key":           true,
	"did not find expected '-' indicator": true,
	"did not find expected ',' or ']'":    true,
	"did not find expected ',' or '}'":    true,
}

var durationType = reflect.TypeOf(time.Duration(0))

func (d *configDoc) walk(n *yaml.Node, t reflect.Type, path string) {
	if path != "" {
		d.lines[path] = n.Line
	}
	field := path
	if field == "" {
		field = "(top level)"
	}
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return
	}
	for t.Kind() == reflect.Pointer {
		// An optional value (unset means inherit) is checked as the
		// value it points to.
		t = t.Elem()
	}
	switch {
	case t.Kind() == reflect.Struct:
		if n.Kind != yaml.MappingNode {
			d.addf(n.Line, field, "want a mapping of keys")
			return
		}
		known := map[string]reflect.Type{}
		var names []string
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			tag := f.Tag.Get("mapstructure")
			if tag == "" {
				continue
			}
			known[tag] = f.Type
			names = append(names, tag)
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i], n.Content[i+1]
			sub := k.Value
			if path != "" {
				sub = path + "." + k.Value
			}
			ft, ok := known[k.Value]
			if !ok {
				d.addf(k.Line, sub, "unknown field (known here: %s)", strings.Join(names, ", "))
				continue
			}
			if secretKeys[sub] && val.Value != "" {
				d.addf(k.Line, sub, "secrets do not belong in the config file; set %s in the environment", "CHATDESK_"+strings.ToUpper(strings.ReplaceAll(sub, ".", "_")))
				continue
			}
			d.walk(val, ft, sub)
		}
	case t.Kind() == reflect.Slice:
		if n.Kind == yaml.ScalarNode && t.Elem().Kind() == reflect.String {
			return // a single string stands for a one-element list
		}
		if n.Kind != yaml.SequenceNode {
			d.addf(n.Line, field, "want a list")
			return
		}
		for i, el := range n.Content {
			d.walk(el, t.Elem(), fmt.Sprintf("%s[%d]", path, i))
		}
	case t.Kind() == reflect.Map:
		if n.Kind != yaml.MappingNode {
			d.addf(n.Line, field, "want a mapping of keys")
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			d.lines[path+"."+n.Content[i].Value] = n.Content[i].Line
			d.walk(n.Content[i+1], t.Elem(), path+"."+n.Content[i].Value)
		}
	default:
		if n.Kind != yaml.ScalarNode && t == durationType {
			d.addf(n.Line, field, "want %s", wantDuration)
			return
		}
		if n.Kind != yaml.ScalarNode {
			d.addf(n.Line, field, "want a single value, not a %s", kindName(n.Kind))
			return
		}
		// The same check as a CHATDESK_* variable's value gets.
		if _, want := parseScalar(t, n.Value); want != "" {
			d.addf(n.Line, field, "want %s, got %q", want, n.Value)
		}
	}
}

const wantDuration = "a duration like 90s or 2m"

// parseScalar reads s as a value of type t, the one check of a single
// value for the file and the environment alike. When s does not read, want
// says what would (as in "want true or false").
func parseScalar(t reflect.Type, s string) (value any, want string) {
	switch {
	case t == durationType:
		d, err := time.ParseDuration(s)
		if err != nil {
			return nil, wantDuration
		}
		return d, ""
	case t.Kind() == reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return nil, "true or false"
		}
		return b, ""
	case t.Kind() == reflect.Int:
		n, err := strconv.ParseInt(s, 0, strconv.IntSize)
		if err != nil {
			return nil, "a whole number"
		}
		return int(n), ""
	case t.Kind() == reflect.Float64:
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, "a number"
		}
		return f, ""
	case t.Kind() == reflect.String:
		return s, ""
	}
	// Config has no other kind of single value; a new one must be taught
	// here, which TestEnvSettings notices.
	return nil, "a value of type " + t.String()
}

func kindName(k yaml.Kind) string {
	switch k {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	}
	return "value"
}
