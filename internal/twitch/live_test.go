package twitch_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/chatdesk/chatdesk/internal/chat"
	"github.com/chatdesk/chatdesk/internal/router"
	"github.com/chatdesk/chatdesk/internal/twitch"
	"github.com/chatdesk/chatdesk/internal/twitch/twitchtest"
)

const testToken = "t0ps3cr3t"

// rig is a bot on Twitch against fake servers, with its router.
type rig struct {
	t      *testing.T
	irc    *twitchtest.IRC
	helix  *twitchtest.Helix
	clock  *twitchtest.Clock
	dial   *twitchtest.Clock // the reconnect back-off's, kept apart so tests can move it alone
	auth   *twitchtest.Clock // the token source's validation and file polling
	file   string            // the token file, with renew
	live   *twitch.Live
	logs   *twitchtest.Log
	cancel context.CancelFunc
	done   chan error
}

type rigOptions struct {
	channels []string
	stages   []router.Stage
	cfg      func(*twitch.LiveConfig)
	noRouter bool
	badges   map[string]string // the bot's badges per channel
	ircToken string            // the only token the chat server takes, if set
	// renew gives the bot a refresh token, kept in a token file, and makes
	// the chat server take what the fake Helix takes, so a token expires
	// or is renewed for both at once.
	renew bool
	// quietRefusal: the chat server hangs up on a refused login without
	// a word.
	quietRefusal bool
}

func startRig(t *testing.T, o rigOptions) *rig {
	t.Helper()
	if len(o.channels) == 0 {
		o.channels = []string{"mira"}
	}
	r := &rig{t: t, irc: twitchtest.NewIRC(t), helix: twitchtest.NewHelix(t, testToken, "deskbot"), dial: twitchtest.NewClock(time.Date(2025, 5, 1, 18, 0, 0, 0, time.UTC)),
		clock: twitchtest.NewClock(time.Date(2025, 5, 1, 18, 0, 0, 0, time.UTC)), logs: &twitchtest.Log{},
		auth: twitchtest.NewClock(time.Date(2025, 5, 1, 18, 0, 0, 0, time.UTC))}
	log := slog.New(slog.NewTextHandler(r.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var tokens *twitch.TokenSource
	if o.renew {
		r.file = filepath.Join(t.TempDir(), twitch.TokenFileName)
		tok := twitch.Token{AccessToken: testToken, RefreshToken: twitchtest.RefreshToken, Login: "deskbot", ClientID: "test-client"}
		if err := twitch.WriteTokenFile(r.file, tok); err != nil {
			t.Fatal(err)
		}
		tokens = twitch.NewTokenSource(twitch.TokenSourceConfig{AuthURL: r.helix.AuthURL(), Token: tok, File: r.file, Clock: r.auth, Log: log})
		r.irc.Accepts = r.helix.Accepts
	}
	h, err := twitch.NewHelix(twitch.HelixConfig{APIURL: r.helix.APIURL(), AuthURL: r.helix.AuthURL(), Token: testToken, Tokens: tokens, Clock: r.clock, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	r.irc.Token = o.ircToken
	r.irc.QuietRefusal = o.quietRefusal
	ctx, cancel := context.WithCancel(context.Background())
	acct, err := twitch.Preflight(ctx, h, "deskbot", o.channels, twitch.LoginScopes(true))
	if err != nil {
		t.Fatalf("Preflight: %v", err)
	}
	cfg := twitch.LiveConfig{
		IRC:        twitch.IRCConfig{Address: r.irc.Addr(), TLS: false, Username: "deskbot", Token: testToken, Channels: o.channels, Clock: r.dial},
		Helix:      h,
		ChannelIDs: acct.ChannelIDs,
		Clock:      r.clock,
		Log:        log,
	}
	if o.cfg != nil {
		o.cfg(&cfg)
	}
	r.live = twitch.NewLive(cfg)
	for ch, badges := range o.badges {
		r.irc.SetBadges(ch, badges)
	}
	r.cancel = cancel
	r.done = make(chan error, 1)
	var routerDone chan struct{}
	if !o.noRouter {
		pipes := map[string]*router.Pipeline{}
		for _, ch := range o.channels {
			pipes[ch] = &router.Pipeline{Stages: o.stages}
		}
		rt := router.NewRouter(pipes, r.live.Sink(), log)
		routerDone = make(chan struct{})
		go func() {
			defer close(routerDone)
			rt.Run(ctx, r.live.Messages())
		}()
	}
	go func() { r.done <- r.live.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		r.stop()
		if routerDone != nil {
			<-routerDone
		}
		for _, secret := range append(r.helix.Issued(), testToken, twitchtest.RefreshToken) {
			if strings.Contains(r.logs.String(), secret) {
				t.Errorf("a token appears in the log:\n%s", r.logs)
				break
			}
		}
	})
	return r
}

// stop cancels the bot and moves the clock until Run returns.
func (r *rig) stop() error {
	r.cancel()
	for {
		select {
		case err := <-r.done:
			r.done <- err
			return err
		case <-r.clock.TimerAdded():
			r.clock.AdvanceToNext()
		case <-time.After(10 * time.Millisecond):
			// A timer whose start was already noticed may still wait.
			r.clock.AdvanceToNext()
			r.dial.AdvanceToNext()
		}
	}
}

// waitLog waits until the log has a line containing s. It polls: the
// bot's goroutines need real time to run, though no time passes for it.
func (r *rig) waitLog(s string) {
	r.t.Helper()
	for i := 0; i < 1000; i++ {
		if strings.Contains(r.logs.String(), s) {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	r.t.Fatalf("no %q in the log within 5s:\n%s", s, r.logs)
}

// echo replies to every message that ends in "?" with a fixed answer.
func echo(answer string) router.Stage {
	return router.StageFunc(func(_ context.Context, m chat.Message) chat.Decision {
		if len(m.Text) == 0 || m.Text[len(m.Text)-1] != '?' {
			return chat.Decision{}
		}
		return chat.Decision{Action: chat.ActionAnswer, Replies: []chat.Reply{{Text: answer, ParentID: m.ID, Priority: chat.PriorityAnswer}}}
	})
}

func TestLiveThreadedReply(t *testing.T) {
	r := startRig(t, rigOptions{stages: []router.Stage{echo("Tue, Thu & Sat at 18:00")}})
	c := r.irc.NextLogin(1)
	if got := c.Nick(); got != "deskbot" {
		t.Errorf("NICK %q; want deskbot", got)
	}
	c.Say(twitchtest.Chat{Channel: "mira", ID: "0e4b4c4c-1", User: "ana", Text: "when do you stream?"})
	line := c.Next("PRIVMSG")
	if got, want := line, "@reply-parent-msg-id=0e4b4c4c-1 PRIVMSG #mira :Tue, Thu & Sat at 18:00"; got != want {
		t.Errorf("bot sent %q; want %q", got, want)
	}
}

// TestLiveRoles: the badges on a message decide who is a moderator; typing
// a moderator's command does not make a viewer one.
func TestLiveRoles(t *testing.T) {
	answer := chat.Command{Name: "answer", Usage: "!answer <ticket> <text>", Privileged: true,
		Run: func(_ context.Context, m chat.Message, args string) chat.Decision {
			return chat.Decision{Replies: []chat.Reply{{Text: "answered by " + m.User + " (" + m.Roles.String() + ")", ParentID: m.ID, Priority: chat.PriorityTicket}}}
		}}
	r := startRig(t, rigOptions{stages: []router.Stage{router.NewCommands(answer)}})
	c := r.irc.NextLogin(1)
	c.Say(twitchtest.Chat{Channel: "mira", ID: "m1", User: "pretender", Badges: "subscriber/12,premium/1", Text: "!answer 1 the bot is broken"})
	c.Say(twitchtest.Chat{Channel: "mira", ID: "m2", User: "kim", Badges: "moderator/1", Text: "!answer 1 yes, Sundays too"})
	c.Say(twitchtest.Chat{Channel: "mira", ID: "m3", User: "lea", Badges: "lead_moderator/1", Text: "!answer 2 ok"})
	c.Say(twitchtest.Chat{Channel: "mira", ID: "m4", User: "mira", Badges: "broadcaster/1", Text: "!answer 3 ok"})
	want := []string{
		"@reply-parent-msg-id=m2 PRIVMSG #mira :answered by kim (moderator)",
		"@reply-parent-msg-id=m3 PRIVMSG #mira :answered by lea (moderator)",
		"@reply-parent-msg-id=m4 PRIVMSG #mira :answered by mira (broadcaster)",
	}
	for _, w := range want {
		// The channel's one-second pacing holds each reply back; the
		// clock is moved on for it.
		if got := r.nextPrivmsg(c); got != w {
			t.Errorf("bot sent %q; want %q", got, w)
		}
	}
}

// nextPrivmsg returns the next PRIVMSG the client sends, moving the clock
// on whenever the bot waits on it (the pacing between messages).
func (r *rig) nextPrivmsg(c *twitchtest.Conn) string {
	r.t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case l, ok := <-c.Lines():
			if !ok {
				r.t.Fatal("connection closed while waiting for a PRIVMSG")
			}
			if strings.HasPrefix(twitchtest.Command(l), "PRIVMSG") {
				return l
			}
		case <-r.clock.TimerAdded():
			r.clock.AdvanceToLast()
		case <-deadline:
			r.t.Fatalf("no PRIVMSG from the bot within 10s; status %+v\n%s", r.live.Status(), r.logs)
		}
	}
}

// waitLogin waits for the bot to log in again, moving the back-off clock
// whenever the bot waits on it. It returns the connection and how long the
// bot waited, by its clock, since the call.
func (r *rig) waitLogin(channels int) (*twitchtest.Conn, time.Duration) {
	r.t.Helper()
	start := r.dial.Now()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case c := <-r.irc.Accepted():
			c.WaitJoined(channels)
			c.Sync()
			return c, r.dial.Now().Sub(start)
		case <-r.dial.TimerAdded():
			r.dial.AdvanceToLast()
		case <-deadline:
			r.t.Fatal("the bot did not log in again within 10s")
			return nil, 0
		}
	}
}

// answerWithID replies to every message, naming it: Twitch would drop the
// same text twice within 30 s.
var answerWithID = router.StageFunc(func(_ context.Context, m chat.Message) chat.Decision {
	return chat.Decision{Action: chat.ActionAnswer, Replies: []chat.Reply{{Text: "an answer to " + m.ID, ParentID: m.ID, Priority: chat.PriorityAnswer}}}
})

func TestLiveReconnects(t *testing.T) {
	r := startRig(t, rigOptions{channels: []string{"mira", "sam"}, stages: []router.Stage{answerWithID}})
	c := r.irc.NextLogin(2)
	c.Sync()
	if st := r.live.Status(); !st.Connected || st.Connects != 1 || !st.Channels[0].Joined || !st.Channels[1].Joined {
		t.Fatalf("status after login %+v; want connected once, both channels joined", st)
	}

	// Each drop is followed by a pause, doubling (less jitter) each time:
	// [0.5s, 1s), then [1s, 2s), then [2s, 4s).
	bounds := [][2]time.Duration{{500 * time.Millisecond, time.Second}, {time.Second, 2 * time.Second}, {2 * time.Second, 4 * time.Second}}
	for i, b := range bounds {
		var waited time.Duration
		if i == 2 {
			// Twitch's RECONNECT: the server is going away.
			c.Send(":tmi.twitch.tv RECONNECT")
		} else {
			c.Drop()
		}
		c, waited = r.waitLogin(2)
		if waited < b[0] || waited >= b[1] {
			t.Errorf("reconnect %d after %v; want a pause in [%v, %v)", i+1, waited, b[0], b[1])
		}
		// Every channel is rejoined and chat works on the new connection.
		for _, ch := range []string{"mira", "sam"} {
			c.Say(twitchtest.Chat{Channel: ch, ID: fmt.Sprintf("q%d-%s", i, ch), User: "ana", Text: "still there?"})
			if got, want := r.nextPrivmsg(c), fmt.Sprintf("@reply-parent-msg-id=q%d-%s PRIVMSG #%s :an answer to q%d-%s", i, ch, ch, i, ch); got != want {
				t.Errorf("after reconnect %d: bot sent %q; want %q", i+1, got, want)
			}
		}
	}
	if st := r.live.Status(); st.Connects != 4 || !st.Connected {
		t.Errorf("status %+v; want connected, 4 logins", st)
	}
	if !strings.Contains(r.logs.String(), "twitch asked the bot to reconnect") {
		t.Errorf("the RECONNECT was not logged:\n%s", r.logs)
	}
}

func TestLiveBackoffResetsAfterAStableConnection(t *testing.T) {
	r := startRig(t, rigOptions{stages: []router.Stage{echo("x")}})
	c := r.irc.NextLogin(1)
	for range 3 {
		c.Drop()
		c, _ = r.waitLogin(1)
	}
	r.dial.Advance(2 * time.Minute) // the connection has now lasted a while
	c.Drop()
	if _, waited := r.waitLogin(1); waited >= time.Second {
		t.Errorf("after a stable connection the bot waited %v; want the first step again (under 1s)", waited)
	}
}

func TestLiveLoginRefused(t *testing.T) {
	r := startRig(t, rigOptions{ircToken: "some-other-token"})
	deadline := time.After(10 * time.Second)
	for {
		select {
		case err := <-r.done:
			r.done <- err
			if !errors.Is(err, twitch.ErrLoginFailed) {
				t.Errorf("Run = %v; want ErrLoginFailed", err)
			}
			if n := r.irc.Logins(); n != 0 {
				t.Errorf("%d logins; want none", n)
			}
			return
		case <-r.dial.TimerAdded():
			// It may take another try to be sure (see IRC.Run).
			r.dial.AdvanceToLast()
		case <-deadline:
			t.Fatal("Run still going after a refused login")
		}
	}
}

func TestLiveKeepsTwitchRateLimits(t *testing.T) {
	tests := []struct {
		name     string
		channels []string
		badges   string
		limit    int
	}{
		{"viewer in five channels", []string{"c0", "c1", "c2", "c3", "c4"}, "", 20},
		{"moderator in five channels", []string{"c0", "c1", "c2", "c3", "c4"}, "moderator/1", 100},
		{"broadcaster of one channel", []string{"deskbot"}, "broadcaster/1", 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			var posts []chat.Posted
			badges := map[string]string{}
			for _, ch := range tt.channels {
				badges[ch] = tt.badges
			}
			r := startRig(t, rigOptions{channels: tt.channels, noRouter: true, badges: badges, cfg: func(c *twitch.LiveConfig) {
				c.Sender.OnPost = func(p chat.Posted) {
					mu.Lock()
					posts = append(posts, p)
					mu.Unlock()
				}
			}})
			c := r.irc.NextLogin(len(tt.channels))
			c.Sync()
			const total = 150
			for i := range total {
				ch := tt.channels[i%len(tt.channels)]
				msg := chat.Message{Channel: ch, ID: fmt.Sprint("m", i), User: "viewer"}
				d := chat.Decision{Action: chat.ActionEscalate, Replies: []chat.Reply{{Text: fmt.Sprint("ticket answer ", i), ParentID: msg.ID, Priority: chat.PriorityTicket}}}
				if err := r.live.Sink().Deliver(context.Background(), msg, d); err != nil {
					t.Fatal(err)
				}
			}
			next := map[string]int{}
			for range total {
				line := r.nextPrivmsg(c)
				var i int
				fmt.Sscanf(twitchtest.Text(line), "ticket answer %d", &i)
				ch := strings.TrimPrefix(strings.Fields(twitchtest.Command(line))[1], "#")
				if i < next[ch] || twitchtest.Tag(line, "reply-parent-msg-id") != fmt.Sprint("m", i) {
					t.Errorf("out of order or unthreaded: %q", line)
				}
				next[ch] = i
			}
			mu.Lock()
			defer mu.Unlock()
			if len(posts) != total {
				t.Fatalf("posted %d; want %d", len(posts), total)
			}
			for i, p := range posts {
				n := 0
				for _, q := range posts[i:] {
					if q.At.Sub(p.At) < 30*time.Second {
						n++
					}
				}
				if n > tt.limit {
					t.Fatalf("%d messages in the 30 s from %v; want at most %d", n, p.At, tt.limit)
				}
			}
			last := map[string]time.Time{}
			for _, p := range posts {
				if l, ok := last[p.Channel]; ok && p.At.Sub(l) < time.Second {
					t.Errorf("#%s: two messages %v apart; want at least 1s", p.Channel, p.At.Sub(l))
				}
				last[p.Channel] = p.At
			}
		})
	}
}

// TestLiveOutgoingTextIsSafe: whatever a stage puts in a reply — a viewer's
// words quoted back, a command — reaches the wire as one harmless PRIVMSG.
func TestLiveOutgoingTextIsSafe(t *testing.T) {
	r := startRig(t, rigOptions{noRouter: true})
	c := r.irc.NextLogin(1)
	c.Sync()
	msg := chat.Message{Channel: "mira", ID: "abc-1", User: "troll", UserID: "42"}
	replies := []string{
		"You asked: \"hi\r\nPART #mira\"",
		"quote\nPRIVMSG #mira :/ban someone",
		"/ban someone",
		".timeout someone 600",
		" \t/me dances",
		"nul\x00byte and\u2028line separator",
	}
	for _, text := range replies {
		d := chat.Decision{Action: chat.ActionCommand, Replies: []chat.Reply{{Text: text, ParentID: msg.ID, Priority: chat.PriorityCommand}}}
		if err := r.live.Sink().Deliver(context.Background(), msg, d); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	for range replies {
		got = append(got, r.nextPrivmsg(c))
	}
	c.Sync()
	for {
		select {
		case l := <-c.Lines():
			if !strings.HasPrefix(twitchtest.Command(l), "PONG") {
				got = append(got, l)
			}
			continue
		default:
		}
		break
	}
	if len(got) != len(replies) {
		t.Errorf("the bot sent %d lines for %d replies: %q", len(got), len(replies), got)
	}
	for _, l := range got {
		if !strings.HasPrefix(l, "@reply-parent-msg-id=abc-1 PRIVMSG #mira :") {
			t.Errorf("line %q is not the threaded PRIVMSG it should be", l)
			continue
		}
		text := twitchtest.Text(l)
		if text == "" || text[0] == '/' || text[0] == '.' || strings.ContainsAny(text, "\x00\u2028") {
			t.Errorf("reply text %q", text)
		}
	}
}

func TestLiveSplitsLongAnswers(t *testing.T) {
	r := startRig(t, rigOptions{noRouter: true})
	c := r.irc.NextLogin(1)
	c.Sync()
	var b strings.Builder
	for i := 0; b.Len() < 1300; i++ {
		fmt.Fprintf(&b, "step%d ", i)
	}
	long := b.String()[:1199] + "."
	if n := utf8.RuneCountInString(long); n != 1200 {
		t.Fatalf("test answer has %d characters", n)
	}
	msg := chat.Message{Channel: "mira", ID: "q-1", User: "ana"}
	d := chat.Decision{Action: chat.ActionEscalate, Replies: []chat.Reply{{Text: long, ParentID: msg.ID, Priority: chat.PriorityTicket}}}
	if err := r.live.Sink().Deliver(context.Background(), msg, d); err != nil {
		t.Fatal(err)
	}
	var parts []string
	for range 3 {
		l := r.nextPrivmsg(c)
		if twitchtest.Tag(l, "reply-parent-msg-id") != "q-1" {
			t.Errorf("part %q is not threaded under q-1", l)
		}
		text := twitchtest.Text(l)
		if n := utf8.RuneCountInString(text); n == 0 || n > 500 {
			t.Errorf("part of %d characters; want 1..500", n)
		}
		if !utf8.ValidString(text) || text[0] == '/' || text[0] == '.' {
			t.Errorf("part %q is not a valid chat message", text)
		}
		parts = append(parts, text)
	}
	if got := strings.Join(parts, " "); got != long {
		t.Errorf("the parts do not add up to the answer:\n%q\n%q", got, long)
	}
}

// shutdown cancels the bot and waits until it has begun shutting down:
// the flush deadline set, beside the sender's timer for its next message.
func (r *rig) shutdown() {
	r.t.Helper()
	r.cancel()
	r.waitLog("shutting down: posting what is queued")
	for i := 0; r.clock.Waiting() < 2; i++ {
		if i == 5000 {
			r.t.Fatalf("%d timers wait; want the sender's and the flush deadline", r.clock.Waiting())
		}
		time.Sleep(time.Millisecond)
	}
	select {
	case <-r.clock.TimerAdded():
	default:
	}
}

// stepUntilLine returns the next line the client sends that starts with
// prefix (after tags). Each time the sender starts waiting for its next
// slot, the clock is moved on a second, so the one-second pacing passes
// without anyone waiting for it.
func (r *rig) stepUntilLine(c *twitchtest.Conn, prefix string) string {
	r.t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case l, ok := <-c.Lines():
			if !ok {
				r.t.Fatalf("connection closed while waiting for %q", prefix)
			}
			if strings.HasPrefix(twitchtest.Command(l), prefix) {
				return l
			}
		case <-r.clock.TimerAdded():
			r.clock.Advance(time.Second)
		case <-deadline:
			r.t.Fatalf("no %q line within 10s", prefix)
		}
	}
}

// queueTickets has the bot owe n ticket answers in #mira, and waits for the
// first to go out; the rest wait for the channel's pacing.
func (r *rig) queueTickets(c *twitchtest.Conn, n int) {
	r.t.Helper()
	msg := chat.Message{Channel: "mira", ID: "q-1", User: "ana"}
	for i := range n {
		d := chat.Decision{Action: chat.ActionEscalate, Replies: []chat.Reply{{Text: fmt.Sprint("ticket answer ", i), Priority: chat.PriorityTicket}}}
		if err := r.live.Sink().Deliver(context.Background(), msg, d); err != nil {
			r.t.Fatal(err)
		}
	}
	if l := c.Next("PRIVMSG"); twitchtest.Text(l) != "ticket answer 0" {
		r.t.Fatalf("first line %q", l)
	}
}

// TestLiveShutdownFlushes: on shutdown the bot stops reading, posts what is
// queued, leaves its channels, and returns nil.
func TestLiveShutdownFlushes(t *testing.T) {
	r := startRig(t, rigOptions{noRouter: true})
	c := r.irc.NextLogin(1)
	c.Sync()
	r.queueTickets(c, 3)
	r.shutdown()
	r.clock.Advance(time.Second)
	for _, want := range []string{"PRIVMSG #mira :ticket answer 1", "PRIVMSG #mira :ticket answer 2"} {
		if got := r.stepUntilLine(c, "PRIVMSG"); got != want {
			t.Errorf("while shutting down the bot sent %q; want %q", got, want)
		}
	}
	if got := c.Next("PART"); got != "PART #mira" {
		t.Errorf("bot sent %q; want PART #mira", got)
	}
	select {
	case err := <-r.done:
		r.done <- err
		if err != nil {
			t.Errorf("Run = %v; want nil after a clean shutdown", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after leaving the channels")
	}
}

func TestLiveShutdownGivesUpAfterFlushTimeout(t *testing.T) {
	r := startRig(t, rigOptions{noRouter: true})
	c := r.irc.NextLogin(1)
	c.Sync()
	r.queueTickets(c, 20)
	r.shutdown()
	r.clock.Advance(time.Second)
	// One a second at +1s … +4s; at +5s the flush is over.
	for i := 1; i <= 4; i++ {
		if got, want := r.stepUntilLine(c, "PRIVMSG"), fmt.Sprint("PRIVMSG #mira :ticket answer ", i); got != want {
			t.Errorf("while shutting down the bot sent %q; want %q", got, want)
		}
	}
	if got := r.stepUntilLine(c, ""); got != "PART #mira" {
		t.Errorf("after the flush timeout the bot sent %q; want PART #mira", got)
	}
	if err := r.stop(); err != nil {
		t.Errorf("Run = %v; want nil", err)
	}
	if !strings.Contains(r.logs.String(), "messages not sent in time were dropped\" dropped=15") {
		t.Errorf("the dropped rest was not logged:\n%s", r.logs)
	}
}

func TestLiveWarnsWhereNotModerator(t *testing.T) {
	r := startRig(t, rigOptions{channels: []string{"mira", "sam"}, badges: map[string]string{"mira": "moderator/1"}})
	c := r.irc.NextLogin(2)
	c.Sync()
	logs := r.logs.String()
	if !regexpMatch(`level=WARN msg="the bot is not a moderator here[^"]*/mod deskbot[^"]*" channel=sam`, logs) {
		t.Errorf("no warning for #sam, where the bot is not a moderator:\n%s", logs)
	}
	if strings.Contains(logs, `not a moderator here: it cannot delete, warn, time out or ban, and may post only 20 messages per 30 s; the broadcaster can fix it by typing /mod deskbot in chat" channel=mira`) {
		t.Errorf("a warning for #mira, where the bot is a moderator:\n%s", logs)
	}
	st := r.live.Status()
	if !st.Channels[0].Moderator || st.Channels[1].Moderator {
		t.Errorf("channels %+v; want moderator in mira only", st.Channels)
	}
}

func regexpMatch(re, s string) bool { return regexp.MustCompile(re).MatchString(s) }

func TestLiveNotices(t *testing.T) {
	r := startRig(t, rigOptions{channels: []string{"mira", "sam"}, noRouter: true})
	c := r.irc.NextLogin(2)
	c.Sync()
	c.Send("@msg-id=msg_ratelimit :tmi.twitch.tv NOTICE #mira :Your message was not sent because you are sending messages too quickly.")
	c.Send("@msg-id=msg_banned :tmi.twitch.tv NOTICE #sam :You are permanently banned from talking in sam.")
	c.Sync()
	if st := r.live.Status().Send; st.RateLimited != 1 {
		t.Errorf("sender stats %+v; want the rate-limit notice counted", st)
	}
	// Banned in #sam: what is queued for it is dropped, not kept forever.
	r.live.Sink().Deliver(context.Background(), chat.Message{Channel: "sam", ID: "x"}, chat.Decision{Replies: []chat.Reply{{Text: "hello", Priority: chat.PriorityTicket}}})
	if !strings.Contains(r.logs.String(), "the bot cannot speak in this channel") {
		t.Errorf("the ban was not logged:\n%s", r.logs)
	}
}

// TestLiveReaderNeverBlocks: with nobody reading chat messages, the
// connection drops the overflow and keeps answering the server.
func TestLiveReaderNeverBlocks(t *testing.T) {
	r := startRig(t, rigOptions{noRouter: true, cfg: func(c *twitch.LiveConfig) { c.IRC.QueueSize = 2 }})
	c := r.irc.NextLogin(1)
	for i := range 10 {
		c.Say(twitchtest.Chat{Channel: "mira", ID: fmt.Sprint("m", i), User: "ana", Text: "hi"})
	}
	c.Sync() // the PONG comes back: the reader was not stuck
	if got := r.live.Status().Dropped; got != 8 {
		t.Errorf("dropped %d; want 8 (10 sent, room for 2)", got)
	}
	if !strings.Contains(r.logs.String(), "chat message dropped") {
		t.Errorf("the overflow was not logged:\n%s", r.logs)
	}
}
