package main

import (
	"reflect"
	"time"

	"github.com/chatdesk/chatdesk/internal/configcheck"
	"github.com/chatdesk/chatdesk/internal/escalation"
)

// The config tests of this package were written when the schema walk, the
// environment side and the desk merge lived here; these are the names they
// know them by, over configcheck with the bot's schema and over
// escalation.Section. The packages' own tests cover the parts; the tests
// here keep covering how the bot puts them together.

// envSetting is one key the environment can set (configcheck.Setting).
type envSetting struct {
	key string
	t   reflect.Type
}

var durationType = reflect.TypeFor[time.Duration]()

func envName(key string) string { return schema.EnvName(key) }

func parseScalar(t reflect.Type, s string) (any, string) { return configcheck.ParseScalar(t, s) }

func envSettings(defs map[string]any) map[string]envSetting {
	out := map[string]envSetting{}
	for name, s := range schema.Settings(defs) {
		out[name] = envSetting{key: s.Key, t: s.Type}
	}
	return out
}

func readEnv(env []string, settings map[string]envSetting) ([]configcheck.Override, []string) {
	in := map[string]configcheck.Setting{}
	for name, s := range settings {
		in[name] = configcheck.Setting{Key: s.key, Type: s.t}
	}
	return schema.ReadEnv(env, in)
}

func deskSettings(cfg *Config, cc ChannelConfig) (escalation.Settings, bool) {
	return cfg.Escalation.Settings(cc.Escalation)
}
