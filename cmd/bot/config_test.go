package main

import (
	"errors"
	"flag"
	"fmt"
	"github.com/chatdesk/chatdesk/internal/configcheck"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the .golden files under testdata/check from the current output")

// problemLine is the shape of every line check prints about a problem:
// file:line: field: problem.
var problemLine = regexp.MustCompile(`^[^:\s]+\.yaml:\d+: [^:]+: \S.*$`)

// TestCheckGolden runs `bot check` on every testdata/check/NAME.yaml and
// compares its exit code and output with NAME.golden. Run with -update after
// a deliberate change to the messages, and read the diff.
func TestCheckGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/check/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no testdata/check/*.yaml")
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".yaml")
		t.Run(name, func(t *testing.T) {
			// Slashes keep the golden files the same on every OS.
			o := invoke(t, nil, "", "check", "--config", filepath.ToSlash(file))
			got := "exit " + strconv.Itoa(o.code()) + "\n" + o.stdout
			if o.err != nil {
				got += o.err.Error() + "\n"
			}
			golden := filepath.Join("testdata", "check", name+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -run TestCheckGolden -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("check %s:\ngot:\n%s\nwant:\n%s", file, got, want)
			}
		})
	}
}

// TestCheckProblems pins what matters in each failing config, so a golden
// file regenerated without care cannot bless a regression: exit code 2, and
// every line of the error in the file:line: field: problem shape, naming
// the right place.
func TestCheckProblems(t *testing.T) {
	tests := []struct {
		config string
		// want are substrings of the error, each expected on its own line.
		want []string
	}{
		{"unknown-top-key", []string{"testdata/check/unknown-top-key.yaml:6: colour: unknown field"}},
		{"unknown-channel-key", []string{"testdata/check/unknown-channel-key.yaml:4: channels[0].langauge: unknown field"}},
		{"bad-duration", []string{`testdata/check/bad-duration.yaml:2: answer.cooldown: want a duration like 90s or 2m, got "2 minutes"`}},
		{"min-confidence-range", []string{
			"testdata/check/min-confidence-range.yaml:3: answer.min_confidence.en: must be between 0 and 1",
			"testdata/check/min-confidence-range.yaml:4: answer.min_confidence.zh: must be between 0 and 1",
		}},
		{"channel-min-confidence-range", []string{"testdata/check/channel-min-confidence-range.yaml:5: channels[0].answer.min_confidence.en: must be between 0 and 1"}},
		{"unknown-language", []string{`testdata/check/unknown-language.yaml:3: answer.min_confidence.fr: unknown language "fr"`}},
		{"missing-channels", []string{"testdata/check/missing-channels.yaml:1: channels: list at least one channel"}},
		{"empty-channels", []string{"testdata/check/empty-channels.yaml:1: channels: list at least one channel"}},
		// A FAQ problem names the FAQ file and its line, not the config.
		{"faq-duplicate-id", []string{`testdata/faq/duplicate-id.yaml:5: entries[1].id: duplicate id "teapot"`}},
		{"faq-missing", []string{"testdata/check/faq-missing.yaml:5: channels[0].faq[1]: no such file testdata/faq/no-such-file.yaml"}},
		{"bad-yaml", []string{"testdata/check/bad-yaml.yaml:3: (yaml): "}},
		{"bad-yaml-unclosed-list", []string{"testdata/check/bad-yaml-unclosed-list.yaml:3: (yaml): "}},
		{"secret-in-file", []string{"testdata/check/secret-in-file.yaml:3: twitch.token: secrets do not belong in the config file; set CHATDESK_TWITCH_TOKEN"}},
		// A banned term that would remove all or much of chat, or slow
		// every message, is refused like any bad value.
		{"banned-terms-unsafe", []string{
			"banned-terms-unsafe.yaml:8: moderation.rules.banned_terms.terms[1]: regular expression matches empty text",
			"banned-terms-unsafe.yaml:9: moderation.rules.banned_terms.terms[2]: regular expression too complex",
			"banned-terms-unsafe.yaml:10: moderation.rules.banned_terms.terms[3]: matches ",
			"banned-terms-unsafe.yaml:11: moderation.rules.banned_terms.terms[4]: regular expression too slow",
			"banned-terms-unsafe.yaml:12: moderation.rules.banned_terms.terms[5]: matches ",
			"banned-terms-unsafe.yaml:19: channels[0].moderation.rules.banned_terms.terms[0]: matches ",
		}},
		{"several-problems", []string{
			"several-problems.yaml:3: bot.log_level:",
			"several-problems.yaml:6: answer.min_confidence.en:",
			"several-problems.yaml:11: channels[0].answer.cooldown:",
			"several-problems.yaml:12: channels[1].name:",
			"several-problems.yaml:13: channels[1].faq:",
			"several-problems.yaml:14: channels[2].name:",
			"several-problems.yaml:15: channels[2].faq[1]:",
			"several-problems.yaml:17: http.addr:",
		}},
		{"several-shape-problems", []string{
			"several-shape-problems.yaml:3: bot.nmae:",
			"several-shape-problems.yaml:5: answer.cooldown:",
			"several-shape-problems.yaml:6: answer.reload_interval:",
			"several-shape-problems.yaml:11: twitch.tls:",
		}},
		{"suggest-delete", []string{
			`testdata/check/suggest-delete.yaml:3: escalation.suggest_delete: want true or false, got "sometimes"`,
			"testdata/check/suggest-delete.yaml:8: channels[0].escalation.suggest_delete: want true or false",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.config, func(t *testing.T) {
			o := invoke(t, nil, "", "check", "--config", "testdata/check/"+tt.config+".yaml")
			if got, want := o.code(), exitBadInput; got != want {
				t.Fatalf("exit code %d (%v); want %d", got, o.err, want)
			}
			// Problems inside a FAQ file come from the answer package;
			// everything else about the config is a *ConfigError.
			var ce *ConfigError
			if isConfig := !strings.HasPrefix(tt.config, "faq-duplicate"); errors.As(o.err, &ce) != isConfig {
				t.Errorf("errors.As(%T, *ConfigError) = %v; want %v", errors.Unwrap(o.err), !isConfig, isConfig)
			}
			got := strings.Split(o.err.Error(), "\n")
			if len(got) != len(tt.want) {
				t.Errorf("got %d problems; want %d:\n%s", len(got), len(tt.want), o.err)
			}
			for _, l := range got {
				if !problemLine.MatchString(l) {
					t.Errorf("problem %q is not in the form file:line: field: problem", l)
				}
			}
			for i, want := range tt.want {
				if i < len(got) && !strings.Contains(got[i], want) {
					t.Errorf("problem %d = %q; want it to contain %q", i+1, got[i], want)
				}
			}
			if o.stdout != "" {
				t.Errorf("stdout = %q; want nothing for a bad config", o.stdout)
			}
		})
	}
}

func TestCheckSecretNotShown(t *testing.T) {
	o := invoke(t, nil, "", "check", "--config", "testdata/check/secret-in-file.yaml")
	if o.err == nil {
		t.Fatal("check passed a config with a token in it; want an error")
	}
	for _, s := range []string{o.err.Error(), o.stdout, o.stderr} {
		if strings.Contains(s, "do-not-print-me") {
			t.Errorf("the token from the file is shown: %q", s)
		}
	}
}

func TestLoadConfigShipped(t *testing.T) {
	cfg, err := loadConfig(shippedConfig, nil)
	if err != nil {
		t.Fatalf("loadConfig(%s) = %v", shippedConfig, err)
	}
	if len(cfg.Channels) != 1 || cfg.Channels[0].Name != "mira" {
		t.Fatalf("channels = %+v; want one channel mira", cfg.Channels)
	}
	// Relative FAQ paths resolve against the config file's directory.
	if got, want := cfg.Channels[0].FAQ, []string{filepath.Join("..", "..", "faq", "demo.yaml")}; !slices.Equal(got, want) {
		t.Errorf("faq = %q; want %q", got, want)
	}
	if got, want := cfg.Answer.Cooldown, 2*time.Minute; got != want {
		t.Errorf("answer.cooldown = %v; want %v", got, want)
	}
	if got, want := cfg.Answer.MinConfidence["zh"], 0.911; got != want {
		t.Errorf("answer.min_confidence.zh = %v; want %v", got, want)
	}
	if cfg.Twitch.Token != "" {
		t.Errorf("twitch.token = %q with an empty environment; want empty", cfg.Twitch.Token)
	}
}

func TestLoadConfigRelativeFAQ(t *testing.T) {
	cfg, err := loadConfig("testdata/sub/config.yaml", nil)
	if err != nil {
		t.Fatalf("loadConfig = %v", err)
	}
	want := filepath.Join("testdata", "sub", "faq", "sub.yaml")
	if got := cfg.Channels[0].FAQ; len(got) != 1 || got[0] != want {
		t.Fatalf("faq = %q; want [%q], relative to the config file", got, want)
	}
	o := invoke(t, nil, "", "check", "--config", "testdata/sub/config.yaml")
	if o.err != nil {
		t.Fatalf("check: %v", o.err)
	}
	if !strings.HasPrefix(o.stdout, "#subchannel: ok — 1 FAQ entries") {
		t.Errorf("check printed %q; want #subchannel ok with 1 entry", o.stdout)
	}
}

func TestLoadConfigAbsoluteFAQ(t *testing.T) {
	faq, err := filepath.Abs("testdata/faq/tiny.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	config := filepath.Join(dir, "config.yaml")
	data := "channels:\n  - name: mira\n    faq: [" + faq + "]\n"
	if err := os.WriteFile(config, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := loadConfig(config, nil)
	if err != nil {
		t.Fatalf("loadConfig = %v", err)
	}
	if got := cfg.Channels[0].FAQ; len(got) != 1 || got[0] != faq {
		t.Errorf("faq = %q; want [%q] unchanged", got, faq)
	}
}

func TestEnvOverrides(t *testing.T) {
	tests := []struct {
		name  string
		env   []string
		check func(*Config) (got, want any)
	}{
		{"cooldown", []string{"CHATDESK_ANSWER_COOLDOWN=5m"},
			func(c *Config) (any, any) { return c.Answer.Cooldown, 5 * time.Minute }},
		{"min confidence en", []string{"CHATDESK_ANSWER_MIN_CONFIDENCE_EN=0.7"},
			func(c *Config) (any, any) { return c.Answer.MinConfidence["en"], 0.7 }},
		{"min confidence en leaves zh", []string{"CHATDESK_ANSWER_MIN_CONFIDENCE_EN=0.7"},
			func(c *Config) (any, any) { return c.Answer.MinConfidence["zh"], 0.911 }},
		{"reload interval off", []string{"CHATDESK_ANSWER_RELOAD_INTERVAL=0s"},
			func(c *Config) (any, any) { return c.Answer.ReloadInterval, time.Duration(0) }},
		{"bool", []string{"CHATDESK_TWITCH_TLS=false"},
			func(c *Config) (any, any) { return c.Twitch.TLS, false }},
		{"string", []string{"CHATDESK_TWITCH_IRC_ADDRESS=127.0.0.1:6667"},
			func(c *Config) (any, any) { return c.Twitch.IRCAddress, "127.0.0.1:6667" }},
		{"empty turns http off", []string{"CHATDESK_HTTP_ADDR="},
			func(c *Config) (any, any) { return c.HTTP.Addr, "" }},
		{"log level", []string{"CHATDESK_BOT_LOG_LEVEL=debug"},
			func(c *Config) (any, any) { return c.Bot.LogLevel, "debug" }},
		{"token from the environment", []string{"CHATDESK_TWITCH_TOKEN=oauth:abc"},
			func(c *Config) (any, any) { return c.Twitch.Token, "oauth:abc" }},
		{"client id from the environment", []string{"CHATDESK_TWITCH_CLIENT_ID=cid"},
			func(c *Config) (any, any) { return c.Twitch.ClientID, "cid" }},
		{"refresh token beside the token", []string{"CHATDESK_TWITCH_TOKEN=abc", "CHATDESK_TWITCH_REFRESH_TOKEN=def"},
			func(c *Config) (any, any) { return c.Twitch.RefreshToken, "def" }},
		{"client secret from the environment", []string{"CHATDESK_TWITCH_CLIENT_SECRET=shh"},
			func(c *Config) (any, any) { return c.Twitch.ClientSecret, "shh" }},
		{"other variables are ignored", []string{"PATH=/bin", "HOME=/nowhere", "CHATDESK_TEST_REDIS=127.0.0.1:1", "NOT_CHATDESK_X=1"},
			func(c *Config) (any, any) { return c.Answer.Cooldown, 2 * time.Minute }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := loadConfig(shippedConfig, tt.env)
			if err != nil {
				t.Fatalf("loadConfig with %q = %v", tt.env, err)
			}
			if got, want := tt.check(cfg); got != want {
				t.Errorf("with %q: got %v; want %v", tt.env, got, want)
			}
		})
	}
}

func TestEnvOverrideReachesCheck(t *testing.T) {
	o := invoke(t, []string{"CHATDESK_ANSWER_COOLDOWN=5m", "CHATDESK_ANSWER_MIN_CONFIDENCE_EN=0.7"}, "", "check", "--config", shippedConfig)
	if o.err != nil {
		t.Fatalf("check: %v", o.err)
	}
	for _, want := range []string{"min confidence en 0.70", "cooldown 5m0s"} {
		if !strings.Contains(o.stdout, want) {
			t.Errorf("check printed %q; want it to show %q", o.stdout, want)
		}
	}
}

func TestEnvErrors(t *testing.T) {
	tests := []struct {
		env  []string
		want []string
	}{
		{[]string{"CHATDESK_ANSWER_COOLDOWN=abc"}, []string{"CHATDESK_ANSWER_COOLDOWN", `"abc"`}},
		{[]string{"CHATDESK_BOGUS_KEY=1"}, []string{"CHATDESK_BOGUS_KEY", "unknown"}},
		{[]string{"CHATDESK_ANSWER_MIN_CONFIDENCE_EN=high"}, []string{"CHATDESK_ANSWER_MIN_CONFIDENCE_EN"}},
		{[]string{"CHATDESK_ANSWER_MIN_CONFIDENCE_EN=1.5"}, []string{"answer.min_confidence.en", "between 0 and 1"}},
		{[]string{"CHATDESK_TWITCH_TLS=maybe"}, []string{"CHATDESK_TWITCH_TLS"}},
		{[]string{"CHATDESK_ANSWER_COOLDOWN=abc", "CHATDESK_BOGUS_KEY=1"}, []string{"CHATDESK_ANSWER_COOLDOWN", "CHATDESK_BOGUS_KEY"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.env, " "), func(t *testing.T) {
			_, err := loadConfig(shippedConfig, tt.env)
			if err == nil {
				t.Fatalf("loadConfig with %q = nil; want an error", tt.env)
			}
			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error = %q; want it to mention %s", err, want)
				}
			}
			o := invoke(t, tt.env, "", "check", "--config", shippedConfig)
			if got, want := o.code(), exitBadInput; got != want {
				t.Errorf("check exit code %d (%v); want %d", got, o.err, want)
			}
		})
	}
}

// TestTokenNeverShown sets a token and breaks the config in other ways: no
// error or log line may carry the token's value.
func TestTokenNeverShown(t *testing.T) {
	const token = "oauth:zz9plural"
	tests := []struct {
		name string
		env  []string
		args []string
	}{
		{"check", nil, []string{"check", "--config", shippedConfig}},
		{"bad variable beside it", []string{"CHATDESK_ANSWER_COOLDOWN=abc"}, []string{"check", "--config", shippedConfig}},
		{"unknown variable beside it", []string{"CHATDESK_BOGUS_KEY=1"}, []string{"check", "--config", shippedConfig}},
		{"bad config", []string{"CHATDESK_BOT_LOG_LEVEL=debug"}, []string{"check", "--config", "testdata/check/several-problems.yaml"}},
		{"run with debug logging", []string{"CHATDESK_BOT_LOG_LEVEL=debug"}, []string{"run", "--config", shippedConfig}},
		{"replay", []string{"CHATDESK_BOT_LOG_LEVEL=debug"}, []string{"replay", "--config", shippedConfig, "testdata/replay/chat.txt"}},
		{"ask", nil, []string{"ask", "--config", shippedConfig, "when do you stream?"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A live run opens its store at start: in a temporary folder,
			// not beside the shipped config in the repository.
			env := append([]string{"CHATDESK_TWITCH_TOKEN=" + token, "CHATDESK_TWITCH_CLIENT_ID=" + token, "CHATDESK_BOT_DATA_DIR=" + t.TempDir()}, offline...)
			env = append(env, tt.env...)
			o := invoke(t, env, "ana: when do you stream?\n", tt.args...)
			shown := o.stdout + o.stderr
			if o.err != nil {
				shown += o.err.Error()
			}
			if strings.Contains(shown, "zz9plural") {
				t.Errorf("the token appears in the output:\n%s", shown)
			}
		})
	}
}

// TestEnvBadValue: a CHATDESK_* value is read by the same per-type check
// as the file's, and a bad one is named by its variable, each kind of
// value with its own message.
func TestEnvBadValue(t *testing.T) {
	tests := []struct {
		name string
		env  string
		want string
	}{
		{"bool", "CHATDESK_TWITCH_TLS=maybe",
			`environment: CHATDESK_TWITCH_TLS: want true or false, got "maybe"`},
		{"optional bool", "CHATDESK_MODERATION_SHADOW=perhaps",
			`environment: CHATDESK_MODERATION_SHADOW: want true or false, got "perhaps"`},
		{"int", "CHATDESK_ANSWER_TIPS_MIN_MESSAGES=many",
			`environment: CHATDESK_ANSWER_TIPS_MIN_MESSAGES: want a whole number, got "many"`},
		{"int is whole", "CHATDESK_STORE_REDIS_DB=1.5",
			`environment: CHATDESK_STORE_REDIS_DB: want a whole number, got "1.5"`},
		{"optional int of a rule", "CHATDESK_MODERATION_RULES_CAPS_SEVERITY=high",
			`environment: CHATDESK_MODERATION_RULES_CAPS_SEVERITY: want a whole number, got "high"`},
		{"float in a map", "CHATDESK_ANSWER_MIN_CONFIDENCE_ZH=high",
			`environment: CHATDESK_ANSWER_MIN_CONFIDENCE_ZH: want a number, got "high"`},
		{"optional float of a rule", "CHATDESK_MODERATION_RULES_CAPS_RATIO=most",
			`environment: CHATDESK_MODERATION_RULES_CAPS_RATIO: want a number, got "most"`},
		{"duration", "CHATDESK_ANSWER_COOLDOWN=2 minutes",
			`environment: CHATDESK_ANSWER_COOLDOWN: want a duration like 90s or 2m, got "2 minutes"`},
		{"optional duration", "CHATDESK_MODERATION_STRIKE_DECAY=banana",
			`environment: CHATDESK_MODERATION_STRIKE_DECAY: want a duration like 90s or 2m, got "banana"`},
		{"duration of a rule", "CHATDESK_MODERATION_RULES_FLOOD_WINDOW=soon",
			`environment: CHATDESK_MODERATION_RULES_FLOOD_WINDOW: want a duration like 90s or 2m, got "soon"`},
		{"duration of a section", "CHATDESK_FEEDBACK_WINDOW=forever",
			`environment: CHATDESK_FEEDBACK_WINDOW: want a duration like 90s or 2m, got "forever"`},
		{"string list, an item invalid", "CHATDESK_MODERATION_LADDER=warn, explode",
			`environment: CHATDESK_MODERATION_LADDER: moderation.ladder[1]: unknown step "explode" (want warn, delete, timeout <duration> or ban, joined by +)`},
		{"map entry out of range", "CHATDESK_ANSWER_MIN_CONFIDENCE_EN=1.5",
			`environment: CHATDESK_ANSWER_MIN_CONFIDENCE_EN: answer.min_confidence.en: must be between 0 and 1, got 1.5`},
		{"list of sections", "CHATDESK_CHANNELS=mira",
			`environment: CHATDESK_CHANNELS: set in the config file only: a list of sections has no environment form`},
		{"refresh token without the token it renews", "CHATDESK_TWITCH_REFRESH_TOKEN=def",
			`environment: CHATDESK_TWITCH_REFRESH_TOKEN: twitch.refresh_token: goes with the access token it renews: set CHATDESK_TWITCH_TOKEN beside it (or sign in with bot login instead)`},
		{"option the rule does not take", "CHATDESK_MODERATION_RULES_CAPS_WINDOW=1m",
			`environment: CHATDESK_MODERATION_RULES_CAPS_WINDOW: unknown setting (known: CHATDESK_<SECTION>_<KEY> for the keys of config.yaml)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadConfig(shippedConfig, []string{tt.env})
			if err == nil {
				t.Fatalf("loadConfig with %s = nil; want an error", tt.env)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("loadConfig with %s:\ngot  %s\nwant %s", tt.env, got, tt.want)
			}
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Errorf("error is %T; want a *ConfigError", err)
			}
			if o := invoke(t, []string{tt.env}, "", "check", "--config", shippedConfig); o.code() != exitBadInput {
				t.Errorf("check exit code %d (%v); want %d", o.code(), o.err, exitBadInput)
			}
		})
	}
}

// TestEnvSecretValueNotShown: a secret's variable is named when its value
// is wrong, its value never.
func TestEnvSecretValueNotShown(t *testing.T) {
	// No secret is anything but a string today, which always reads; a
	// secret read as a duration stands for one that some day is not.
	settings := map[string]configcheck.Setting{"CHATDESK_STORE_REDIS_PASSWORD": {Key: "store.redis.password", Type: reflect.TypeFor[time.Duration]()}}
	_, problems := schema.ReadEnv([]string{"CHATDESK_STORE_REDIS_PASSWORD=hunter2"}, settings)
	want := []string{"environment: CHATDESK_STORE_REDIS_PASSWORD: want a duration like 90s or 2m"}
	if !slices.Equal(problems, want) {
		t.Errorf("problems = %q; want %q", problems, want)
	}
}

// TestEnvAndFileProblemsTogether: one run of check shows what is wrong in
// the file and in the environment.
func TestEnvAndFileProblemsTogether(t *testing.T) {
	_, err := loadConfig("testdata/check/bad-duration.yaml", []string{"CHATDESK_TWITCH_TLS=maybe", "CHATDESK_BOGUS=1"})
	want := []string{
		`testdata/check/bad-duration.yaml:2: answer.cooldown: want a duration like 90s or 2m, got "2 minutes"`,
		"environment: CHATDESK_BOGUS: unknown setting (known: CHATDESK_<SECTION>_<KEY> for the keys of config.yaml)",
		`environment: CHATDESK_TWITCH_TLS: want true or false, got "maybe"`,
	}
	if err == nil {
		t.Fatal("loadConfig = nil; want an error")
	}
	if got := strings.Split(err.Error(), "\n"); !slices.Equal(got, want) {
		t.Errorf("problems:\n%s\nwant:\n%s", err, strings.Join(want, "\n"))
	}
}

// TestEnvSettings: the variables come from Config itself, so no key can be
// left out of the environment.
func TestEnvSettings(t *testing.T) {
	settings := schema.Settings(configDefaults())
	for key := range configDefaults() {
		if s, ok := settings[schema.EnvName(key)]; !ok || s.Key != key {
			t.Errorf("%s sets %q (known %v); want it to set %s", schema.EnvName(key), s.Key, ok, key)
		}
	}
	// Fields with no default are settable too.
	for _, name := range []string{"CHATDESK_MODERATION_REGULARS", "CHATDESK_MODERATION_EMOTES", "CHATDESK_STORE_PATH", "CHATDESK_BOT_DATA_DIR"} {
		if _, ok := settings[name]; !ok {
			t.Errorf("%s is not a setting", name)
		}
	}
	// Every setting's type is one the environment can read.
	for name, s := range settings {
		et := s.Type
		if et.Kind() == reflect.Slice {
			if et.Elem().Kind() == reflect.Struct {
				continue // a list of sections: file only
			}
			et = et.Elem()
		}
		if _, want := configcheck.ParseScalar(et, ""); strings.HasPrefix(want, "a value of type") {
			t.Errorf("%s (%s) is of type %s, which ParseScalar cannot read", name, s.Key, s.Type)
		}
	}
}

// TestConfigDefaultsAreFresh: defaults are built for each load, so nothing
// one load (or test) does to them reaches the next.
func TestConfigDefaultsAreFresh(t *testing.T) {
	d := configDefaults()
	d["bot.name"] = "changed"
	delete(d, "moderation.rules.caps.enabled")
	again := configDefaults()
	if again["bot.name"] != "chatdesk" || again["moderation.rules.caps.enabled"] == nil {
		t.Errorf("configDefaults() after changing an earlier result: bot.name %v, caps.enabled %v", again["bot.name"], again["moderation.rules.caps.enabled"])
	}
}

func TestEnvOverridesEveryKind(t *testing.T) {
	tests := []struct {
		env   string
		check func(*Config) (got, want string)
	}{
		{"CHATDESK_MODERATION_STRIKE_DECAY=1h",
			func(c *Config) (string, string) { return fmt.Sprint(*c.Moderation.StrikeDecay), "1h0m0s" }},
		{"CHATDESK_MODERATION_RULES_CAPS_ENABLED=true",
			func(c *Config) (string, string) { return fmt.Sprint(*c.Moderation.Rules["caps"].Enabled), "true" }},
		{"CHATDESK_MODERATION_RULES_CAPS_RATIO=0.6",
			func(c *Config) (string, string) { return fmt.Sprint(*c.Moderation.Rules["caps"].Ratio), "0.6" }},
		{"CHATDESK_MODERATION_RULES_EMOTES_MAX=12",
			func(c *Config) (string, string) { return fmt.Sprint(*c.Moderation.Rules["emotes"].Max), "12" }},
		{"CHATDESK_MODERATION_REGULARS=ana, bob,",
			func(c *Config) (string, string) { return fmt.Sprintf("%q", c.Moderation.Regulars), `["ana" "bob"]` }},
		{"CHATDESK_MODERATION_LADDER=warn,delete, timeout 10m ,ban",
			func(c *Config) (string, string) {
				return fmt.Sprintf("%q", c.Moderation.Ladder), `["warn" "delete" "timeout 10m" "ban"]`
			}},
		{"CHATDESK_MODERATION_RULES_LINKS_ALLOW=",
			func(c *Config) (string, string) { return fmt.Sprintf("%q", c.Moderation.Rules["links"].Allow), `[]` }},
		{"CHATDESK_STORE_REDIS_DB=2",
			func(c *Config) (string, string) { return fmt.Sprint(c.Store.Redis.DB), "2" }},
		{"CHATDESK_ANSWER_MIN_CONFIDENCE_ZH=0.8",
			func(c *Config) (string, string) { return fmt.Sprint(c.Answer.MinConfidence["zh"]), "0.8" }},
		{"CHATDESK_FEEDBACK_WINDOW=30s",
			func(c *Config) (string, string) { return c.Feedback.Window.String(), "30s" }},
		{"CHATDESK_ESCALATION_SUGGEST_DELETE=false",
			func(c *Config) (string, string) { return fmt.Sprint(c.Escalation.SuggestDelete), "false" }},
	}
	for _, tt := range tests {
		t.Run(tt.env, func(t *testing.T) {
			cfg, err := loadConfig(shippedConfig, []string{tt.env})
			if err != nil {
				t.Fatalf("loadConfig with %s = %v", tt.env, err)
			}
			if got, want := tt.check(cfg); got != want {
				t.Errorf("with %s: got %s; want %s", tt.env, got, want)
			}
		})
	}
}

// TestLoadConfigPathsResolveOnce: a config in a subdirectory, named by a
// relative path, keeps everything in its own data directory, and each path
// is resolved against the config's directory once.
func TestLoadConfigPathsResolveOnce(t *testing.T) {
	t.Chdir(t.TempDir())
	writeFile(t, "conf/faq.yaml", "entries:\n  - id: schedule\n    questions:\n      - when do you stream?\n    answer: Mondays.\n")
	writeFile(t, "conf/config.yaml", "channels: [{name: mira, faq: [faq.yaml]}]\n")
	writeFile(t, "conf/store.yaml", "store: {path: tickets/desk.db}\nchannels: [{name: mira, faq: [faq.yaml]}]\n")
	cfg, err := loadConfig("conf/config.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []struct{ name, got, want string }{
		{"bot.data_dir", cfg.Bot.DataDir, filepath.Join("conf", "data")},
		{"store.path", cfg.Store.Path, filepath.Join("conf", "data", "chatdesk.db")},
		{"channels[0].faq[0]", cfg.Channels[0].FAQ[0], filepath.Join("conf", "faq.yaml")},
		{"learned file", learnedPath(cfg, "mira"), filepath.Join("conf", "data", "learned", "mira.yaml")},
	} {
		if p.got != p.want {
			t.Errorf("%s = %s; want %s", p.name, p.got, p.want)
		}
	}
	cfg, err = loadConfig("conf/store.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := cfg.Store.Path, filepath.Join("conf", "tickets", "desk.db"); got != want {
		t.Errorf("store.path = %s; want %s, relative to the config file", got, want)
	}

	// The running bot puts the ticket store and the block list in the
	// same place.
	env := append([]string{"CHATDESK_HTTP_ADDR="}, offline...)
	o := invoke(t, env, "ana: !ask can you play my song next?\n@mod kim: !block pineapple\n", "run", "--config", "conf/config.yaml")
	if o.err != nil {
		t.Fatalf("run: %v\n%s", o.err, o.stderr)
	}
	for _, f := range []string{"conf/data/chatdesk.db", "conf/data/mira/blocked.yaml"} {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("after run: %v\nstdout:\n%s", err, o.stdout)
		}
	}
	if _, err := os.Stat("conf/conf"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("run made conf/conf (%v); want nothing resolved twice", err)
	}
}

func TestLoadConfigAbsoluteDataDir(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(t.TempDir(), "desk-data")
	writeFile(t, filepath.Join(dir, "faq.yaml"), "entries:\n  - id: schedule\n    questions:\n      - when do you stream?\n    answer: Mondays.\n")
	config := filepath.Join(dir, "config.yaml")
	writeFile(t, config, fmt.Sprintf("bot: {data_dir: %q}\nchannels: [{name: mira, faq: [faq.yaml]}]\n", data))
	cfg, err := loadConfig(config, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Bot.DataDir != data {
		t.Errorf("bot.data_dir = %s; want %s unchanged", cfg.Bot.DataDir, data)
	}
	if got, want := cfg.Store.Path, filepath.Join(data, "chatdesk.db"); got != want {
		t.Errorf("store.path = %s; want %s", got, want)
	}
	// The environment's data_dir is resolved the same way.
	cfg, err = loadConfig(config, []string{"CHATDESK_BOT_DATA_DIR=elsewhere"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := cfg.Store.Path, filepath.Join(dir, "elsewhere", "chatdesk.db"); got != want {
		t.Errorf("with CHATDESK_BOT_DATA_DIR=elsewhere: store.path = %s; want %s", got, want)
	}
}

func writeFile(t *testing.T, name, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}
