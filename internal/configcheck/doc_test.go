package configcheck

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// appConfig is a made-up program's config: one field of every kind the
// walker knows.
type appConfig struct {
	Name   string             `mapstructure:"name"`
	On     bool               `mapstructure:"on"`
	Count  int                `mapstructure:"count"`
	Ratio  float64            `mapstructure:"ratio"`
	Wait   time.Duration      `mapstructure:"wait"`
	Opt    *int               `mapstructure:"opt"`
	Tags   []string           `mapstructure:"tags"`
	Nums   []int              `mapstructure:"nums"`
	Limits map[string]float64 `mapstructure:"limits"`
	Items  []appItem          `mapstructure:"items"`
	Sub    appSub             `mapstructure:"sub"`
	// untagged fields are not keys.
	untagged string
}

type appSub struct {
	Token string `mapstructure:"token"`
	Addr  string `mapstructure:"addr"`
}

type appItem struct {
	ID   string         `mapstructure:"id"`
	Wait *time.Duration `mapstructure:"wait"`
}

var appSchema = Schema{
	Type:      reflect.TypeFor[appConfig](),
	Secrets:   map[string]bool{"sub.token": true},
	EnvPrefix: "APP_",
	EnvIgnore: []string{"APP_TEST_"},
	EnvKnown:  "APP_<KEY> for the keys of app.yaml",
	Empty:     "the config is empty",
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name, doc string
		want      []string // problems; none: the document passes
	}{
		{"every kind right", "name: x\non: true\ncount: 0x10\nratio: 0.5\nwait: 90s\nopt: 3\ntags: [a, b]\nnums: [1, 2]\nlimits: {en: 0.5}\nitems: [{id: a, wait: 1m}]\nsub: {addr: h}\n", nil},
		{"a single string is a list", "tags: a\n", nil},
		{"null is unset", "sub:\nopt: ~\n", nil},
		{"an empty secret may stay", "sub: {token: \"\"}\n", nil},
		{"an alias is checked as its target", "x: &w 2 minutes\n", []string{
			"app.yaml:1: x: unknown field (known here: name, on, count, ratio, wait, opt, tags, nums, limits, items, sub)",
		}},
		// An alias's problem is placed at what it stands for: that is
		// where the value is written.
		{"an alias to a bad value", "name: &w [1]\nwait: *w\n", []string{
			"app.yaml:1: name: want a single value, not a list",
			"app.yaml:1: wait: want a duration like 90s or 2m",
		}},
		{"unknown keys, every one", "nmae: x\nsub: {adr: h}\nitems: [{id: a, colour: red}]\n", []string{
			"app.yaml:1: nmae: unknown field (known here: name, on, count, ratio, wait, opt, tags, nums, limits, items, sub)",
			"app.yaml:2: sub.adr: unknown field (known here: token, addr)",
			"app.yaml:3: items[0].colour: unknown field (known here: id, wait)",
		}},
		{"bad scalars", "on: maybe\ncount: 1.5\nratio: most\nwait: 2 minutes\nopt: x\nnums: [1, two]\nlimits: {en: high}\nitems: [{wait: soon}]\n", []string{
			`app.yaml:1: on: want true or false, got "maybe"`,
			`app.yaml:2: count: want a whole number, got "1.5"`,
			`app.yaml:3: ratio: want a number, got "most"`,
			`app.yaml:4: wait: want a duration like 90s or 2m, got "2 minutes"`,
			`app.yaml:5: opt: want a whole number, got "x"`,
			`app.yaml:6: nums[1]: want a whole number, got "two"`,
			`app.yaml:7: limits.en: want a number, got "high"`,
			`app.yaml:8: items[0].wait: want a duration like 90s or 2m, got "soon"`,
		}},
		{"wrong kinds", "sub: 3\ntags: {a: 1}\nlimits: [1]\nname: {a: 1}\nwait: [1m]\nitems: x\n", []string{
			"app.yaml:1: sub: want a mapping of keys",
			"app.yaml:2: tags: want a list",
			"app.yaml:3: limits: want a mapping of keys",
			"app.yaml:4: name: want a single value, not a mapping",
			"app.yaml:5: wait: want a duration like 90s or 2m",
			"app.yaml:6: items: want a list",
		}},
		{"not a mapping at the top", "- a\n- b\n", []string{"app.yaml:1: (top level): want a mapping of keys"}},
		{"a secret in the file, its value never shown", "sub:\n  token: hunter2\n", []string{
			"app.yaml:2: sub.token: secrets do not belong in the config file; set APP_SUB_TOKEN in the environment",
		}},
		{"empty", "", []string{"app.yaml:1: (file): the config is empty"}},
		{"only a comment", "# nothing yet\n", []string{"app.yaml:1: (file): the config is empty"}},
		// yaml.v3's parser counts lines from zero; its scanner from one.
		{"parser error, a line late", "name: x\nsub:\n  addr: [a,\n", []string{"app.yaml:3: (yaml): did not find expected node content"}},
		{"scanner error", "name: x\n\tcount: 1\n", []string{"app.yaml:2: (yaml): found a tab character that violates indentation"}},
		{"mapping value in a scalar", "name: a: b\n", []string{"app.yaml:1: (yaml): mapping values are not allowed in this context"}},
		// An error past the end is placed on the last line there is.
		{"unclosed at the end", "name: x\ntags: [a", []string{"app.yaml:2: (yaml): did not find expected ',' or ']'"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := appSchema.Check("app.yaml", []byte(tt.doc))
			var got []string
			if err != nil {
				var e *Error
				if !errors.As(err, &e) {
					t.Fatalf("Check = %T %v; want an *Error", err, err)
				}
				got = e.Problems
				if doc != nil {
					t.Error("Check returned a Doc with its problems; want nil")
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Check(%q):\ngot  %q\nwant %q", tt.doc, got, tt.want)
			}
			if strings.Contains(strings.Join(got, "\n"), "hunter2") {
				t.Errorf("a secret's value is shown: %q", got)
			}
		})
	}
}

func TestDocLine(t *testing.T) {
	doc, err := appSchema.Check("app.yaml", []byte("name: x\nlimits:\n  en: 0.5\nitems:\n  - id: a\n  - id: b\n    wait: 1m\nsub: {addr: h}\n"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		field string
		want  int
	}{
		{"name", 1},
		// A section's line is its value's: where its keys start.
		{"limits", 3},
		{"limits.en", 3},
		{"items[1]", 6},
		{"items[1].wait", 7},
		// A field the file does not hold is placed at what holds it.
		{"items[1].id.x", 6},
		{"items[0].wait", 5},
		{"sub.token", 8},
		{"limits.zh", 3},
		{"ratio", 1},
		{"nothing.at.all", 1},
	}
	for _, tt := range tests {
		if got := doc.Line(tt.field); got != tt.want {
			t.Errorf("Line(%q) = %d; want %d", tt.field, got, tt.want)
		}
	}
}

func TestDocProblem(t *testing.T) {
	doc, err := appSchema.Check("conf/app.yaml", []byte("count: 3\ntags: [a, b]\n"))
	if err != nil {
		t.Fatal(err)
	}
	doc.SetByEnv("tags", "APP_TAGS")
	tests := []struct{ field, want string }{
		{"count", "conf/app.yaml:1: count: too many"},
		{"ratio", "conf/app.yaml:1: ratio: too many"},
		// The environment set tags, and so each of its items.
		{"tags", "environment: APP_TAGS: tags: too many"},
		{"tags[1]", "environment: APP_TAGS: tags[1]: too many"},
	}
	for _, tt := range tests {
		if got := doc.Problem(tt.field, "too many"); got != tt.want {
			t.Errorf("Problem(%q) = %q; want %q", tt.field, got, tt.want)
		}
	}
	if name, ok := doc.FromEnv("count"); ok {
		t.Errorf("FromEnv(count) = %s; want the file's", name)
	}
}
