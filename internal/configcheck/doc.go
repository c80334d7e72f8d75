package configcheck

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Doc is a config file that passed Check: it knows the line of every field
// it holds, and which keys the environment set, so that a problem found
// later in a value can be placed where the user would fix it.
type Doc struct {
	file  string
	lines map[string]int
	// env names the variable that set a key, for keys the environment
	// overrides: a problem with such a key is the variable's.
	env map[string]string
}

// Check walks the YAML document data (read from file, which only names
// it) against the schema's struct: unknown keys (with the known ones
// listed), wrong kinds of values, values that do not read as their field's
// type, and secrets written in the file are all reported, each with its
// line, in one *Error. A document that is not YAML gets one problem, on the
// line yaml.v3 names.
func (s *Schema) Check(file string, data []byte) (*Doc, error) {
	d := &Doc{file: file, lines: map[string]int{}, env: map[string]string{}}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		line, msg := yamlProblem(err, data)
		return nil, &Error{Problems: []string{fmt.Sprintf("%s:%d: (yaml): %s", file, line, msg)}}
	}
	if len(root.Content) == 0 {
		return nil, &Error{Problems: []string{fmt.Sprintf("%s:1: (file): %s", file, s.Empty)}}
	}
	w := walker{schema: s, doc: d}
	w.walk(root.Content[0], s.Type, "")
	if len(w.problems) > 0 {
		return nil, &Error{Problems: w.problems}
	}
	return d, nil
}

// yamlProblem finds the line of a yaml.v3 error and the error without it.
func yamlProblem(err error, data []byte) (line int, msg string) {
	line = 1
	var te *yaml.TypeError
	msg = err.Error()
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	if m := yamlLinePrefix.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = msg[len(m[0]):]
		// yaml.v3 counts lines from zero in its parser's errors (not its
		// scanner's), so those come out one line early.
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
	return line, msg
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

// Line is the line of field ("channels[0].faq[1]") in the file: its own,
// or that of the nearest key that holds it (a value that came from a
// default has no line of its own, its section may), else 1.
func (d *Doc) Line(field string) int {
	if l, ok := lookUp(d.lines, field); ok {
		return l
	}
	return 1
}

// SetByEnv records that the variable name set key, so that problems with
// key, or with what it holds, are the variable's.
func (d *Doc) SetByEnv(key, name string) { d.env[key] = name }

// FromEnv returns the variable that set field, or set the key that holds
// it (a list's items are its key's).
func (d *Doc) FromEnv(field string) (string, bool) { return lookUp(d.env, field) }

// Problem formats msg about field where the user would fix it: as
// "file:line: field: msg" on the field's line, or as "environment: NAME:
// field: msg" when a variable set it.
func (d *Doc) Problem(field, msg string) string {
	if name, ok := d.FromEnv(field); ok {
		return fmt.Sprintf("environment: %s: %s: %s", name, field, msg)
	}
	return fmt.Sprintf("%s:%d: %s: %s", d.file, d.Line(field), field, msg)
}

// lookUp finds field in m, or else the nearest key that holds it:
// "a.b[2].c", then "a.b[2]", "a.b", "a".
func lookUp[V any](m map[string]V, field string) (V, bool) {
	for f := field; f != ""; {
		if v, ok := m[f]; ok {
			return v, true
		}
		i := strings.LastIndexAny(f, ".[")
		if i < 0 {
			break
		}
		f = f[:i]
	}
	var zero V
	return zero, false
}

// walker is one walk of a document, collecting its problems in document
// order.
type walker struct {
	schema   *Schema
	doc      *Doc
	problems []string
}

func (w *walker) addf(line int, field, format string, args ...any) {
	w.problems = append(w.problems, fmt.Sprintf("%s:%d: %s: %s", w.doc.file, line, field, fmt.Sprintf(format, args...)))
}

func (w *walker) walk(n *yaml.Node, t reflect.Type, path string) {
	if path != "" {
		w.doc.lines[path] = n.Line
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
	switch t.Kind() {
	case reflect.Struct:
		w.section(n, t, path, field)
	case reflect.Slice:
		if n.Kind == yaml.ScalarNode && t.Elem().Kind() == reflect.String {
			return // a single string stands for a one-element list
		}
		if n.Kind != yaml.SequenceNode {
			w.addf(n.Line, field, "want a list")
			return
		}
		for i, el := range n.Content {
			w.walk(el, t.Elem(), fmt.Sprintf("%s[%d]", path, i))
		}
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			w.addf(n.Line, field, "want a mapping of keys")
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			w.doc.lines[path+"."+n.Content[i].Value] = n.Content[i].Line
			w.walk(n.Content[i+1], t.Elem(), path+"."+n.Content[i].Value)
		}
	default:
		if n.Kind != yaml.ScalarNode && t == durationType {
			w.addf(n.Line, field, "want %s", wantDuration)
			return
		}
		if n.Kind != yaml.ScalarNode {
			w.addf(n.Line, field, "want a single value, not a %s", kindName(n.Kind))
			return
		}
		// The same check as an environment variable's value gets.
		if _, want := ParseScalar(t, n.Value); want != "" {
			w.addf(n.Line, field, "want %s, got %q", want, n.Value)
		}
	}
}

// section checks a mapping against struct t's tagged fields.
func (w *walker) section(n *yaml.Node, t reflect.Type, path, field string) {
	if n.Kind != yaml.MappingNode {
		w.addf(n.Line, field, "want a mapping of keys")
		return
	}
	known := map[string]reflect.Type{}
	var names []string
	for i := range t.NumField() {
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
		sub := joinKey(path, k.Value)
		ft, ok := known[k.Value]
		if !ok {
			w.addf(k.Line, sub, "unknown field (known here: %s)", strings.Join(names, ", "))
			continue
		}
		if w.schema.Secrets[sub] && val.Value != "" {
			w.addf(k.Line, sub, "secrets do not belong in the config file; set %s in the environment", w.schema.EnvName(sub))
			continue
		}
		w.walk(val, ft, sub)
	}
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

func joinKey(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}
