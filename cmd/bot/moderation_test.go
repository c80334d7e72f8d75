package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chatdesk/chatdesk/internal/chat"
	"github.com/chatdesk/chatdesk/internal/escalation"
	"github.com/chatdesk/chatdesk/internal/router"
)

// TestModerationDevSet holds the shipped config's moderation to the
// project's bar on the labelled spam set, run through `bot replay` exactly
// as a user would: false positives on honest lines ≤ 1 %, at least 60 % of
// spam caught ("moderate" counts as flagged).
func TestModerationDevSet(t *testing.T) {
	dir := devData(t)
	chatFile := filepath.Join(dir, "spam", "chat.jsonl")
	// A data directory of its own, so a developer's !block list cannot
	// change the score.
	env := []string{"CHATDESK_BOT_DATA_DIR=" + t.TempDir()}
	o := invoke(t, env, "", "replay", "--config", shippedConfig, chatFile)
	if o.err != nil {
		t.Fatalf("replay: %v\n%s", o.err, o.stderr)
	}
	expect := readExpect(t, chatFile)
	var spam, ok, caught, falsePos, decisions int
	for _, e := range expect {
		if e == "spam" {
			spam++
		} else {
			ok++
		}
	}
	sc := bufio.NewScanner(strings.NewReader(o.stdout))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var wrong []string
	for sc.Scan() {
		decisions++
		var d struct {
			Line                        int
			Action, Rule, Penalty, Text string
		}
		if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
			t.Fatalf("replay output: %v", err)
		}
		if d.Action != "moderate" {
			continue
		}
		if d.Rule == "" || d.Penalty == "" {
			t.Errorf("line %d: moderate without rule or penalty: %s", d.Line, sc.Text())
		}
		if expect[d.Line] == "spam" {
			caught++
		} else {
			falsePos++
			wrong = append(wrong, d.Rule+": "+d.Text)
		}
	}
	if decisions != len(expect) {
		t.Errorf("replay printed %d decisions for %d lines", decisions, len(expect))
	}
	catch := ratio(caught, spam)
	fp := ratio(falsePos, ok)
	t.Logf("spam set: catch %.3f (%d/%d), false positives %.4f (%d/%d), precision %.3f",
		catch, caught, spam, fp, falsePos, ok, ratio(caught, caught+falsePos))
	for _, w := range wrong {
		t.Logf("false positive: %s", w)
	}
	if fp > 0.01 {
		t.Errorf("false-positive rate %.4f; want ≤ 0.01", fp)
	}
	if catch < 0.60 {
		t.Errorf("catch rate %.3f; want ≥ 0.60", catch)
	}
}

// readExpect reads the labels of a dev chat file by line number.
func readExpect(t *testing.T, file string) map[int]string {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[int]string{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		var l struct{ Expect string }
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("%s:%d: %v", file, n, err)
		}
		out[n] = l.Expect
	}
	return out
}

// writeConfig writes a config file whose channel uses the tiny test FAQ and
// keeps its data in a temporary directory.
func writeConfig(t *testing.T, body string) string {
	t.Helper()
	dir := t.TempDir()
	faq, err := filepath.Abs("testdata/faq/tiny.yaml")
	if err != nil {
		t.Fatal(err)
	}
	body = strings.ReplaceAll(body, "FAQ", faq)
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestModerationConfigProblems: every mistake in a moderation section is
// reported with its file, line and field, all at once.
func TestModerationConfigProblems(t *testing.T) {
	path := writeConfig(t, `moderation:
  ladder: [warn, kick, timeout 60s]
  rules:
    capslock: {enabled: true}
    caps:
      ratio: 1.5
      allow: [example.com]
    banned_terms:
      terms: ["ok", "/[unclosed/"]
    links:
      exempt: [moderator, everyone]
    spam:
      severity: 9
    flood:
      window: soon
channels:
  - name: mira
    faq: [FAQ]
    moderation:
      rules:
        zalgo: {max: 0}
`)
	_, err := loadConfig(path, nil)
	var ce *ConfigError
	if !errors.As(err, &ce) {
		t.Fatalf("loadConfig: %v; want a ConfigError", err)
	}
	got := strings.Join(ce.Problems, "\n")
	for _, want := range []string{
		path + ":15: moderation.rules.flood.window: want a duration",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("no %q in:\n%s", want, got)
		}
	}
	// The shape check stops before values are judged; fix the duration
	// and the rest shows.
	body, _ := os.ReadFile(path)
	os.WriteFile(path, []byte(strings.Replace(string(body), "window: soon", "window: 10s", 1)), 0o644)
	_, err = loadConfig(path, nil)
	if !errors.As(err, &ce) {
		t.Fatalf("loadConfig: %v; want a ConfigError", err)
	}
	got = strings.Join(ce.Problems, "\n")
	for _, want := range []string{
		path + `:2: moderation.ladder[1]: unknown step "kick"`,
		path + ":4: moderation.rules.capslock: unknown rule",
		path + ":6: moderation.rules.caps.ratio: must be between 0 and 1, got 1.5",
		path + ":7: moderation.rules.caps.allow: caps does not use allow",
		path + ":9: moderation.rules.banned_terms.terms[1]: bad regular expression /[unclosed/",
		path + ":11: moderation.rules.links.exempt: moderator is always exempt",
		path + `:11: moderation.rules.links.exempt: unknown role "everyone"`,
		path + ":13: moderation.rules.spam.severity: step 9 is past the end of the ladder",
		path + ":21: channels[0].moderation.rules.zalgo.max: must be at least 1, got 0",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("no %q in:\n%s", want, got)
		}
	}
	for _, p := range ce.Problems {
		if !problemLine.MatchString(p) {
			t.Errorf("problem not in file:line: field: problem form: %q", p)
		}
	}
	if strings.Count(got, "capslock") != 1 {
		t.Errorf("a top-level problem is repeated for the channel:\n%s", got)
	}
}

// testChannels builds the channels of a config written with body.
func testChannels(t *testing.T, body string, env ...string) ([]*router.Channel, *Config) {
	t.Helper()
	path := writeConfig(t, body)
	cfg, err := loadConfig(path, env)
	if err != nil {
		t.Fatal(err)
	}
	c := newTestClock()
	// A store of its own, so that what moderators change is kept as in a
	// live run (a dry run keeps nothing).
	chs, err := buildChannels(cfg, channelOptions{store: escalation.NewMemoryStore(), now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { chs.Close() })
	return chs.All(), cfg
}

func testChannel(t *testing.T, body string, env ...string) (*router.Channel, *Config) {
	t.Helper()
	chs, cfg := testChannels(t, body, env...)
	return chs[0], cfg
}

type testClock struct{ t time.Time }

func newTestClock() *testClock      { return &testClock{time.Date(2026, 3, 1, 20, 0, 0, 0, time.UTC)} }
func (c *testClock) now() time.Time { return c.t }

const modConfig = `bot:
  data_dir: data
moderation:
  rules:
    caps: {enabled: false}
channels:
  - name: mira
    faq: [FAQ]
    moderation:
      rules:
        caps: {enabled: true, min_length: 10}
  - name: other
    faq: [FAQ]
`

// chatter sends messages through a channel's pipeline, a minute apart.
type chatter struct {
	t  *testing.T
	p  *router.Pipeline
	at time.Time
	n  int
}

func (c *chatter) say(user string, roles chat.Roles, text string) chat.Decision {
	c.n++
	c.at = c.at.Add(time.Minute)
	return c.p.Process(context.Background(), chat.Message{
		ID: "m" + string(rune('a'+c.n%26)), Channel: "mira", User: user, UserID: "uid-" + user,
		Roles: roles, Text: text, Time: c.at,
	})
}

func replyText(d chat.Decision) string {
	var parts []string
	for _, r := range d.Replies {
		parts = append(parts, r.Text)
	}
	return strings.Join(parts, " / ")
}

// TestModerationStageInPipeline: a channel's own section changes the
// top-level rules, and a removed message is never answered.
func TestModerationStageInPipeline(t *testing.T) {
	chs, _ := testChannels(t, modConfig)
	start := time.Date(2026, 3, 1, 20, 0, 0, 0, time.UTC)
	mira := &chatter{t: t, p: chs[0].Pipeline(), at: start}
	other := &chatter{t: t, p: chs[1].Pipeline(), at: start}
	const shout = "WHY IS NOBODY TALKING ABOUT THIS"
	if d := mira.say("bob", 0, shout); d.Action != chat.ActionModerate || d.Rule != "caps" {
		t.Errorf("caps on in #mira: %+v", d)
	}
	if d := other.say("bob", 0, shout); d.Action == chat.ActionModerate {
		t.Errorf("caps off in #other: %+v", d)
	}
	if d := mira.say("ann", 0, "best viewers on streamboo .com"); d.Action != chat.ActionModerate || d.Penalty != "delete" || len(d.Replies) != 1 {
		t.Errorf("spam: %+v", d)
	}
	// A question that breaks a rule is removed, not answered.
	if d := mira.say("cy", 0, "WHAT IS THE SCHEDULE FOR TOMORROW CHAT"); d.Action != chat.ActionModerate {
		t.Errorf("shouted question: %+v", d)
	}
}

// TestModeratorCommands drives every moderator command from chat.
func TestModeratorCommands(t *testing.T) {
	ch, cfg := testChannel(t, modConfig)
	c := &chatter{t: t, p: ch.Pipeline(), at: time.Date(2026, 3, 1, 20, 0, 0, 0, time.UTC)}
	mod := chat.RoleModerator

	// Viewers cannot run them, and get no answer.
	if d := c.say("bob", 0, "!permit bob"); d.Action != chat.ActionCommand || len(d.Replies) != 0 {
		t.Errorf("viewer !permit: %+v", d)
	}

	// !permit lets a link through once; without it the link is removed.
	if d := c.say("kim", mod, "!permit @Bob 120"); !strings.Contains(replyText(d), "@bob may post links for the next 2m") {
		t.Errorf("!permit: %q", replyText(d))
	}
	c.at = c.at.Add(-30 * time.Second)
	if d := c.say("bob", 0, "my art: example.com/art"); d.Action == chat.ActionModerate {
		t.Errorf("permitted link: %+v", d)
	}
	c.at = c.at.Add(5 * time.Minute)
	if d := c.say("bob", 0, "my art: example.com/art"); d.Rule != "links" {
		t.Errorf("link after the permit: %+v", d)
	}

	// !strikes and !pardon.
	if d := c.say("kim", mod, "!strikes bob"); !strings.Contains(replyText(d), "@bob has 1 strike — last: links") {
		t.Errorf("!strikes: %q", replyText(d))
	}
	d := c.say("kim", mod, "!pardon bob undo")
	if !strings.Contains(replyText(d), "cleared (1 before)") || len(d.Enforcements) != 1 ||
		d.Enforcements[0].Kind != chat.PenaltyUnban || d.Enforcements[0].UserID != "uid-bob" {
		t.Errorf("!pardon undo: %q %+v", replyText(d), d.Enforcements)
	}
	if d := c.say("kim", mod, "!strikes bob"); !strings.Contains(replyText(d), "no strikes") {
		t.Errorf("!strikes after pardon: %q", replyText(d))
	}

	// !rules and !shadow.
	if d := c.say("kim", mod, "!rules"); !strings.Contains(replyText(d), "links (delete)") || !strings.Contains(replyText(d), "off: ") {
		t.Errorf("!rules: %q", replyText(d))
	}
	if d := c.say("kim", mod, "!shadow links on"); !strings.Contains(replyText(d), "shadow mode") {
		t.Errorf("!shadow: %q", replyText(d))
	}
	if d := c.say("ann", 0, "go to example.com/free"); !d.Shadow || d.Action != chat.ActionModerate || d.Rule != "links" {
		t.Errorf("shadowed link: %+v", d)
	}
	if d := c.say("kim", mod, "!shadow nope on"); !strings.Contains(replyText(d), "no rule") {
		t.Errorf("!shadow unknown: %q", replyText(d))
	}

	// !block persists under the data directory and survives a restart.
	if d := c.say("kim", mod, "!block pineapple pizza"); !strings.Contains(replyText(d), "Blocked") {
		t.Errorf("!block: %q", replyText(d))
	}
	file := filepath.Join(cfg.Bot.DataDir, "mira", "blocked.yaml")
	if data, err := os.ReadFile(file); err != nil || !strings.Contains(string(data), "pineapple pizza") {
		t.Fatalf("block list file: %v %q", err, data)
	}
	if d := c.say("ann", 0, "PINEAPPLE PIZZA forever"); d.Rule != "banned_terms" {
		t.Errorf("blocked phrase: %+v", d)
	}
	restarted, err := buildChannels(cfg, channelOptions{store: escalation.NewMemoryStore()})
	if err != nil {
		t.Fatal(err)
	}
	defer restarted.Close()
	c2 := &chatter{t: t, p: restarted.All()[0].Pipeline(), at: c.at}
	if d := c2.say("ann", 0, "pineapple pizza forever"); d.Rule != "banned_terms" {
		t.Errorf("blocked phrase after restart: %+v", d)
	}
	if d := c2.say("kim", mod, "!unblock Pineapple Pizza"); !strings.Contains(replyText(d), "Unblocked") {
		t.Errorf("!unblock: %q", replyText(d))
	}
	if d := c2.say("ann", 0, "pineapple pizza forever"); d.Action == chat.ActionModerate {
		t.Errorf("after !unblock: %+v", d)
	}
	if d := c2.say("kim", mod, "!block /[/"); !strings.Contains(replyText(d), "Can't block") {
		t.Errorf("!block bad regexp: %q", replyText(d))
	}
}

// TestReplayShowsModeration: replay prints moderation decisions with
// their rule and penalty, shadow ones too.
func TestReplayShowsModeration(t *testing.T) {
	path := writeConfig(t, "channels:\n  - name: mira\n    faq: [FAQ]\n")
	in := "bob: best viewers on streamboo .com\nann: hello there\n"
	for _, shadow := range []bool{false, true} {
		env := []string{"CHATDESK_BOT_DATA_DIR=" + t.TempDir()}
		if shadow {
			env = append(env, "CHATDESK_MODERATION_SHADOW=true")
		}
		o := invoke(t, env, in, "replay", "--config", path, "-")
		if o.err != nil {
			t.Fatalf("replay: %v\n%s", o.err, o.stderr)
		}
		out := lines(o.stdout)
		if len(out) != 2 {
			t.Fatalf("replay output: %q", o.stdout)
		}
		var d struct{ Action, Rule, Penalty, Note, Reply string }
		if err := json.Unmarshal([]byte(out[0]), &d); err != nil {
			t.Fatal(err)
		}
		if d.Action != "moderate" || d.Rule == "" || d.Penalty != "delete" {
			t.Errorf("shadow=%v: %s", shadow, out[0])
		}
		if shadow && (!strings.HasPrefix(d.Note, "shadow") || d.Reply != "") {
			t.Errorf("shadow: want a shadow note and no notice: %s", out[0])
		}
	}
}

// TestReplayExplain: --explain adds what tipped a spam decision.
func TestReplayExplain(t *testing.T) {
	env := []string{"CHATDESK_BOT_DATA_DIR=" + t.TempDir()}
	o := invoke(t, env, "bob: add me on discord: night_owl_77\n", "replay", "--explain", "--config", shippedConfig, "-")
	if o.err != nil {
		t.Fatalf("replay: %v\n%s", o.err, o.stderr)
	}
	var d struct {
		Rule    string
		Explain []string
	}
	if err := json.Unmarshal([]byte(o.stdout), &d); err != nil {
		t.Fatal(err)
	}
	if d.Rule != "spam_bots" || len(d.Explain) == 0 || d.Explain[0] != "family: handle bait" {
		t.Errorf("replay --explain: %s; want spam_bots with the family first", o.stdout)
	}
}

// TestModerationLeavesHonestQuestionsAlone runs the labelled FAQ chat — every
// line an honest viewer's question or request — through the default rules:
// viewers ask about money, help and checking things, and must not be
// deleted for it.
func TestModerationLeavesHonestQuestionsAlone(t *testing.T) {
	dir := devData(t)
	env := []string{"CHATDESK_BOT_DATA_DIR=" + t.TempDir()}
	var lines, flagged int
	var examples []string
	for _, set := range []string{"en", "zh"} {
		o := invoke(t, env, "", "replay", "--config", shippedConfig, filepath.Join(dir, set, "chat.jsonl"))
		if o.err != nil {
			t.Fatalf("replay %s: %v\n%s", set, o.err, o.stderr)
		}
		sc := bufio.NewScanner(strings.NewReader(o.stdout))
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			lines++
			var d struct{ Action, Rule, Text string }
			if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
				t.Fatalf("replay output: %v", err)
			}
			if d.Action == "moderate" {
				flagged++
				examples = append(examples, d.Rule+": "+d.Text)
			}
		}
	}
	rate := ratio(flagged, lines)
	t.Logf("honest questions flagged: %d of %d (%.4f)", flagged, lines, rate)
	if rate > 0.005 {
		t.Errorf("%d of %d honest questions moderated (%.4f); want at most 0.5 %%: %q", flagged, lines, rate, examples)
	}
}
