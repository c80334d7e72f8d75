package moderation

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chatdesk/chatdesk/internal/chat"
)

// readLines returns the non-blank, non-comment lines of a testdata file.
func readLines(t testing.TB, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		out = append(out, l)
	}
	return out
}

// runCorpus checks each line as a different viewer's message, ten seconds
// apart, with the default settings.
func runCorpus(t *testing.T, lines []string, first bool) []Verdict {
	t.Helper()
	start := time.Date(2026, 1, 1, 20, 0, 0, 0, time.UTC)
	e, err := New("test", DefaultSettings(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	out := make([]Verdict, len(lines))
	for i, l := range lines {
		out[i] = e.Check(chat.Message{
			User: fmt.Sprintf("viewer%d", i), Text: l, First: first,
			Time: start.Add(time.Duration(i) * 10 * time.Second),
		})
	}
	return out
}

// TestHonestChatPasses holds the default rules to leaving honest chat
// alone: emote spam, caps emote names, CJK, Arabic, hype, long questions,
// allowlisted links.
func TestHonestChatPasses(t *testing.T) {
	lines := readLines(t, "testdata/chat/honest.txt")
	for _, first := range []bool{false, true} {
		for i, v := range runCorpus(t, lines, first) {
			if v.Broke() {
				t.Errorf("first=%v: %q: got %s (%s); want it to pass", first, lines[i], v.Rule, v.Detail)
			}
		}
	}
}

// TestTwitchSpamCaught reports how much Twitch-style spam the default
// rules catch, from regulars and from first-time chatters.
func TestTwitchSpamCaught(t *testing.T) {
	lines := readLines(t, "testdata/chat/spam.txt")
	for _, first := range []bool{false, true} {
		caught := 0
		for i, v := range runCorpus(t, lines, first) {
			if v.Broke() {
				caught++
			} else {
				t.Logf("first=%v: missed %q", first, lines[i])
			}
		}
		share := float64(caught) / float64(len(lines))
		t.Logf("first=%v: caught %d of %d (%.0f%%)", first, caught, len(lines), share*100)
		if share < 0.6 {
			t.Errorf("first=%v: caught %.0f%% of Twitch-style spam; want ≥ 60%%", first, share*100)
		}
	}
}
