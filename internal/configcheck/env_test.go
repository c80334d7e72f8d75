package configcheck

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestSettings(t *testing.T) {
	// A map's keys are the ones the defaults name; limits.de is not one.
	got := appSchema.Settings(map[string]any{"limits.en": 0.5, "limits.zh": 0.9, "name": "x"})
	want := map[string]Setting{
		"APP_NAME":      {"name", reflect.TypeFor[string]()},
		"APP_ON":        {"on", reflect.TypeFor[bool]()},
		"APP_COUNT":     {"count", reflect.TypeFor[int]()},
		"APP_RATIO":     {"ratio", reflect.TypeFor[float64]()},
		"APP_WAIT":      {"wait", reflect.TypeFor[time.Duration]()},
		"APP_OPT":       {"opt", reflect.TypeFor[int]()},
		"APP_TAGS":      {"tags", reflect.TypeFor[[]string]()},
		"APP_NUMS":      {"nums", reflect.TypeFor[[]int]()},
		"APP_LIMITS_EN": {"limits.en", reflect.TypeFor[float64]()},
		"APP_LIMITS_ZH": {"limits.zh", reflect.TypeFor[float64]()},
		// Listed, so that setting it says it cannot be.
		"APP_ITEMS":     {"items", reflect.TypeFor[[]appItem]()},
		"APP_SUB_TOKEN": {"sub.token", reflect.TypeFor[string]()},
		"APP_SUB_ADDR":  {"sub.addr", reflect.TypeFor[string]()},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Settings:\ngot  %v\nwant %v", got, want)
	}
}

// TestSettingsMapOfSections: a map's defaults name keys inside its values'
// sections too (rules.caps.enabled), but never a section itself.
func TestSettingsMapOfSections(t *testing.T) {
	type rule struct {
		Enabled *bool    `mapstructure:"enabled"`
		Terms   []string `mapstructure:"terms"`
	}
	type config struct {
		Rules map[string]rule `mapstructure:"rules"`
	}
	s := Schema{Type: reflect.TypeFor[config](), EnvPrefix: "X_"}
	got := s.Settings(map[string]any{"rules.caps.enabled": true, "rules.caps.terms": []string{}, "rules.caps": nil, "rules.caps.colour": "red"})
	var names []string
	for name, st := range got {
		names = append(names, name+"="+st.Key+":"+st.Type.String())
	}
	slices.Sort(names)
	want := []string{"X_RULES_CAPS_ENABLED=rules.caps.enabled:bool", "X_RULES_CAPS_TERMS=rules.caps.terms:[]string"}
	if !slices.Equal(names, want) {
		t.Errorf("Settings = %q; want %q", names, want)
	}
}

func TestSettingsCollisionPanics(t *testing.T) {
	type config struct {
		AB  string `mapstructure:"a_b"`
		Sub struct {
			B string `mapstructure:"b"`
		} `mapstructure:"a"`
	}
	s := Schema{Type: reflect.TypeFor[config](), EnvPrefix: "X_"}
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "X_A_B") {
			t.Errorf("Settings with a_b and a.b: recovered %v; want a panic naming X_A_B", r)
		}
	}()
	s.Settings(nil)
}

func TestReadEnv(t *testing.T) {
	settings := appSchema.Settings(map[string]any{"limits.en": 0.5})
	tests := []struct {
		name     string
		env      []string
		want     []Override
		problems []string
	}{
		{"every kind", []string{"APP_ON=false", "APP_COUNT=7", "APP_RATIO=0.25", "APP_WAIT=1m", "APP_OPT=2", "APP_NAME=", "APP_LIMITS_EN=0.7"}, []Override{
			{"APP_ON", "on", false}, {"APP_COUNT", "count", 7}, {"APP_RATIO", "ratio", 0.25}, {"APP_WAIT", "wait", time.Minute},
			{"APP_OPT", "opt", 2}, {"APP_NAME", "name", ""}, {"APP_LIMITS_EN", "limits.en", 0.7},
		}, nil},
		{"lists drop empty items", []string{"APP_TAGS=a, b,,", "APP_NUMS=", "APP_NUMS=1,2"}, []Override{
			{"APP_TAGS", "tags", []string{"a", "b"}}, {"APP_NUMS", "nums", []int{}}, {"APP_NUMS", "nums", []int{1, 2}},
		}, nil},
		{"not ours, or not a variable", []string{"PATH=/bin", "APPLE=1", "APP_TEST_DB=x", "APP_ON"}, nil, nil},
		{"bad values, sorted", []string{"APP_WAIT=soon", "APP_ON=maybe", "APP_NUMS=1,x", "APP_ITEMS=a", "APP_LIMITS_DE=1", "APP_BOGUS=1"}, nil, []string{
			"environment: APP_BOGUS: unknown setting (known: APP_<KEY> for the keys of app.yaml)",
			"environment: APP_ITEMS: set in the config file only: a list of sections has no environment form",
			"environment: APP_LIMITS_DE: unknown setting (known: APP_<KEY> for the keys of app.yaml)",
			`environment: APP_NUMS: item 2: want a whole number, got "x"`,
			`environment: APP_ON: want true or false, got "maybe"`,
			`environment: APP_WAIT: want a duration like 90s or 2m, got "soon"`,
		}},
		{"a secret is read", []string{"APP_SUB_TOKEN=hunter2"}, []Override{{"APP_SUB_TOKEN", "sub.token", "hunter2"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, problems := appSchema.ReadEnv(tt.env, settings)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ReadEnv(%q) = %v; want %v", tt.env, got, tt.want)
			}
			if !slices.Equal(problems, tt.problems) {
				t.Errorf("ReadEnv(%q) problems:\ngot  %q\nwant %q", tt.env, problems, tt.problems)
			}
		})
	}
}

// TestReadEnvSecretNotShown: a secret's bad value is named by its variable,
// never shown. No secret of appConfig is anything but a string, which
// always reads; a secret read as a duration stands for one that some day
// is not.
func TestReadEnvSecretNotShown(t *testing.T) {
	settings := map[string]Setting{"APP_SUB_TOKEN": {Key: "sub.token", Type: durationType}, "APP_SUB_LIST": {Key: "sub.token", Type: reflect.TypeFor[[]int]()}}
	_, problems := appSchema.ReadEnv([]string{"APP_SUB_TOKEN=hunter2", "APP_SUB_LIST=1,hunter2"}, settings)
	want := []string{"environment: APP_SUB_LIST: item 2: want a whole number", "environment: APP_SUB_TOKEN: want a duration like 90s or 2m"}
	if !slices.Equal(problems, want) {
		t.Errorf("problems = %q; want %q", problems, want)
	}
}

func TestEnvName(t *testing.T) {
	for key, want := range map[string]string{"name": "APP_NAME", "sub.token": "APP_SUB_TOKEN", "limits.en": "APP_LIMITS_EN", "max_words": "APP_MAX_WORDS"} {
		if got := appSchema.EnvName(key); got != want {
			t.Errorf("EnvName(%q) = %s; want %s", key, got, want)
		}
	}
}

func TestParseScalar(t *testing.T) {
	tests := []struct {
		t     reflect.Type
		in    string
		value any
		want  string
	}{
		{durationType, "90s", 90 * time.Second, ""},
		{durationType, "0", time.Duration(0), ""},
		{durationType, "2 minutes", nil, "a duration like 90s or 2m"},
		{reflect.TypeFor[bool](), "true", true, ""},
		{reflect.TypeFor[bool](), "0", false, ""},
		{reflect.TypeFor[bool](), "yes", nil, "true or false"},
		{reflect.TypeFor[int](), "-3", -3, ""},
		{reflect.TypeFor[int](), "0x10", 16, ""},
		{reflect.TypeFor[int](), "1.5", nil, "a whole number"},
		{reflect.TypeFor[float64](), "1e-2", 0.01, ""},
		{reflect.TypeFor[float64](), "half", nil, "a number"},
		{reflect.TypeFor[string](), "", "", ""},
		{reflect.TypeFor[uint8](), "1", nil, "a value of type uint8"},
	}
	for _, tt := range tests {
		v, want := ParseScalar(tt.t, tt.in)
		if v != tt.value || want != tt.want {
			t.Errorf("ParseScalar(%s, %q) = %v, %q; want %v, %q", tt.t, tt.in, v, want, tt.value, tt.want)
		}
	}
}
