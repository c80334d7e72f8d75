package moderation

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/chatdesk/chatdesk/internal/chat"
)

// clock is a hand-driven clock so tests never sleep.
type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }
func newClock() *clock                   { return &clock{t: time.Date(2026, 3, 1, 20, 0, 0, 0, time.UTC)} }
func linkMsg(user string) chat.Message {
	return chat.Message{ID: "id-" + user, User: user, UserID: "uid-" + user, Text: "go to example.com/free"}
}
func msgAt(m chat.Message, t time.Time) chat.Message { m.Time = t; return m }

// switched returns the default settings with the named rules turned on
// or off.
func switched(on bool, rules ...string) Settings {
	s := DefaultSettings()
	for _, name := range rules {
		r := s.Rules[name]
		r.Enabled = on
		s.Rules[name] = r
	}
	return s
}

func newEngine(t *testing.T, s Settings, c *clock) *Engine {
	t.Helper()
	e, err := New("mira", s, Options{Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestLadderClimbs: links start on the second step (delete) of the default
// ladder, so the notices read strike 1/4 … 4/4, the last a ban.
func TestLadderClimbs(t *testing.T) {
	c := newClock()
	e := newEngine(t, DefaultSettings(), c)
	want := []struct {
		penalty string
		strike  string
		kinds   []chat.PenaltyKind
	}{
		{"delete", "strike 1/4", []chat.PenaltyKind{chat.PenaltyDelete}},
		{"timeout 60s", "strike 2/4", []chat.PenaltyKind{chat.PenaltyTimeout}},
		{"timeout 10m", "strike 3/4", []chat.PenaltyKind{chat.PenaltyTimeout}},
		{"ban", "strike 4/4", []chat.PenaltyKind{chat.PenaltyBan}},
		{"ban", "strike 4/4", []chat.PenaltyKind{chat.PenaltyBan}},
	}
	for i, w := range want {
		c.advance(2 * time.Minute)
		v := e.Check(linkMsg("bob"))
		if v.Rule != RuleLinks || v.Step.String() != w.penalty {
			t.Fatalf("offence %d: got %s %s; want links %s", i+1, v.Rule, v.Step, w.penalty)
		}
		if !strings.Contains(v.Reply, w.strike) || !strings.HasPrefix(v.Reply, "@bob links aren't allowed here") {
			t.Errorf("offence %d: notice %q; want it to start \"@bob links aren't allowed here\" and say %q", i+1, v.Reply, w.strike)
		}
		if len(v.Enforcements) != len(w.kinds) {
			t.Fatalf("offence %d: enforcements %+v; want %v", i+1, v.Enforcements, w.kinds)
		}
		for k, en := range v.Enforcements {
			if en.Kind != w.kinds[k] {
				t.Errorf("offence %d: enforcement %s; want %s", i+1, en.Kind, w.kinds[k])
			}
			if !strings.HasPrefix(en.Reason, "links: link to example.com") {
				t.Errorf("offence %d: reason %q; want it to name the rule and the link", i+1, en.Reason)
			}
		}
		d := v.Decision()
		if d.Action != chat.ActionModerate || d.Rule != RuleLinks || d.Penalty != w.penalty {
			t.Errorf("offence %d: decision %+v", i+1, d)
		}
		if len(d.Replies) != 1 || d.Replies[0].Priority != chat.PriorityModeration {
			t.Errorf("offence %d: replies %+v; want one moderation-priority notice", i+1, d.Replies)
		}
	}
}

// TestSeveritySetsFirstStep: a style rule starts at warn, flood at a
// timeout, and a first-time chatter's link at the strict end.
func TestSeveritySetsFirstStep(t *testing.T) {
	s := DefaultSettings()
	caps := s.Rules[RuleCaps]
	caps.Enabled = true
	s.Rules[RuleCaps] = caps
	c := newClock()
	e := newEngine(t, s, c)
	v := e.Check(chat.Message{User: "ann", Text: "WHY IS NOBODY TALKING ABOUT THIS RIGHT NOW CHAT"})
	if v.Rule != RuleCaps || v.Step.String() != "warn" {
		t.Errorf("caps: got %s %s; want caps warn", v.Rule, v.Step)
	}
	if len(v.Enforcements) != 1 || v.Enforcements[0].Kind != chat.PenaltyWarn {
		t.Errorf("caps: enforcements %+v; want a native warn", v.Enforcements)
	}
	v = e.Check(chat.Message{User: "newbie", First: true, Text: "hi check out example.com"})
	if v.Rule != RuleFirstChatter || v.Step.String() != "timeout 10m" {
		t.Errorf("first chatter: got %s %s; want first_chatter timeout 10m", v.Rule, v.Step)
	}
}

// TestStrikesDecay: one strike is forgiven per quiet hour.
func TestStrikesDecay(t *testing.T) {
	c := newClock()
	e := newEngine(t, DefaultSettings(), c)
	e.Check(linkMsg("bob"))
	c.advance(time.Minute)
	e.Check(linkMsg("bob"))
	if got := e.Standing("bob", time.Time{}).Strikes; got != 2 {
		t.Fatalf("strikes after two offences: %d; want 2", got)
	}
	c.advance(61 * time.Minute)
	if got := e.Standing("bob", time.Time{}).Strikes; got != 1 {
		t.Errorf("strikes after an hour's quiet: %d; want 1", got)
	}
	c.advance(time.Hour)
	if got := e.Standing("bob", time.Time{}).Strikes; got != 0 {
		t.Errorf("strikes after two quiet hours: %d; want 0", got)
	}
	if v := e.Check(linkMsg("bob")); v.Step.String() != "delete" {
		t.Errorf("after decay: %s; want delete again", v.Step)
	}
}

// TestBurstCountsOnce: messages queued in one burst do not climb the whole
// ladder before the first timeout lands.
func TestBurstCountsOnce(t *testing.T) {
	c := newClock()
	e := newEngine(t, DefaultSettings(), c)
	for range 4 {
		c.advance(time.Second)
		if v := e.Check(linkMsg("bob")); v.Step.String() != "delete" || v.Strike != 1 {
			t.Fatalf("burst: got %s strike %d; want delete strike 1", v.Step, v.Strike)
		}
	}
}

// TestNoticeOncePerWindow: one notice per chatter per notice window; the
// messages are still removed.
func TestNoticeOncePerWindow(t *testing.T) {
	c := newClock()
	e := newEngine(t, DefaultSettings(), c)
	if v := e.Check(linkMsg("bob")); v.Reply == "" {
		t.Fatal("first offence: no notice")
	}
	c.advance(20 * time.Second)
	v := e.Check(linkMsg("bob"))
	if v.Reply != "" {
		t.Errorf("second offence within a minute: notice %q; want none", v.Reply)
	}
	if len(v.Enforcements) == 0 {
		t.Error("second offence: no enforcement")
	}
	c.advance(2 * time.Minute)
	if v := e.Check(linkMsg("bob")); v.Reply == "" {
		t.Error("offence after the window: no notice")
	}
}

// TestWaveCollapsesNotices: a spam wave gets two notices, then one summary,
// then quiet until chat calms down.
func TestWaveCollapsesNotices(t *testing.T) {
	c := newClock()
	e := newEngine(t, DefaultSettings(), c)
	var notices []string
	for _, u := range []string{"a1", "a2", "a3", "a4", "a5", "a6"} {
		c.advance(500 * time.Millisecond)
		if v := e.Check(linkMsg(u)); v.Reply != "" {
			notices = append(notices, v.Reply)
		}
	}
	if len(notices) != 3 || !strings.HasPrefix(notices[2], "Cleaning up a wave of spam") {
		t.Fatalf("wave of six: notices %q; want two, then one summary", notices)
	}
	c.advance(time.Minute)
	if v := e.Check(linkMsg("later")); !strings.HasPrefix(v.Reply, "@later") {
		t.Errorf("after the wave: notice %q; want a normal one", v.Reply)
	}
}

// TestShadow: a shadow rule decides and records, acts on nothing, counts no
// strikes, posts nothing.
func TestShadow(t *testing.T) {
	s := DefaultSettings()
	links := s.Rules[RuleLinks]
	links.Shadow = true
	s.Rules[RuleLinks] = links
	c := newClock()
	e := newEngine(t, s, c)
	v := e.Check(linkMsg("bob"))
	d := v.Decision()
	if !d.Shadow || d.Action != chat.ActionModerate || d.Rule != RuleLinks || d.Penalty != "delete" {
		t.Errorf("shadow decision %+v; want a shadow moderate/links/delete", d)
	}
	if len(d.Replies) != 0 {
		t.Errorf("shadow decision posts %+v", d.Replies)
	}
	if got := e.Standing("bob", time.Time{}).Strikes; got != 0 {
		t.Errorf("shadow strikes: %d; want 0", got)
	}
	if err := e.SetShadow(RuleLinks, false); err != nil {
		t.Fatal(err)
	}
	c.advance(time.Minute)
	if v := e.Check(linkMsg("bob")); v.Shadow || len(v.Decision().Replies) != 1 {
		t.Errorf("after !shadow links off: %+v", v)
	}
	if err := e.SetShadow("nope", true); !errors.Is(err, ErrUnknownRule) {
		t.Errorf("SetShadow(nope): %v; want ErrUnknownRule", err)
	}
	if err := e.SetShadow(RuleCaps, true); !errors.Is(err, ErrRuleOff) {
		t.Errorf("SetShadow(caps) while caps is off: %v; want ErrRuleOff", err)
	}

	s.Shadow = true
	e = newEngine(t, s, c)
	if v := e.Check(linkMsg("bob")); !v.Shadow {
		t.Error("channel shadow: verdict not shadow")
	}
}

// TestExemptions: broadcaster and moderators always; VIPs from links by
// default; regulars when a rule lists them.
func TestExemptions(t *testing.T) {
	s := DefaultSettings()
	s.Regulars = []string{"Reggie"}
	links := s.Rules[RuleLinks]
	links.Exempt = append(links.Exempt, RoleRegular)
	s.Rules[RuleLinks] = links
	c := newClock()
	e := newEngine(t, s, c)
	for _, tt := range []struct {
		user  string
		roles chat.Roles
		want  bool
	}{
		{"streamer", chat.RoleBroadcaster, false},
		{"mod", chat.RoleModerator, false},
		{"vip", chat.RoleVIP, false},
		{"reggie", 0, false},
		{"sub", chat.RoleSubscriber, true},
		{"viewer", 0, true},
	} {
		m := linkMsg(tt.user)
		m.Roles = tt.roles
		if got := e.Check(m).Broke(); got != tt.want {
			t.Errorf("%s (%s): broke = %v; want %v", tt.user, tt.roles, got, tt.want)
		}
	}
}

// TestPermit: a permit lets links through for its time, then runs out.
func TestPermit(t *testing.T) {
	c := newClock()
	e := newEngine(t, DefaultSettings(), c)
	if d := e.Permit("Bob", 0, time.Time{}); d != time.Minute {
		t.Errorf("default permit %s; want 1m", d)
	}
	c.advance(30 * time.Second)
	if v := e.Check(linkMsg("bob")); v.Broke() {
		t.Errorf("with a permit: %s", v.Rule)
	}
	c.advance(31 * time.Second)
	if v := e.Check(linkMsg("bob")); !v.Broke() {
		t.Error("after the permit ran out: passed")
	}
	e.Permit("ann", 5*time.Minute, time.Time{})
	c.advance(4 * time.Minute)
	if v := e.Check(linkMsg("ann")); v.Broke() {
		t.Errorf("with a 5m permit after 4m: %s", v.Rule)
	}
}

// TestPardon clears strikes and keeps the user id for lifting a timeout.
func TestPardon(t *testing.T) {
	c := newClock()
	e := newEngine(t, DefaultSettings(), c)
	e.Check(linkMsg("bob"))
	st := e.Pardon("BOB", time.Time{})
	if st.Strikes != 1 || st.UserID != "uid-bob" || st.LastRule != RuleLinks {
		t.Errorf("pardon returned %+v", st)
	}
	if got := e.Standing("bob", time.Time{}).Strikes; got != 0 {
		t.Errorf("strikes after pardon: %d", got)
	}
}

// TestBlockUnblock: live banned-term edits take effect at once.
func TestBlockUnblock(t *testing.T) {
	c := newClock()
	e, err := New("mira", DefaultSettings(), Options{Now: c.now, Blocked: []string{"grapes"}})
	if err != nil {
		t.Fatal(err)
	}
	say := func(text string) string {
		c.advance(time.Minute)
		return e.Check(chat.Message{User: "viewer", Text: text}).Rule
	}
	if got := say("i like grapes"); got != RuleBannedTerms {
		t.Errorf("restored term: %q", got)
	}
	list, err := e.Block("pineapple pizza")
	if err != nil || len(list) != 2 {
		t.Fatalf("Block: %v %v", list, err)
	}
	if got := say("PINEAPPLE   PIZZA is great"); got != RuleBannedTerms {
		t.Errorf("blocked phrase: %q", got)
	}
	if _, err := e.Block("/[/"); err == nil {
		t.Error("Block accepted a bad regexp")
	}
	list, ok := e.Unblock("Pineapple Pizza")
	if !ok || len(list) != 1 || list[0] != "grapes" {
		t.Errorf("Unblock: %v %v", list, ok)
	}
	if got := say("pineapple pizza is great"); got != "" {
		t.Errorf("after unblock: %q", got)
	}
	if _, ok := e.Unblock("never there"); ok {
		t.Error("Unblock of an unknown term reported it removed")
	}
}

// TestValidate names the field of every problem.
func TestValidate(t *testing.T) {
	s := DefaultSettings()
	caps := s.Rules[RuleCaps]
	caps.Ratio = 1.5
	caps.Exempt = []Role{"moderator", "everyone"}
	s.Rules[RuleCaps] = caps
	bt := s.Rules[RuleBannedTerms]
	bt.Terms = []string{"ok", "/[unclosed/"}
	s.Rules[RuleBannedTerms] = bt
	fl := s.Rules[RuleFlood]
	fl.Window = 0
	s.Rules[RuleFlood] = fl
	links := s.Rules[RuleLinks]
	links.Allow = []string{"not a domain"}
	s.Rules[RuleLinks] = links
	s.Rules["capslock"] = RuleSettings{Severity: 1}
	sp := s.Rules[RuleSpam]
	sp.Severity = 9
	s.Rules[RuleSpam] = sp
	err := s.Validate()
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("Validate: %v", err)
	}
	fields := map[string]bool{}
	for _, p := range ve.Problems {
		fields[p.Field] = true
	}
	for _, f := range []string{"rules.caps.ratio", "rules.caps.exempt", "rules.banned_terms.terms[1]", "rules.flood.window", "rules.links.allow[0]", "rules.capslock", "rules.spam.severity"} {
		if !fields[f] {
			t.Errorf("no problem reported for %s; got %v", f, ve.Problems)
		}
	}
	if _, err := New("x", s, Options{}); err == nil {
		t.Error("New accepted invalid settings")
	}
}

func TestParseStep(t *testing.T) {
	for in, want := range map[string]string{
		"warn": "warn", "delete": "delete", "Timeout 60s": "timeout 60s", "timeout 600s": "timeout 10m",
		"ban": "ban", "delete+warn": "delete+warn", "timeout 1h + warn": "warn+timeout 1h",
	} {
		st, err := ParseStep(in)
		if err != nil || st.String() != want {
			t.Errorf("ParseStep(%q) = %v, %v; want %s", in, st, err, want)
		}
	}
	for _, bad := range []string{"", "kick", "timeout", "timeout soon", "timeout 0s", "timeout 400h", "ban+timeout 1m", "warn+"} {
		if _, err := ParseStep(bad); err == nil {
			t.Errorf("ParseStep(%q) accepted", bad)
		}
	}
}

// TestDevEmotesAreNotShouting: no emote name from the dev set's list, said
// three times, is caps, symbols or repetition with those rules on.
func TestDevEmotesAreNotShouting(t *testing.T) {
	dir := devDir(t)
	names := readLines(t, dir+"/emotes.txt")
	s := DefaultSettings()
	caps := s.Rules[RuleCaps]
	caps.Enabled = true
	s.Rules[RuleCaps] = caps
	s.Emotes = names
	c := newClock()
	e := newEngine(t, s, c)
	for i, name := range names {
		c.advance(time.Minute)
		text := name + " " + name + " " + name
		if v := e.Check(chat.Message{User: "viewer" + string(rune('a'+i%26)) + name, Text: text}); v.Broke() {
			t.Errorf("%q: %s (%s)", text, v.Rule, v.Detail)
		}
	}
}

// TestOutOfChatCostsNothing: once the engine has timed a chatter out,
// lines of theirs that were already on their way are recorded but cost
// no strike and no call to Twitch, unless the ladder asks for more; after
// a minute, or a !pardon, the chatter is judged as before.
func TestOutOfChatCostsNothing(t *testing.T) {
	c := newClock()
	e := newEngine(t, switched(false, RuleFlood), c)
	e.Check(linkMsg("bob"))
	c.advance(time.Minute)
	if v := e.Check(linkMsg("bob")); v.Step.String() != "timeout 60s" || len(v.Enforcements) != 1 {
		t.Fatalf("second offence: %s %+v; want a timeout", v.Step, v.Enforcements)
	}
	for range 3 {
		c.advance(2 * time.Second)
		v := e.Check(linkMsg("bob"))
		if !v.Broke() || len(v.Enforcements) != 0 || v.Reply != "" || !strings.Contains(v.Detail, "already out of chat") {
			t.Errorf("line in flight during the timeout: %+v; want it recorded, with no action", v)
		}
	}
	if st := e.Standing("bob", time.Time{}); st.Strikes != 2 {
		t.Errorf("strikes %d; want 2: lines in flight cost none", st.Strikes)
	}
	c.advance(15 * time.Second)
	if v := e.Check(linkMsg("bob")); v.Step.String() != "timeout 10m" || len(v.Enforcements) != 1 {
		t.Errorf("harsher step while out: %s %+v; want the 10-minute timeout carried out", v.Step, v.Enforcements)
	}
	e.Pardon("bob", time.Time{})
	c.advance(time.Second)
	if v := e.Check(linkMsg("bob")); v.Step.String() != "delete" || len(v.Enforcements) != 1 {
		t.Errorf("after !pardon: %s %+v; want a fresh delete", v.Step, v.Enforcements)
	}
}

// TestSetEmotes: fetched emote names are emotes from then on, and the
// settings' own names stay known when a fetch replaces the last one.
func TestSetEmotes(t *testing.T) {
	s := switched(true, RuleCaps)
	s.Emotes = []string{"MIRAOWN"}
	c := newClock()
	e := newEngine(t, s, c)
	wall := chat.Message{User: "fan", Text: "MIRAHYPE MIRALOVE MIRAWAVE MIRAOWN"}
	if v := e.Check(wall); v.Rule != RuleCaps {
		t.Fatalf("before the fetch: %s; want caps", v.Rule)
	}
	e.SetEmotes([]string{"MIRAHYPE", "MIRALOVE", "MIRAWAVE"})
	c.advance(time.Hour)
	if v := e.Check(wall); v.Broke() {
		t.Errorf("after the fetch: %s (%s); want the wall left alone", v.Rule, v.Detail)
	}
	e.SetEmotes([]string{"MIRAHYPE", "MIRALOVE", "MIRAWAVE", "MIRASTOMP"})
	c.advance(time.Hour)
	if v := e.Check(chat.Message{User: "fan", Text: "MIRAOWN MIRASTOMP MIRAHYPE MIRALOVE"}); v.Broke() {
		t.Errorf("the settings' own emote after a refresh: %s", v.Rule)
	}
}
