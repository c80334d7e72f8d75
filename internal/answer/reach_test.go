package answer

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/chatdesk/chatdesk/internal/devdata"
	"github.com/chatdesk/chatdesk/internal/question"
)

// reachLines are the six dev chats' lines and some chatter of the kind
// that is shaped like a request.
func reachLines(t *testing.T) map[string][]string {
	t.Helper()
	dir := devdata.Dir(t)
	out := map[string][]string{}
	for _, set := range []string{"en", "zh", "stream-en/a", "stream-en/b", "stream-zh/a", "stream-zh/b"} {
		b, err := os.ReadFile(filepath.Join(dir, set, "chat.jsonl"))
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			var l struct{ Text string }
			if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
				t.Fatal(err)
			}
			out[set] = append(out[set], l.Text)
		}
		out[set] = append(out[set], "good luck on the boss fight", "first time here, love the vibes",
			"drop the discord", "discord link", "song name pls", "specs", "tell me your setup", "lets gooo")
	}
	return out
}

// TestCeilingBoundsConfidence: no candidate of any dev line gets more
// confidence than the ceiling of its semantic score and lead, and every
// signal stays in the range the ceiling assumes.
func TestCeilingBoundsConfidence(t *testing.T) {
	var d question.Detector
	dir := devdata.Dir(t)
	for set, lines := range reachLines(t) {
		ix := devIndex(t, dir, set)
		for _, text := range lines {
			lang := d.Detect(text).Lang
			if lang != question.LangEnglish {
				continue
			}
			cs, err := ix.Candidates(text, lang, 100)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range cs {
				for i, x := range signals(c.Features) {
					if r := signalRange[i]; x < r[0] || x > r[1] {
						t.Errorf("%s %q %s: %s = %v, outside [%v, %v]", set, text, c.Entry.ID, signalNames[i], x, r[0], r[1])
					}
				}
				if c.exact() {
					continue
				}
				if ceil := calibrated[lang].ceiling(c.Features.Semantic, c.Features.SemanticMargin); c.Confidence > ceil+1e-12 {
					t.Errorf("%s %q %s: confidence %.4f over its ceiling %.4f", set, text, c.Entry.ID, c.Confidence, ceil)
				}
			}
		}
		ix.Close()
	}
}

// TestBeyondReachDecidesAsBefore: skipping the search for requests that
// cannot be answered surely enough changes no decision on any dev line or
// request-shaped chatter, and skips some.
func TestBeyondReachDecidesAsBefore(t *testing.T) {
	dir := devdata.Dir(t)
	var d question.Detector
	skipped := 0
	for set, lines := range reachLines(t) {
		ix := devIndex(t, dir, set)
		r := NewResponder(ix, d, Settings{}, nil, nil)
		for _, text := range lines {
			q := d.Detect(text)
			full, err := r.lookup(text, q, 2, false)
			if err != nil {
				t.Fatal(err)
			}
			quick, err := r.lookup(text, q, 2, true)
			if err != nil {
				t.Fatal(err)
			}
			if (full.Best == nil) != (quick.Best == nil) || full.Best != nil && full.Best.Entry.ID != quick.Best.Entry.ID {
				t.Errorf("%s %q: answered %v matching fully, %v skipping what cannot reach", set, text, bestID(full), bestID(quick))
			}
			if full.Request && len(full.Candidates) > 0 && len(quick.Candidates) == 0 {
				skipped++
			}
		}
		r.Close()
	}
	if skipped == 0 {
		t.Error("no request was skipped; the test no longer shows anything")
	}
	t.Logf("%d requests skipped without a search", skipped)
}

// devIndex builds the index of one dev set's FAQ.
func devIndex(t testing.TB, dir, set string) *Index {
	t.Helper()
	entries, err := LoadFAQ(filepath.Join(dir, set, "faq.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	ix, err := Build(entries)
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

func bestID(r Result) string {
	if r.Best == nil {
		return "nothing"
	}
	return r.Best.Entry.ID
}
