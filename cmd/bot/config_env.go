package main

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
)

// envSetting is one config key the environment can set, and the type its
// value must read as.
type envSetting struct {
	key string
	t   reflect.Type
}

// envOverride is one CHATDESK_* variable, read.
type envOverride struct {
	name, key string
	value     any
}

// envName is the variable that overrides key: CHATDESK_<SECTION>_<KEY>.
func envName(key string) string {
	return "CHATDESK_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

// envSettings lists, by variable name, every key the environment can set.
// They come from Config's fields, by their mapstructure tags, so a new field
// can be set from the environment without more code; a map contributes the
// keys defs names for it (answer.min_confidence.en,
// moderation.rules.caps.enabled …), since a map's own keys are open-ended.
// A list of sections (channels) is listed too, so that setting it says
// where it is set instead of that it is unknown.
func envSettings(defs map[string]any) map[string]envSetting {
	out := map[string]envSetting{}
	set := func(key string, t reflect.Type) {
		name := envName(key)
		if had, ok := out[name]; ok && had.key != key {
			// Two keys that differ only in "." and "_": a config
			// schema bug that TestEnvSettings catches.
			panic(fmt.Sprintf("config keys %s and %s are both %s", had.key, key, name))
		}
		out[name] = envSetting{key: key, t: t}
	}
	var add func(key string, t reflect.Type)
	add = func(key string, t reflect.Type) {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		switch {
		case t.Kind() == reflect.Struct:
			for i := range t.NumField() {
				f := t.Field(i)
				if tag := f.Tag.Get("mapstructure"); tag != "" {
					add(joinKey(key, tag), f.Type)
				}
			}
		case t.Kind() == reflect.Map:
			for k := range defs {
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
	add("", reflect.TypeOf(Config{}))
	return out
}

func joinKey(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
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

// readEnv reads every CHATDESK_* variable in env (the given environment,
// not the process's, so tests need not change it) with the same per-type
// check the file's values get. Problems name the variable, and show its
// value only when the key is not a secret. CHATDESK_TEST_* belongs to the
// tests and is ignored; any other unknown CHATDESK_* variable is a problem.
func readEnv(env []string, settings map[string]envSetting) ([]envOverride, []string) {
	var out []envOverride
	var problems []string
	for _, kv := range env {
		name, val, ok := strings.Cut(kv, "=")
		if !ok || !strings.HasPrefix(name, "CHATDESK_") || strings.HasPrefix(name, "CHATDESK_TEST_") {
			continue
		}
		s, known := settings[name]
		if !known {
			problems = append(problems, fmt.Sprintf("environment: %s: unknown setting (known: CHATDESK_<SECTION>_<KEY> for the keys of config.yaml)", name))
			continue
		}
		v, problem := envValue(s.t, val, secretKeys[s.key])
		if problem != "" {
			problems = append(problems, fmt.Sprintf("environment: %s: %s", name, problem))
			continue
		}
		out = append(out, envOverride{name: name, key: s.key, value: v})
	}
	sort.Strings(problems)
	return out, problems
}

// envValue reads s as a value of type t, or says why it does not, showing
// s unless it is a secret. A list is written with commas ("ana, bob"; empty
// items are dropped, so "" is the empty list), each item read as the
// list's type.
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
			v, want := parseScalar(t.Elem(), item)
			if want != "" {
				return nil, problem(fmt.Sprintf("item %d: ", i+1), want, item)
			}
			list = reflect.Append(list, reflect.ValueOf(v).Convert(t.Elem()))
		}
		return list.Interface(), ""
	}
	v, want := parseScalar(t, s)
	if want != "" {
		return nil, problem("", want, s)
	}
	return v, ""
}
