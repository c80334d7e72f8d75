package configcheck

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
)

// Setting is one key the environment can set, and the type its value must
// read as.
type Setting struct {
	Key  string
	Type reflect.Type
}

// Override is one environment variable, read: the key it sets and the
// value, of the key's type, to set it to.
type Override struct {
	Name, Key string
	Value     any
}

// Settings lists, by variable name, every key the environment can set.
// They come from the schema's struct, by its fields' mapstructure tags, so
// a new field can be set from the environment without more code. A map
// contributes only the keys defaults names under it (answer.min_confidence.en
// under answer.min_confidence), since a map's own keys are open-ended. A
// list of sections is listed too, so that setting it says where it is set
// instead of that it is unknown.
//
// Two keys that differ only in "." and "_" would share a variable; that is
// a bug in the struct, and Settings panics on it.
func (s *Schema) Settings(defaults map[string]any) map[string]Setting {
	out := map[string]Setting{}
	set := func(key string, t reflect.Type) {
		name := s.EnvName(key)
		if had, ok := out[name]; ok && had.Key != key {
			panic(fmt.Sprintf("config keys %s and %s are both %s", had.Key, key, name))
		}
		out[name] = Setting{Key: key, Type: t}
	}
	var add func(key string, t reflect.Type)
	add = func(key string, t reflect.Type) {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		switch t.Kind() {
		case reflect.Struct:
			for i := range t.NumField() {
				f := t.Field(i)
				if tag := f.Tag.Get("mapstructure"); tag != "" {
					add(joinKey(key, tag), f.Type)
				}
			}
		case reflect.Map:
			for k := range defaults {
				rest, ok := strings.CutPrefix(k, key+".")
				if !ok {
					continue
				}
				if et, ok := typeAt(t, rest); ok {
					set(k, et)
				}
			}
		default:
			set(key, t)
		}
	}
	add("", s.Type)
	return out
}

// typeAt is the type of the value at a dotted path under t, where a map's
// part of the path is one of its keys and a struct's a field's tag. It
// reports false unless the path ends at a single value or a list.
func typeAt(t reflect.Type, path string) (reflect.Type, bool) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if path == "" {
		return t, t.Kind() != reflect.Struct && t.Kind() != reflect.Map
	}
	part, rest, _ := strings.Cut(path, ".")
	switch t.Kind() {
	case reflect.Map:
		return typeAt(t.Elem(), rest)
	case reflect.Struct:
		for i := range t.NumField() {
			if f := t.Field(i); f.Tag.Get("mapstructure") == part {
				return typeAt(f.Type, rest)
			}
		}
	}
	return nil, false
}

// ReadEnv reads every variable in env ("NAME=value" pairs: the given
// environment, not the process's, so tests need not change it) that starts
// with the schema's prefix, with the same per-type check the file's values
// get. Problems name the variable, and show its value only when the key is
// not a secret; they come sorted, so a report is the same on every run.
// Variables under an EnvIgnore prefix are skipped; any other that is not
// in settings is a problem, since a typo would otherwise be ignored in
// silence.
func (s *Schema) ReadEnv(env []string, settings map[string]Setting) ([]Override, []string) {
	var out []Override
	var problems []string
	for _, kv := range env {
		name, val, ok := strings.Cut(kv, "=")
		if !ok || !strings.HasPrefix(name, s.EnvPrefix) || s.ignored(name) {
			continue
		}
		st, known := settings[name]
		if !known {
			problems = append(problems, fmt.Sprintf("environment: %s: unknown setting (known: %s)", name, s.EnvKnown))
			continue
		}
		v, problem := envValue(st.Type, val, s.Secrets[st.Key])
		if problem != "" {
			problems = append(problems, fmt.Sprintf("environment: %s: %s", name, problem))
			continue
		}
		out = append(out, Override{Name: name, Key: st.Key, Value: v})
	}
	sort.Strings(problems)
	return out, problems
}

func (s *Schema) ignored(name string) bool {
	for _, p := range s.EnvIgnore {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// envValue reads s as a value of type t, or says why it does not, showing
// s unless it is a secret. A list is written with commas ("ana, bob"; empty
// items are dropped, so "" is the empty list), each item read as the
// list's type. A map or a list of sections has no environment form.
func envValue(t reflect.Type, s string, secret bool) (any, string) {
	problem := func(where, want, got string) string {
		if secret {
			return where + "want " + want
		}
		return fmt.Sprintf("%swant %s, got %q", where, want, got)
	}
	switch {
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Struct, t.Kind() == reflect.Map:
		return nil, "set in the config file only: a list of sections has no environment form"
	case t.Kind() == reflect.Slice:
		list := reflect.MakeSlice(t, 0, 0)
		for i, item := range strings.Split(s, ",") {
			item = strings.TrimSpace(item)
			if item == "" {
				continue
			}
			v, want := ParseScalar(t.Elem(), item)
			if want != "" {
				return nil, problem(fmt.Sprintf("item %d: ", i+1), want, item)
			}
			list = reflect.Append(list, reflect.ValueOf(v).Convert(t.Elem()))
		}
		return list.Interface(), ""
	}
	v, want := ParseScalar(t, s)
	if want != "" {
		return nil, problem("", want, s)
	}
	return v, ""
}
