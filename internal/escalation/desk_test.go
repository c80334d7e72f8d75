package escalation_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatdesk/chatdesk/internal/chat"
	"github.com/chatdesk/chatdesk/internal/escalation"
)

// clock is a settable time source: the desk's tests never sleep.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// desk is a channel's desk with a pipeline around it shaped like the bot's:
// follow-up first, then commands, then (where the answer stage would be)
// nothing, then the escalation stage.
type desk struct {
	t     *testing.T
	clk   *clock
	store escalation.Store
	*escalation.Desk
	cmds map[string]chat.Command
	n    int
}

func defaultSettings() escalation.Settings {
	return escalation.Settings{
		FirstResponse: 10 * time.Minute, RemindEvery: 5 * time.Minute, ClaimLease: 15 * time.Minute,
		DeliveryExpiry: 24 * time.Hour, AwayAfter: 10 * time.Minute,
		CrowdViewers: 3, CrowdWithin: 5 * time.Minute, Mentions: true,
	}
}

func newDesk(t *testing.T, s escalation.Store, set escalation.Settings, learner escalation.Learner) *desk {
	t.Helper()
	clk := &clock{t: t0}
	names := []string{"chatdesk", "mira"}
	d := escalation.NewDesk(escalation.Config{
		Channel: "mira", Store: s, Settings: set, Names: names,
		Learner: learner, Now: clk.Now,
	})
	h := &desk{t: t, clk: clk, store: s, Desk: d, cmds: map[string]chat.Command{}}
	for _, c := range d.Commands() {
		h.cmds[c.Name] = c
	}
	return h
}

func (h *desk) message(user string, roles chat.Roles, text string) chat.Message {
	h.n++
	return chat.Message{
		ID: fmt.Sprintf("m%d", h.n), Channel: "mira", User: user, DisplayName: user, UserID: "id-" + user,
		Roles: roles, Text: text, Time: h.clk.Now(),
	}
}

// said runs one message through the pipeline.
func (h *desk) said(msg chat.Message) chat.Decision {
	ctx := context.Background()
	carried := h.FollowUp().Handle(ctx, msg)
	d := func() chat.Decision {
		if strings.HasPrefix(msg.Text, "!") {
			name, args, _ := strings.Cut(msg.Text[1:], " ")
			c, ok := h.cmds[name]
			if !ok {
				return chat.Decision{}
			}
			if c.Privileged && !msg.Roles.Privileged() {
				return chat.Decision{Action: chat.ActionCommand, Note: "not permitted"}
			}
			d := c.Run(ctx, msg, strings.TrimSpace(args))
			if d.Action == "" {
				d.Action = chat.ActionCommand
			}
			return d
		}
		return h.Handle(ctx, msg)
	}()
	d.Replies = append(carried.Replies, d.Replies...)
	return d
}

func (h *desk) viewer(user, text string) chat.Decision {
	return h.said(h.message(user, 0, text))
}

func (h *desk) mod(user, text string) chat.Decision {
	return h.said(h.message(user, chat.RoleModerator, text))
}

func (h *desk) ticket(n int64) escalation.Ticket {
	h.t.Helper()
	tk, err := h.store.Get(context.Background(), "mira", n)
	if err != nil {
		h.t.Fatal(err)
	}
	return tk
}

func texts(d chat.Decision) string {
	var out []string
	for _, r := range d.Replies {
		out = append(out, r.Text)
	}
	return strings.Join(out, " | ")
}

// wantReply checks that d has a reply containing each of parts.
func wantReply(t *testing.T, d chat.Decision, parts ...string) {
	t.Helper()
	all := texts(d)
	for _, p := range parts {
		if !strings.Contains(all, p) {
			t.Errorf("replies %q; want one with %q", all, p)
		}
	}
}

func TestAskClaimAnswerResolve(t *testing.T) {
	h := newDesk(t, openBolt(t), defaultSettings(), nil)

	d := h.viewer("ana", "!ask when is the next collab with otto?")
	if d.Action != chat.ActionEscalate || d.Ticket != "#1" || len(d.Replies) != 1 || d.Replies[0].ParentID != "m1" {
		t.Fatalf("!ask = %+v; want escalate #1 with a threaded reply", d)
	}
	wantReply(t, d, "a moderator will answer", "#1")

	h.clk.Advance(time.Minute)
	d = h.viewer("bob", "!ask collab with otto when?")
	wantReply(t, d, "+1", "2 viewers", "#1")
	d = h.viewer("bob", "!ask when's the otto collab")
	wantReply(t, d, "already", "#1")
	if tk := h.ticket(1); len(tk.Askers) != 2 || tk.Askers[1].MessageID != "m2" {
		t.Fatalf("askers %+v; want ana and bob (on m2)", tk.Askers)
	}

	d = h.mod("kim", "!tickets")
	wantReply(t, d, "1 open", "#1", "ana +1", "when is the next collab")

	d = h.mod("kim", "!claim 1")
	wantReply(t, d, "#1 is yours for 15m")
	d = h.mod("lee", "!claim #1")
	wantReply(t, d, "claimed by kim", "15m left")
	d = h.mod("lee", "!answer 1 Friday")
	wantReply(t, d, "claimed by kim")

	h.clk.Advance(2 * time.Minute)
	d = h.mod("kim", "!answer 1 Friday at 8pm CET, on Otto's channel")
	if len(d.Replies) != 3 {
		t.Fatalf("!answer replies %q; want a delivery to ana, one to bob, and a confirmation", texts(d))
	}
	if d.Replies[0].ParentID != "m1" || !strings.Contains(d.Replies[0].Text, "@ana") || !strings.Contains(d.Replies[0].Text, "Friday at 8pm") {
		t.Errorf("delivery to ana = %+v; want it threaded under her question m1", d.Replies[0])
	}
	if d.Replies[1].ParentID != "m2" || !strings.Contains(d.Replies[1].Text, "@bob") {
		t.Errorf("delivery to bob = %+v; want it threaded under m2", d.Replies[1])
	}
	wantReply(t, d, "#1 answered", "delivered to ana, bob")
	tk := h.ticket(1)
	if tk.State != escalation.StateAnswered || !tk.FirstResponseAt.Equal(t0.Add(3*time.Minute)) || len(tk.Owed()) != 0 {
		t.Fatalf("after !answer: %s, first response %v, owed %d; want answered at +3m, nothing owed", tk.State, tk.FirstResponseAt, len(tk.Owed()))
	}

	d = h.viewer("ana", "!ticket")
	wantReply(t, d, "#1", "kim answered", "Friday at 8pm")

	d = h.mod("kim", "!resolve 1")
	wantReply(t, d, "#1 resolved")
	d = h.mod("kim", "!resolve 1")
	wantReply(t, d, "can't resolve #1: it is resolved", "!reopen 1")
	d = h.mod("kim", "!reopen 1")
	wantReply(t, d, "#1 is open again")
	d = h.mod("kim", "!dismiss 1 otto cancelled")
	wantReply(t, d, "#1 dismissed (otto cancelled)")
	d = h.mod("kim", "!tickets")
	wantReply(t, d, "no open tickets")
	d = h.mod("kim", "!claim 7")
	wantReply(t, d, "there is no ticket #7")
	d = h.mod("kim", "!claim")
	wantReply(t, d, "usage: !claim")
	d = h.viewer("ana", "!ask")
	wantReply(t, d, "!ask <your question>")
}

func TestAnswerWaitsForAViewerWhoLeft(t *testing.T) {
	h := newDesk(t, openBolt(t), defaultSettings(), nil)
	h.viewer("ana", "!ask is the merch store open?")
	h.clk.Advance(30 * time.Minute) // ana has gone quiet
	h.viewer("bob", "!ask merch store open?")

	d := h.mod("kim", "!answer 1 yes, until Sunday")
	wantReply(t, d, "delivered to bob", "ana will get it when they're back")
	if strings.Contains(texts(d), "@ana") {
		t.Errorf("replies %q; ana is away and should not be pinged now", texts(d))
	}

	h.clk.Advance(time.Hour)
	d = h.viewer("ana", "back! what did I miss")
	if d.Acted() {
		t.Errorf("ana's message was acted on: %+v; the follow-up must let it through", d)
	}
	if len(d.Replies) != 1 || !strings.Contains(d.Replies[0].Text, "welcome back") || !strings.Contains(d.Replies[0].Text, "until Sunday") {
		t.Fatalf("ana's return: %q; want her answer", texts(d))
	}
	if d.Replies[0].ParentID != "m4" {
		t.Errorf("delivered under %q; want under what ana just said (m4)", d.Replies[0].ParentID)
	}
	if d = h.viewer("ana", "thanks!"); len(d.Replies) != 0 {
		t.Errorf("second message: %q; the answer is delivered once", texts(d))
	}
}

func TestAnswerExpiresForAViewerWhoNeverCameBack(t *testing.T) {
	h := newDesk(t, openBolt(t), defaultSettings(), nil)
	h.viewer("ana", "!ask is the merch store open?")
	h.clk.Advance(time.Hour)
	h.mod("kim", "!answer 1 yes")
	h.clk.Advance(25 * time.Hour)
	if d := h.viewer("ana", "hi again"); len(d.Replies) != 0 {
		t.Fatalf("after the expiry: %q; want nothing", texts(d))
	}
	if a, _ := h.ticket(1).Asker("ana"); a.ExpiredAt.IsZero() || !a.DeliveredAt.IsZero() {
		t.Errorf("ana = %+v; want the answer marked expired, not delivered", a)
	}
}

func TestEscalationStage(t *testing.T) {
	t.Run("a question that names the bot or the streamer", func(t *testing.T) {
		h := newDesk(t, openBolt(t), defaultSettings(), nil)
		for _, c := range []struct {
			user  string
			roles chat.Roles
			text  string
			want  string
		}{
			{"ana", 0, "@mira when is the next collab?", "#1"},
			{"bob", 0, "chatdesk, do you know the tournament bracket link?", "#2"},
			{"cy", 0, "@mira that was amazing", ""},
			{"dan", 0, "when is the tournament?", ""},
			{"eve", chat.RoleModerator, "@mira when do we start the raffle?", ""},
			{"fay", 0, "@otto when is your stream?", ""},
		} {
			d := h.said(h.message(c.user, c.roles, c.text))
			if d.Ticket != c.want {
				t.Errorf("%s: %q → ticket %q (%q); want %q", c.user, c.text, d.Ticket, texts(d), c.want)
			}
		}
		tk := h.ticket(1)
		if tk.Source != escalation.SourceMention || tk.Text != "@mira when is the next collab?" {
			t.Errorf("#1 = %s %q; want a mention with the viewer's words", tk.Source, tk.Text)
		}
	})
	t.Run("the pipeline's reading decides what a question is", func(t *testing.T) {
		h := newDesk(t, openBolt(t), defaultSettings(), nil)
		// Read as chat, a line the desk's own detector would call a
		// question is left alone; read as a question, one it would not
		// call one is escalated.
		msg := h.message("ana", 0, "@mira when is the next collab?")
		msg.Reading = chat.Reading{Lang: "en", Why: "statement"}
		if d := h.said(msg); d.Ticket != "" {
			t.Errorf("%q read as chat → ticket %q; want none", msg.Text, d.Ticket)
		}
		msg = h.message("bob", 0, "@mira that was amazing")
		msg.Reading = chat.Reading{Question: true, Lang: "en", Why: "request"}
		if d := h.said(msg); d.Ticket != "#1" {
			t.Errorf("%q read as a question → ticket %q (%q); want #1", msg.Text, d.Ticket, texts(d))
		}
	})
	t.Run("an unanswered question several viewers ask", func(t *testing.T) {
		h := newDesk(t, openBolt(t), defaultSettings(), nil)
		h.viewer("ana", "is there a discord server?")
		h.clk.Advance(time.Minute)
		h.viewer("bob", "discord server??")
		if d := h.viewer("bob", "is there a discord server"); d.Ticket != "" {
			t.Fatalf("bob asking twice filed %s", d.Ticket)
		}
		h.clk.Advance(time.Minute)
		d := h.viewer("cy", "anyone know if there's a discord server")
		if d.Ticket != "#1" {
			t.Fatalf("third viewer: %+v; want ticket #1", d)
		}
		wantReply(t, d, "@ana", "@bob", "good question", "#1")
		tk := h.ticket(1)
		if tk.Source != escalation.SourceCrowd || tk.AskerCount != 3 {
			t.Errorf("#1 = %s with %d askers; want crowd with 3", tk.Source, tk.AskerCount)
		}
		// The next viewer asking joins quietly.
		d = h.viewer("dan", "discord server?")
		if d.Ticket != "#1" || len(d.Replies) != 0 {
			t.Errorf("fourth viewer: %+v; want a quiet +1 on #1", d)
		}
	})
	t.Run("the crowd's window", func(t *testing.T) {
		h := newDesk(t, openBolt(t), defaultSettings(), nil)
		h.viewer("ana", "is there a discord server?")
		h.clk.Advance(4 * time.Minute)
		h.viewer("bob", "is there a discord server?")
		h.clk.Advance(2 * time.Minute)
		if d := h.viewer("cy", "is there a discord server?"); d.Ticket != "" {
			t.Fatalf("ana asked 6m ago, outside the 5m window, yet %s was filed", d.Ticket)
		}
	})
	t.Run("a viewer cannot flood the queue", func(t *testing.T) {
		h := newDesk(t, openBolt(t), defaultSettings(), nil)
		for i, q := range []string{"first thing", "second matter", "third issue"} {
			if d := h.viewer("ana", "!report "+q); d.Ticket != fmt.Sprintf("#%d", i+1) {
				t.Fatalf("report %d: %+v", i+1, d)
			}
		}
		d := h.viewer("ana", "!ask fourth question entirely")
		wantReply(t, d, "3 open tickets already", "#1, #2, #3")
		if tk := h.ticket(1); tk.Kind != escalation.KindComplaint {
			t.Errorf("!report filed a %s; want a complaint", tk.Kind)
		}
	})
}

func TestViewerSeesOnlyTheirTickets(t *testing.T) {
	h := newDesk(t, openBolt(t), defaultSettings(), nil)
	h.viewer("ana", "!ask when is the next collab?")
	d := h.viewer("bob", "!ticket 1")
	wantReply(t, d, "isn't one of your tickets")
	d = h.viewer("bob", "!ticket")
	wantReply(t, d, "no open tickets")
	d = h.viewer("ana", "!ticket 1")
	wantReply(t, d, "#1", "waiting for a moderator")
	h.mod("kim", "!claim 1")
	d = h.viewer("ana", "!ticket")
	wantReply(t, d, "kim is on it")
	d = h.mod("kim", "!ticket 1")
	wantReply(t, d, "#1 question", "claimed by kim", "ana")
}

func TestSLAReminders(t *testing.T) {
	ctx := context.Background()
	h := newDesk(t, openBolt(t), defaultSettings(), nil)
	h.viewer("ana", "!ask when is the next collab?")
	h.clk.Advance(time.Minute)
	h.viewer("bob", "!report someone is spamming links in whispers")

	tick := func() chat.Decision {
		t.Helper()
		d, err := h.Tick(ctx, h.clk.Now())
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	h.clk.Advance(5 * time.Minute)
	if d := tick(); len(d.Replies) != 0 {
		t.Fatalf("at +6m: %q; nothing is overdue yet", texts(d))
	}
	h.clk.Advance(4 * time.Minute) // +10m: #1 is due, #2 not yet
	d := tick()
	wantReply(t, d, "1 ticket waiting over 10m", "#1 10m", "!claim")
	if strings.Contains(texts(d), "#2") {
		t.Errorf("reminder %q names #2, which is not overdue", texts(d))
	}
	h.clk.Advance(time.Minute) // +11m: #2 due, but the channel heard a reminder a minute ago
	if d := tick(); len(d.Replies) != 0 {
		t.Fatalf("a minute after a reminder: %q; want quiet", texts(d))
	}
	h.clk.Advance(4 * time.Minute) // +15m
	d = tick()
	wantReply(t, d, "2 waiting", "#1 15m", "#2 14m")

	h.mod("kim", "!claim 1")
	h.mod("kim", "!answer 2 thanks, we're on it")
	h.clk.Advance(10 * time.Minute)
	if d := tick(); len(d.Replies) != 0 {
		t.Fatalf("claimed and answered tickets: %q; want no reminder", texts(d))
	}
	h.clk.Advance(10 * time.Minute) // kim's 15m claim on #1 lapsed
	d = tick()
	wantReply(t, d, "#1")
}

func TestSLARemindersOff(t *testing.T) {
	set := defaultSettings()
	set.FirstResponse = 0
	h := newDesk(t, openBolt(t), set, nil)
	h.viewer("ana", "!ask when is the next collab?")
	h.clk.Advance(24 * time.Hour)
	if d, err := h.Tick(context.Background(), h.clk.Now()); err != nil || len(d.Replies) != 0 {
		t.Fatalf("Tick = %q, %v; want nothing with reminders off", texts(d), err)
	}
}

func TestTicketsListFitsOneMessage(t *testing.T) {
	h := newDesk(t, openBolt(t), defaultSettings(), nil)
	topics := strings.Fields("merch discord collab schedule keyboard mouse headset camera chair desk monitor game song " +
		"playlist emotes raid subathon tournament bracket giveaway raffle vod clip editor overlay alerts bits hype train sponsor")
	for i, topic := range topics[:30] {
		h.viewer(fmt.Sprintf("viewer%d", i), fmt.Sprintf("!ask what is going on with the %s today?", topic))
	}
	d := h.mod("kim", "!tickets")
	text := texts(d)
	if n := len([]rune(text)); n > chat.MaxMessageRunes {
		t.Fatalf("!tickets is %d runes; want at most %d: %q", n, chat.MaxMessageRunes, text)
	}
	wantReply(t, d, "30 open, oldest first: #1", "more")
}

func TestDeskPicksUpAfterARestart(t *testing.T) {
	ctx := context.Background()
	s := openBolt(t)
	h := newDesk(t, s, defaultSettings(), nil)
	h.viewer("ana", "!ask when is the next collab?")
	h.clk.Advance(time.Hour)
	h.mod("kim", "!answer 1 Friday")

	// A new process: a new desk over the same store.
	h2 := newDesk(t, s, defaultSettings(), nil)
	h2.clk.Advance(2 * time.Hour)
	if err := h2.Load(ctx); err != nil {
		t.Fatal(err)
	}
	d := h2.viewer("ana", "hello again")
	wantReply(t, d, "Friday")
	d = h2.viewer("bob", "!ask when's the next collab")
	wantReply(t, d, "#1")
}

func TestTicketKeepsTheAskersLastLines(t *testing.T) {
	set := defaultSettings()
	set.ContextLines = 3
	h := newDesk(t, openBolt(t), set, nil)
	for _, line := range []string{"hi chat", "love this song", "bob: lol", "the merch page 404s for me", "just me?"} {
		h.viewer("ana", line)
		h.viewer("bob", "unrelated chatter")
	}
	h.viewer("ana", "!ask is the merch store down?")
	tk := h.ticket(1)
	var got []string
	for _, l := range tk.Context {
		got = append(got, l.Text)
	}
	if fmt.Sprint(got) != "[bob: lol the merch page 404s for me just me?]" {
		t.Errorf("context %q; want ana's last 3 lines before her question, and only hers", got)
	}
}
