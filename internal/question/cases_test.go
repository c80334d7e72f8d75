package question

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestCases runs the chat lines in testdata/*.txt through the detector and
// checks each verdict. The files are meant to be extended by whoever finds
// a line the bot misread; see testdata/README.md for their format.
func TestCases(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no case files: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txt"), func(t *testing.T) {
			runCases(t, file)
		})
	}
}

// want is what one case line expects; empty fields are not checked.
type want struct {
	verdict string // "question" or "chat"
	lang    string
	why     string
}

func runCases(t *testing.T, file string) {
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var d Detector
	cases := 0
	for n, line := range strings.Split(string(data), "\n") {
		where := fmt.Sprintf("%s:%d", file, n+1)
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if rest, ok := strings.CutPrefix(line, "@names"); ok {
			d.Names = strings.FieldsFunc(rest, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' })
			continue
		}
		w, text, err := parseCase(line)
		if err != nil {
			t.Fatalf("%s: %v", where, err)
		}
		cases++
		got := d.Detect(text)
		if got.Lang != LangEnglish && got.Lang != LangChinese {
			t.Errorf("%s: Detect(%q).Lang = %q; want en or zh", where, text, got.Lang)
		}
		if got.Why == "" {
			t.Errorf("%s: Detect(%q).Why is empty", where, text)
		}
		if w.verdict != "" && verdict(got) != w.verdict {
			t.Errorf("%s: Detect(%q) = %s; want %s", where, text, describe(got), w.verdict)
		}
		if w.lang != "" {
			if got.Lang != w.lang {
				t.Errorf("%s: Detect(%q) = %s; want %s", where, text, describe(got), w.lang)
			}
			if lang := DetectLang(text); lang != w.lang {
				t.Errorf("%s: DetectLang(%q) = %s; want %s", where, text, lang, w.lang)
			}
		}
		if w.why != "" && got.Why != w.why {
			t.Errorf("%s: Detect(%q) = %s; want (%s)", where, text, describe(got), w.why)
		}
		if r := d.Read(text); r.Question != got.Is || r.Lang != got.Lang || r.Why != got.Why || !r.Read() {
			t.Errorf("%s: Read(%q) = %+v; want the verdict of Detect, %s", where, text, r, describe(got))
		}
	}
	if cases == 0 {
		t.Fatalf("%s: no cases", file)
	}
}

// parseCase reads "<expectations> | <chat line>".
func parseCase(line string) (want, string, error) {
	var w want
	left, text, ok := strings.Cut(line, " | ")
	if !ok {
		return w, "", fmt.Errorf(`want "<question|chat> | <chat line>", got %q`, line)
	}
	if strings.HasPrefix(text, `"`) {
		s, err := strconv.Unquote(text)
		if err != nil {
			return w, "", fmt.Errorf("quoted chat line %s: %v", text, err)
		}
		text = s
	}
	if i := strings.Index(left, "("); i >= 0 {
		if !strings.HasSuffix(left, ")") {
			return w, "", fmt.Errorf("unclosed ( in %q", left)
		}
		w.why = left[i+1 : len(left)-1]
		left = left[:i]
	}
	for _, f := range strings.Fields(left) {
		switch f {
		case "question", "chat":
			w.verdict = f
		case LangEnglish, LangChinese:
			w.lang = f
		default:
			return w, "", fmt.Errorf("unknown expectation %q; want question, chat, en, zh or (why)", f)
		}
	}
	if w == (want{}) {
		return w, "", fmt.Errorf("nothing expected of %q", text)
	}
	return w, text, nil
}

func verdict(q Question) string {
	if q.Is {
		return "question"
	}
	return "chat"
}

// describe writes a verdict the way the case files do, so a failure can be
// pasted back as the case's new expectation.
func describe(q Question) string { return fmt.Sprintf("%s %s (%s)", verdict(q), q.Lang, q.Why) }
