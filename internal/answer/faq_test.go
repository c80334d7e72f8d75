package answer

import (
	"errors"
	"flag"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

var update = flag.Bool("update", false, "rewrite the .golden files under testdata/faq from the current output")

// TestFAQGolden loads every testdata/faq/NAME.yaml, or every YAML file in a
// directory testdata/faq/NAME/ as the FAQ files of one channel, and
// compares the problems found with NAME.golden ("ok" when there are none).
func TestFAQGolden(t *testing.T) {
	const dir = "testdata/faq"
	items, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	cases := 0
	for _, item := range items {
		name := item.Name()
		var paths []string
		switch {
		case item.IsDir():
			files, err := filepath.Glob(filepath.Join(dir, name, "*.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range files {
				// Slashes keep the golden files the same on every OS.
				paths = append(paths, path.Join(dir, name, filepath.Base(f)))
			}
		case strings.HasSuffix(name, ".yaml"):
			paths = []string{path.Join(dir, name)}
			name = strings.TrimSuffix(name, ".yaml")
		default:
			continue
		}
		cases++
		t.Run(name, func(t *testing.T) {
			if len(paths) == 0 {
				t.Fatalf("%s/%s holds no .yaml files", dir, name)
			}
			got := "ok\n"
			_, err := LoadFAQ(paths...)
			var ve *ValidationError
			switch {
			case errors.As(err, &ve):
				got = ve.Error() + "\n"
			case err != nil:
				t.Fatalf("LoadFAQ(%q) = %v; want nil or a *ValidationError", paths, err)
			}

			golden := filepath.Join(dir, name+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -run TestFAQGolden -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("problems for %s:\ngot:\n%s\nwant:\n%s", name, got, want)
			}
		})
	}
	if cases == 0 {
		t.Fatalf("no cases in %s", dir)
	}
}

func TestParseFAQEntries(t *testing.T) {
	const src = `entries:
  - id: " schedule "
    questions:
      - "  when live  "
      - 什么时候开播
    keywords: [" schedule ", 时间表]
    answer: "  Tue/Thu/Sat 18:00 UTC  "
    answer_zh: 每周二、四、六开播
    answer_en: Tuesdays, Thursdays and Saturdays
    cooldown: 2m

  - id: "2024"
    questions: ["anniversary?"]
    answer: 42
`
	got, err := ParseFAQ("faq/x.yaml", []byte(src))
	if err != nil {
		t.Fatalf("ParseFAQ: %v", err)
	}
	want := []Entry{
		{
			ID:        "schedule",
			Questions: []string{"when live", "什么时候开播"},
			Keywords:  []string{"schedule", "时间表"},
			Answer:    "Tue/Thu/Sat 18:00 UTC",
			Answers:   map[string]string{"zh": "每周二、四、六开播", "en": "Tuesdays, Thursdays and Saturdays"},
			Cooldown:  2 * time.Minute,
			File:      "faq/x.yaml",
			Line:      2,
		},
		{
			// Numbers are kept as the streamer typed them.
			ID:        "2024",
			Questions: []string{"anniversary?"},
			Answer:    "42",
			File:      "faq/x.yaml",
			Line:      12,
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v; want %+v", got, want)
	}
}

func TestParseFAQProblems(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string // problem lines; none means the file is valid
	}{
		{
			name: "minimal entry",
			src:  "entries:\n  - {id: a, questions: [q], answer: x}\n",
		},
		{
			name: "keywords may be null",
			src:  "entries:\n  - id: a\n    questions: [q]\n    keywords:\n    answer: x\n",
		},
		{
			name: "zero cooldown",
			src:  "entries:\n  - {id: a, questions: [q], answer: x, cooldown: 0s}\n",
		},
		{
			name: "answer of exactly 500 runes",
			src:  "entries:\n  - {id: a, questions: [q], answer: " + strings.Repeat("é", 500) + "}\n",
		},
		{
			name: "answer of 501 runes",
			src:  "entries:\n  - {id: a, questions: [q], answer: " + strings.Repeat("é", 501) + "}\n",
			want: []string{"f.yaml:2: entries[0].answer: 501 characters long; a chat message holds at most 500"},
		},
		{
			name: "question of 501 runes",
			src:  "entries:\n  - id: a\n    questions:\n      - ok\n      - " + strings.Repeat("问", 501) + "\n    answer: x\n",
			want: []string{"f.yaml:5: entries[0].questions[1]: 501 characters long; a chat message holds at most 500"},
		},
		{
			name: "every problem in an entry, in line order",
			src:  "entries:\n  - id: Bad\n    bogus: 1\n    cooldown: soon\n",
			want: []string{
				`f.yaml:2: entries[0].id: "Bad": use only lowercase letters a-z, digits 0-9 and -`,
				"f.yaml:2: entries[0].questions: missing",
				"f.yaml:2: entries[0].answer: missing",
				"f.yaml:3: entries[0].bogus: unknown field",
				`f.yaml:4: entries[0].cooldown: "soon" is not a duration: write e.g. 90s, 2m or 1h30m`,
			},
		},
		{
			name: "misspelt field",
			src:  "entries:\n  - {id: a, question: [q], answer: x}\n",
			want: []string{
				`f.yaml:2: entries[0].question: unknown field (did you mean "questions"?)`,
				"f.yaml:2: entries[0].questions: missing",
			},
		},
		{
			name: "wrong case in a field name",
			src:  "Entries:\n  - {id: a, questions: [q], answer: x}\n",
			want: []string{
				`f.yaml:1: Entries: unknown field (did you mean "entries"?)`,
				"f.yaml:1: entries: missing",
			},
		},
		{
			name: "mapping as a key",
			src:  "entries:\n  - id: a\n    questions: [q]\n    answer: x\n    ? {k: v}\n    : y\n",
			want: []string{"f.yaml:5: entries[0].?: field names must be plain words, not a mapping"},
		},
		{
			name: "an alias to a list",
			src:  "entries:\n  - id: a\n    questions: &qs [q1, q2]\n    answer: x\n  - id: b\n    questions: [q3]\n    keywords: *qs\n    answer: y\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			entries, err := ParseFAQ("f.yaml", []byte(tt.src))
			var got []string
			if err != nil {
				var ve *ValidationError
				if !errors.As(err, &ve) {
					t.Fatalf("err = %v (%T); want a *ValidationError", err, err)
				}
				if entries != nil {
					t.Errorf("entries = %v with an error; want nil", entries)
				}
				for _, p := range ve.Problems {
					got = append(got, p.String())
				}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got problems\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// TestParseFAQSyntaxLine pins the line given for bad YAML: yaml.v3 counts
// parser errors from zero, and puts errors at the end of input on a line
// past the last.
func TestParseFAQSyntaxLine(t *testing.T) {
	tests := []struct {
		src, want string
	}{
		{"entries: [\n", "f.yaml:1: yaml: did not find expected node content"},
		{"entries:\n  - id: a\n   questions: [q]\n", "f.yaml:2: yaml: did not find expected '-' indicator"},
		{"entries:\n  - id: a\n    answer: 'it's'\n", "f.yaml:2: yaml: did not find expected key"},
		{"entries:\n  - id: a\n    questions: [what's up?, hi]\n", "f.yaml:3: yaml: did not find expected ',' or ']'"},
		{"entries:\n  - id: a\n\n\n    answer: [x\n", "f.yaml:5: yaml: did not find expected ',' or ']'"},
		{"entries:\n  - id: a\n    answer: x: y\n", "f.yaml:3: yaml: mapping values are not allowed in this context"},
		{"entries:\n  - id: a\n    answer: \"x\n", "f.yaml:3: yaml: found unexpected end of stream"},
		{"\tentries:\n", "f.yaml:1: yaml: found character that cannot start any token"},
		{"entries:\n  - id: a\n    answer: \"caf\xe9\"\n", "f.yaml:3: yaml: not valid UTF-8 text: save the file as UTF-8"},
		{"entries:\n  - id: a\n    answer: \"x\x00\"\n", "f.yaml:3: yaml: control character U+0000 is not allowed"},
	}
	for _, tt := range tests {
		_, err := ParseFAQ("f.yaml", []byte(tt.src))
		if err == nil || err.Error() != tt.want {
			t.Errorf("ParseFAQ(%q) = %v; want %s", tt.src, err, tt.want)
		}
	}
}

func TestProblemString(t *testing.T) {
	tests := []struct {
		p    Problem
		want string
	}{
		{
			Problem{File: "faq/demo.yaml", Line: 12, Field: "entries[3].id", Problem: `duplicate id "schedule" (first at faq/demo.yaml:4)`},
			`faq/demo.yaml:12: entries[3].id: duplicate id "schedule" (first at faq/demo.yaml:4)`,
		},
		{
			Problem{File: "faq/a.yaml", Field: "file", Problem: "listed more than once"},
			"faq/a.yaml: file: listed more than once",
		},
		{
			Problem{File: "faq/a.yaml", Line: 3, Problem: "odd"},
			"faq/a.yaml:3: odd",
		},
	}
	for _, tt := range tests {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("got %q; want %q", got, tt.want)
		}
	}
}

func TestValidationErrorJoinsLines(t *testing.T) {
	err := &ValidationError{Problems: []Problem{
		{File: "a.yaml", Line: 1, Field: "entries", Problem: "missing"},
		{File: "b.yaml", Line: 2, Field: "entries[0].id", Problem: "empty"},
	}}
	want := "a.yaml:1: entries: missing\nb.yaml:2: entries[0].id: empty"
	if got := err.Error(); got != want {
		t.Errorf("got %q; want %q", got, want)
	}
}

func TestLoadFAQUnreadable(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope.yaml")
	_, err := LoadFAQ("testdata/faq/ok.yaml", missing)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("err = %v; want one wrapping fs.ErrNotExist", err)
	}
	if !strings.Contains(err.Error(), missing) {
		t.Errorf("err = %q; want it to name %s", err, missing)
	}
	var ve *ValidationError
	if errors.As(err, &ve) {
		t.Errorf("err is a *ValidationError; want an I/O error")
	}
}

func TestLoadFAQKeepsFileOrder(t *testing.T) {
	a := "entries:\n  - {id: a, questions: [qa], answer: x}\n"
	b := "# b\nentries:\n  - {id: b, questions: [qb], answer: y}\n  - {id: c, questions: [qc], answer: z}\n"
	dir := t.TempDir()
	pa, pb := filepath.Join(dir, "a.yaml"), filepath.Join(dir, "b.yaml")
	writeTestFile(t, pa, a)
	writeTestFile(t, pb, b)

	got, err := LoadFAQ(pb, pa)
	if err != nil {
		t.Fatal(err)
	}
	var where []string
	for _, e := range got {
		where = append(where, e.ID+"@"+filepath.Base(e.File)+":"+strconv.Itoa(e.Line))
	}
	want := []string{"b@b.yaml:3", "c@b.yaml:4", "a@a.yaml:2"}
	if !reflect.DeepEqual(where, want) {
		t.Errorf("got %v; want %v", where, want)
	}
}

func TestLoadFAQListedTwice(t *testing.T) {
	_, err := LoadFAQ("testdata/faq/ok.yaml", "testdata/faq/../faq/ok.yaml")
	want := "testdata/faq/../faq/ok.yaml: file: listed more than once"
	if err == nil || err.Error() != want {
		t.Errorf("err = %v; want %q", err, want)
	}
}

func TestLoadFAQNoFiles(t *testing.T) {
	got, err := LoadFAQ()
	if got != nil || err != nil {
		t.Errorf("LoadFAQ() = %v, %v; want nil, nil", got, err)
	}
}

// TestDemoFAQ keeps the shipped demo loadable and as rich as the README
// promises: every entry can be asked in English and Chinese and answers in
// both.
func TestDemoFAQ(t *testing.T) {
	entries, err := LoadFAQ("../../faq/demo.yaml")
	if err != nil {
		t.Fatalf("faq/demo.yaml:\n%v", err)
	}
	if len(entries) < 18 {
		t.Errorf("%d entries; want at least 18", len(entries))
	}
	for _, e := range entries {
		var zh int
		for _, q := range e.Questions {
			if containsHan(q) {
				zh++
			}
		}
		if en := len(e.Questions) - zh; en < 4 || en > 8 {
			t.Errorf("%s (line %d): %d English questions; want 4 to 8", e.ID, e.Line, en)
		}
		if zh < 2 || zh > 4 {
			t.Errorf("%s (line %d): %d Chinese questions; want 2 to 4", e.ID, e.Line, zh)
		}
		if e.Answers["zh"] == "" {
			t.Errorf("%s (line %d): no answer_zh", e.ID, e.Line)
		}
		for _, a := range []string{e.Answer, e.Answers["zh"]} {
			if n := utf8.RuneCountInString(a); n >= 200 {
				t.Errorf("%s (line %d): answer of %d characters; keep demo answers under 200", e.ID, e.Line, n)
			}
		}
	}
}

// FuzzParseFAQ checks that no input makes ParseFAQ panic, and that it
// returns either entries or a *ValidationError, never both or neither.
func FuzzParseFAQ(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/faq/*.yaml")
	for _, s := range seeds {
		data, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, err := ParseFAQ("fuzz.yaml", data)
		if err == nil {
			if len(entries) == 0 {
				t.Fatal("no entries and no error")
			}
			return
		}
		var ve *ValidationError
		if !errors.As(err, &ve) || len(ve.Problems) == 0 {
			t.Fatalf("err = %v (%T); want a *ValidationError with problems", err, err)
		}
		if entries != nil {
			t.Fatalf("entries = %v with an error", entries)
		}
	})
}

func containsHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

func writeTestFile(t *testing.T, name, data string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}
