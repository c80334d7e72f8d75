package configcheck

import (
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/go-viper/mapstructure/v2"
	"gopkg.in/yaml.v3"
)

// problemShape is every problem Check reports: file:line: field: problem.
// A field is what the user typed, which may hold anything.
var problemShape = regexp.MustCompile(`^app\.yaml:(\d+): .+: \S`)

// FuzzCheck: whatever the file holds, Check does not panic, places every
// problem on a line the file has, never shows a secret's value, and passes
// only what decodes. The program that reads a config decodes it with
// mapstructure once Check has passed it, and treats a failure there as a
// bug in Check; this is that promise, tested.
func FuzzCheck(f *testing.F) {
	for _, s := range []string{
		"name: x\non: true\ncount: 3\nratio: 0.5\nwait: 90s\nopt: 3\ntags: [a, b]\nnums: [1]\nlimits: {en: 0.5}\nitems: [{id: a, wait: 1m}]\nsub: {addr: h}\n",
		"tags: a\n", "sub:\n  token: hunter2\n", "x: &a 1\ncount: *a\n", "- a\n", "", "# c\n", "name: a: b\n",
		"sub:\n  addr: [a,\n", "tags: [a", "\tcount: 1\n", "limits: {en: [1]}\n", "count: 1e3\n", "on: yes\n", "wait: 1\n",
		"items: [~, {id: ~}]\n", "opt: ''\n", "nums: [0x1f, -2]\n", "ratio: .inf\n", "name: !!binary aGk=\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		data := []byte(s)
		_, err := appSchema.Check("app.yaml", data)
		if err == nil {
			decodes(t, data)
			return
		}
		e, ok := err.(*Error)
		if !ok || len(e.Problems) == 0 {
			t.Fatalf("Check(%q) = %T %v; want an *Error with problems", s, err, err)
		}
		lines := yamlLines(s)
		for _, p := range e.Problems {
			m := problemShape.FindStringSubmatch(p)
			if m == nil {
				t.Fatalf("Check(%q): problem %q is not file:line: field: problem", s, p)
			}
			if n, _ := strconv.Atoi(m[1]); n < 1 || n > lines {
				t.Fatalf("Check(%q): problem %q on line %d of %d", s, p, n, lines)
			}
			if strings.Contains(s, "token: hunter2") && strings.Contains(p, "hunter2") {
				t.Fatalf("Check(%q): problem %q shows the secret", s, p)
			}
		}
	})
}

// yamlLines is how many lines yaml.v3 sees in s: it breaks lines at CR,
// LF, CR LF, NEL, LS and PS, as libyaml does.
func yamlLines(s string) int {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return 1 + strings.Count(s, "\n") + strings.Count(s, "\r") + strings.Count(s, "\u0085") + strings.Count(s, "\u2028") + strings.Count(s, "\u2029")
}

// decodes fails t unless data, which Check passed, decodes into appConfig
// as a viper-based program decodes it: YAML into maps, then mapstructure
// with weak typing and the duration and comma-list hooks.
func decodes(t *testing.T, data []byte) {
	t.Helper()
	var m map[string]any
	if err := yaml.Unmarshal(data, &m); err != nil {
		return // not a mapping at all (null): nothing to decode
	}
	var cfg appConfig
	dec, err := mapstructure.NewDecoder(&mapstructure.DecoderConfig{
		Result:           &cfg,
		WeaklyTypedInput: true,
		DecodeHook: mapstructure.ComposeDecodeHookFunc(
			mapstructure.StringToTimeDurationHookFunc(),
			mapstructure.StringToSliceHookFunc(","),
		),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := dec.Decode(m); err != nil {
		t.Fatalf("Check passed %q, but it does not decode: %v", data, err)
	}
}

// FuzzReadEnv: a variable's value either reads as its setting's type (a
// list's items as the list's) or gets one problem naming the variable;
// a secret's value is never in it.
func FuzzReadEnv(f *testing.F) {
	for _, s := range []string{"", "x", "true", "0", "1.5", "90s", "a, b,,", "1,x", "0x10", "-0", "hunter2", "=", ",", "1e400"} {
		f.Add(s)
	}
	settings := appSchema.Settings(map[string]any{"limits.en": 0.5})
	f.Fuzz(func(t *testing.T, s string) {
		for name, st := range settings {
			got, problems := appSchema.ReadEnv([]string{name + "=" + s}, settings)
			if len(got)+len(problems) != 1 {
				t.Fatalf("%s=%q: %v and %q; want one override or one problem", name, s, got, problems)
			}
			if len(problems) == 1 {
				if !strings.HasPrefix(problems[0], "environment: "+name+": ") {
					t.Fatalf("%s=%q: problem %q does not name the variable", name, s, problems[0])
				}
				if appSchema.Secrets[st.Key] && s != "" && strings.Contains(strings.TrimPrefix(problems[0], "environment: "+name+": "), s) {
					t.Fatalf("%s=%q: problem %q shows the secret", name, s, problems[0])
				}
				continue
			}
			o := got[0]
			if o.Name != name || o.Key != st.Key {
				t.Fatalf("%s=%q: override %+v; want it named %s for %s", name, s, o, name, st.Key)
			}
			vt := reflect.TypeOf(o.Value)
			if vt != st.Type && !(st.Type.Kind() != reflect.Slice && vt.ConvertibleTo(st.Type)) {
				t.Fatalf("%s=%q: value %#v of type %s; want %s", name, s, o.Value, vt, st.Type)
			}
		}
	})
}
