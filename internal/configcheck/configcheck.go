// Package configcheck checks a YAML config file and CHATDESK_*-style
// environment overrides against the Go struct the config is read into,
// before anything reads it for real. Every field's key is its mapstructure
// tag, so the struct is the one description of the config: a field added
// to it is checked, and settable from the environment, with no more code.
//
// A decoder such as mapstructure stops at the first problem and names
// neither the file's line nor the key a user typed. Check walks the
// document itself, reports every problem at once as
// "file:line: field: problem", and remembers each field's line so that
// problems found later, in values that are well-typed but wrong, can be
// placed too (Doc.Line, Doc.Problem).
//
// The package knows nothing of any program's sections: the struct type,
// the secret keys and the environment prefix are the caller's (Schema).
package configcheck

import (
	"reflect"
	"strconv"
	"strings"
	"time"
)

// Schema is what a config is checked against.
type Schema struct {
	// Type is the struct the config is read into. Its fields with a
	// mapstructure tag are the keys; nested structs are sections, maps
	// have open-ended keys, slices are lists, pointers are optional
	// values.
	Type reflect.Type
	// Secrets are dotted keys ("twitch.token") that must never be
	// written in the file: a file is copied, pasted and committed, an
	// environment is not. Their values are never shown in a problem.
	Secrets map[string]bool
	// EnvPrefix starts every variable that sets a key, as in
	// EnvPrefix + "TWITCH_TLS"; "CHATDESK_".
	EnvPrefix string
	// EnvIgnore are prefixes of variables that start with EnvPrefix but
	// belong to someone else (a test suite's own settings).
	EnvIgnore []string
	// EnvKnown completes an unknown variable's problem, "unknown setting
	// (known: …)", telling the user which names would be known.
	EnvKnown string
	// Empty is the problem an empty document gets, pointing the user at
	// a starting point.
	Empty string
}

// Error lists every problem found, one per line, so a user fixes them all
// in one pass instead of one per start.
type Error struct {
	Problems []string
}

// Error puts one problem on each line.
func (e *Error) Error() string { return strings.Join(e.Problems, "\n") }

// EnvName is the variable that sets key: the prefix, then the key in
// upper case with its dots as underscores (twitch.tls: CHATDESK_TWITCH_TLS).
func (s *Schema) EnvName(key string) string {
	return s.EnvPrefix + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

var durationType = reflect.TypeFor[time.Duration]()

const wantDuration = "a duration like 90s or 2m"

// ParseScalar reads s as a single value of type t, the one check of a
// single value for the file and the environment alike, so the two cannot
// disagree on what reads. When s does not read, want says what would (as
// in "want true or false"); the value is then nil.
//
// It knows durations, bools, ints, float64s and strings. For any other
// type want starts with "a value of type": a struct that grows a field of
// a new kind must teach it here, and a test that runs every setting's type
// through ParseScalar notices.
func ParseScalar(t reflect.Type, s string) (value any, want string) {
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
	return nil, "a value of type " + t.String()
}
