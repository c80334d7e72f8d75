package moderation

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chatdesk/chatdesk/internal/chat"
)

// familyTable reads testdata/rules/spam_bots.txt: the family examples
// (verdict spam_bots) and their honest look-alikes (ok), without markers.
func familyTable(t testing.TB) (spam, honest []string) {
	t.Helper()
	for _, l := range readLines(t, "testdata/rules/spam_bots.txt") {
		if strings.HasPrefix(l, "@") {
			continue
		}
		want, text, _ := strings.Cut(l, " | ")
		text = strings.TrimPrefix(text, "[first] ")
		if strings.TrimSpace(want) == "ok" {
			honest = append(honest, text)
		} else {
			spam = append(spam, text)
		}
	}
	return spam, honest
}

// TestFamiliesUnderDefaults: with every default rule on, each family
// example is caught as someone's first message (and all but the pitches
// that need a first message, from anyone), and no honest look-alike is
// touched by any rule, first message or not.
func TestFamiliesUnderDefaults(t *testing.T) {
	spam, honest := familyTable(t)
	for _, first := range []bool{true, false} {
		for i, v := range runCorpus(t, spam, first) {
			if !v.Broke() && first {
				t.Errorf("first message %q passed; want it caught", spam[i])
			}
		}
		for i, v := range runCorpus(t, honest, first) {
			if v.Broke() {
				t.Errorf("first=%v: honest %q: %s (%s)", first, honest[i], v.Rule, v.Detail)
			}
		}
	}
}

// TestFamilyReasonNamesFamily: the enforcement's reason, which is what
// Twitch shows moderators, names the rule, the family and what tipped it.
func TestFamilyReasonNamesFamily(t *testing.T) {
	c := newClock()
	e := newEngine(t, DefaultSettings(), c)
	for text, family := range map[string]Family{
		"add me on discord: night_owl_77":                   FamilyHandleBait,
		"stream viewers dott org":                           FamilySiteNoDot,
		"i can connect you with a big streamer, 300k fans":  FamilyMentor,
		"cheap viewers for your stream, best price":         FamilyViewerSales,
		"I will help you grow, I know a partnered streamer": FamilyMentor,
	} {
		c.advance(time.Hour)
		v := e.Check(chat.Message{User: "bot" + string(family[0]), UserID: "1", ID: "m", Text: text})
		if v.Rule != RuleSpamBots || !strings.HasPrefix(v.Detail, string(family)+": ") {
			t.Errorf("%q: %s %q; want spam_bots with detail %q…", text, v.Rule, v.Detail, family)
			continue
		}
		if len(v.Enforcements) == 0 || !strings.HasPrefix(v.Enforcements[0].Reason, "spam_bots: "+string(family)+": ") {
			t.Errorf("%q: enforcements %+v; want a reason naming the family", text, v.Enforcements)
		}
	}
}

func TestHandleShaped(t *testing.T) {
	for tok, want := range map[string]bool{
		"cool_guy": true, "gamer99": true, "gamer.99": true, "name#1234": true, "xx_wolf_xx": true,
		"ps5": false, "rtx3080": true, "2019": false, "1.5": false, "d1sc0rd": false, "hello": false,
		"_x": false, "ab12": false, "name#12": false, "lol.": false, "a_": false,
	} {
		if got := handleShaped(tok); got != want {
			t.Errorf("handleShaped(%q) = %v; want %v", tok, got, want)
		}
	}
	if got := findHandle("аdd me: ｈｅｌｌｏ＿ｗｏｒｌｄ２３!"); got != "hello_world23" {
		t.Errorf("findHandle folded = %q; want hello_world23", got)
	}
	if got := findHandle("see example.com/x_1 and @bob_99"); got != "" {
		t.Errorf("findHandle took a link or a mention: %q", got)
	}
}

func TestSiteLike(t *testing.T) {
	for w, want := range map[string]bool{
		"streamviewers": true, "twitchboost": true, "growfollows": true, "getviewers": true,
		"streamers": false, "viewers": false, "followers": false, "stream": false, "charity": false,
	} {
		if got := siteLike([]byte(w)); got != want {
			t.Errorf("siteLike(%q) = %v; want %v", w, got, want)
		}
	}
}

// FuzzFamilies: the family checks never panic and never call a message
// spam without naming a family and why.
func FuzzFamilies(f *testing.F) {
	spam, _ := familyTable(f)
	for _, s := range spam {
		f.Add(s, true)
	}
	f.Add("my dc is", false)
	f.Add("i can you", true)
	f.Add("dot com", false)
	var sc scanner
	var in Input
	emotes := knownEmotes(nil)
	f.Fuzz(func(t *testing.T, text string, first bool) {
		msg := chat.Message{Text: text, First: first}
		sc.prepare(&in, &msg, time.Time{}, emotes)
		h, ok := checkFamilies(&in, nil)
		if ok && (h.family == "" || len(h.why) == 0) {
			t.Errorf("%q: hit without family or reason: %+v", text, h)
		}
	})
}

// TestWhyNamesWhatTipped: a spam verdict lists what tipped it — the
// family and its parts, the phrase, or the score and its heaviest words —
// and the decision carries the list for `bot replay --explain`.
func TestWhyNamesWhatTipped(t *testing.T) {
	c := newClock()
	e := newEngine(t, DefaultSettings(), c)
	for _, tc := range []struct {
		text string
		want []string
	}{
		{"add me on discord: night_owl_77", []string{"family: handle bait", `"discord"`, `handle "night_owl_77"`, `"add me"`}},
		{"sub4sub anyone?", []string{`phrase "sub4sub"`}},
		{"FREE entry! call now to claim your prize, text WIN to 80082", []string{"spam score 0.", `"free" +`}},
	} {
		c.advance(time.Hour)
		v := e.Check(chat.Message{User: "u" + tc.text[:3], Text: tc.text})
		d := v.Decision()
		if len(d.Why) < len(tc.want) {
			t.Errorf("%q: why %q; want %q", tc.text, d.Why, tc.want)
			continue
		}
		for i, w := range tc.want {
			if !strings.HasPrefix(d.Why[i], w) {
				t.Errorf("%q: why[%d] = %q; want it to start %q (all: %q)", tc.text, i, d.Why[i], w, d.Why)
			}
		}
	}
}

// TestNamedHandleNeedsFirstMessage: a handle given as one's own with no
// request ("my discord is kiwi_22") is bait as a first message, and an
// answer to "what's your discord?" from a regular.
func TestNamedHandleNeedsFirstMessage(t *testing.T) {
	c := newClock()
	e := newEngine(t, DefaultSettings(), c)
	if v := e.Check(chat.Message{User: "kiwi", Text: "my discord is kiwi_22"}); v.Broke() {
		t.Errorf("from a regular: %s (%s); want it to pass", v.Rule, v.Detail)
	}
	c.advance(time.Minute)
	if v := e.Check(chat.Message{User: "newbie", First: true, Text: "my discord is kiwi_22"}); v.Rule != RuleSpamBots {
		t.Errorf("as a first message: %q; want spam_bots", v.Rule)
	}
}

// TestWaveTakesItsFirstMembers: when a wave is found, the new chatters
// who started it get its penalty too, once, by their own user ids.
func TestWaveTakesItsFirstMembers(t *testing.T) {
	c := newClock()
	e := newEngine(t, DefaultSettings(), c)
	var v Verdict
	for i, handle := range []string{"night_owl_77", "sunny_day_42", "frost_byte_09", "moon_walker_1"} {
		c.advance(5 * time.Second)
		user := fmt.Sprint("bot", i)
		v = e.Check(chat.Message{ID: "m" + user, User: user, UserID: "id-" + user, First: true, Text: "add me on discord: " + handle})
		if i == 2 {
			if v.Rule != RuleSpamWave || v.Step.String() != "timeout 10m" {
				t.Fatalf("third of the wave: %s %s; want spam_wave timeout 10m", v.Rule, v.Step)
			}
			var targets []string
			for _, en := range v.Enforcements {
				if en.Kind != chat.PenaltyTimeout || !strings.HasPrefix(en.Reason, "spam_wave: ") {
					t.Errorf("enforcement %+v; want a spam_wave timeout", en)
				}
				targets = append(targets, en.UserID)
			}
			if strings.Join(targets, ",") != "id-bot2,id-bot1,id-bot0" {
				t.Errorf("timed out %v; want this chatter and the two before", targets)
			}
		}
	}
	if len(v.Enforcements) != 1 || v.Enforcements[0].UserID != "id-bot3" {
		t.Errorf("fourth of the wave: %+v; want only its own author, the others are done", v.Enforcements)
	}
}
