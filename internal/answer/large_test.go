package answer

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/chatdesk/chatdesk/internal/devdata"
	"github.com/chatdesk/chatdesk/internal/question"
)

// TestLargePathDecidesAsSmall runs every line of the six dev chats through
// each dev FAQ twice: as the small FAQ it is, and matched as a large one
// (candidates from the conjunction or the rarest terms, meaning compared
// with the entries found only). A large FAQ's path must not cost answers:
// what is posted, an entry's answer or nothing, is the same on every line.
// (Unsure candidates may differ: a line that shares no word with any
// example has none in a large FAQ.)
func TestLargePathDecidesAsSmall(t *testing.T) {
	dir := devdata.Dir(t)
	var d question.Detector
	for _, set := range []string{"en", "zh", "stream-en/a", "stream-en/b", "stream-zh/a", "stream-zh/b"} {
		small, large := devIndex(t, dir, set), devIndex(t, dir, set)
		large.fullScan = 0
		b, err := os.ReadFile(filepath.Join(dir, set, "chat.jsonl"))
		if err != nil {
			t.Fatal(err)
		}
		// decide says what is posted: an entry, or nothing.
		decide := func(ix *Index, text, lang string) (string, string) {
			cs, err := ix.Candidates(text, lang, 1)
			if err != nil {
				t.Fatal(err)
			}
			if len(cs) == 0 {
				return "nothing", "no candidate"
			}
			if cs[0].Confidence < calibrated[lang].threshold {
				return "nothing", fmt.Sprintf("%s at %.3f", cs[0].Entry.ID, cs[0].Confidence)
			}
			return cs[0].Entry.ID, fmt.Sprintf("%s at %.3f", cs[0].Entry.ID, cs[0].Confidence)
		}
		lines, differ, answers := 0, 0, 0
		sc := bufio.NewScanner(bytes.NewReader(b))
		for n := 1; sc.Scan(); n++ {
			var l struct{ Text string }
			if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
				t.Fatalf("%s:%d: %v", set, n, err)
			}
			lang := d.Detect(l.Text).Lang
			if lang != question.LangChinese {
				lang = question.LangEnglish
			}
			lines++
			s, sWhy := decide(small, l.Text, lang)
			g, gWhy := decide(large, l.Text, lang)
			if s != "nothing" {
				answers++
			}
			if s != g {
				if differ++; differ <= 5 {
					t.Errorf("%s:%d %q: small FAQ posts %s (%s), as a large one %s (%s)", set, n, l.Text, s, sWhy, g, gWhy)
				}
			}
		}
		small.Close()
		large.Close()
		t.Logf("%s: %d lines, %d answered, %d decided differently", set, lines, answers, differ)
	}
}
