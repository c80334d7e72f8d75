package main

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
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
	if got, want := cfg.Answer.MinConfidence["zh"], 0.9; got != want {
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
			func(c *Config) (any, any) { return c.Answer.MinConfidence["zh"], 0.9 }},
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
			env := append([]string{"CHATDESK_TWITCH_TOKEN=" + token, "CHATDESK_TWITCH_CLIENT_ID=" + token}, offline...)
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
