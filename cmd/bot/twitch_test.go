package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chatdesk/chatdesk/internal/answer"
	"github.com/chatdesk/chatdesk/internal/chat"
	"github.com/chatdesk/chatdesk/internal/router"
	"github.com/chatdesk/chatdesk/internal/twitch"
	"github.com/chatdesk/chatdesk/internal/twitch/twitchtest"
)

// liveToken is the bot's token in these tests; it must never be printed.
const liveToken = "s3cr3t-l1ve-t0k3n"

// liveBot is `bot run` going live against an in-process Twitch: a fake chat
// server, a fake Helix, and clocks the test moves.
type liveBot struct {
	t      testing.TB
	irc    *twitchtest.IRC
	helix  *twitchtest.Helix
	clock  *twitchtest.Clock // sending and the shutdown flush
	dial   *twitchtest.Clock // reconnect back-off
	auth   *twitchtest.Clock // the token's validation and renewal
	config string            // the config file's path
	stderr *twitchtest.Log
	cancel context.CancelFunc
	done   chan error
}

type liveOptions struct {
	channels []string
	// token is the one the bot is given; the fakes accept liveToken.
	token string
	// ircToken, when set, is the only token the chat server accepts.
	ircToken string
	// scopes of the token; nil means all chatdesk asks for.
	scopes   []string
	logLevel string
	onPost   func(chat.Posted)
	observe  router.Observer
	stderr   io.Writer
	// moderation is a top-level moderation section, as YAML.
	moderation string
	// tokenFile puts the token in the file bot login writes under
	// bot.data_dir, and none in the environment.
	tokenFile bool
	// refreshEnv puts the refresh token in CHATDESK_TWITCH_REFRESH_TOKEN.
	refreshEnv bool
	// renew makes the chat server take what the fake Helix takes, so a
	// token expires or is renewed for both at once.
	renew bool
}

// startLive writes a config pointing at the fakes and runs the bot through
// run, as main does, with the token in the environment.
func startLive(t testing.TB, o liveOptions) *liveBot {
	t.Helper()
	if len(o.channels) == 0 {
		o.channels = []string{"mira"}
	}
	if o.token == "" {
		o.token = liveToken
	}
	if o.logLevel == "" {
		o.logLevel = "debug"
	}
	start := time.Date(2025, 5, 1, 18, 0, 0, 0, time.UTC)
	b := &liveBot{t: t, irc: twitchtest.NewIRC(t), helix: twitchtest.NewHelix(t, liveToken, "deskbot"),
		clock: twitchtest.NewClock(start), dial: twitchtest.NewClock(start), auth: twitchtest.NewClock(start), stderr: &twitchtest.Log{}, done: make(chan error, 1)}
	b.irc.Token = o.ircToken
	if o.renew {
		b.irc.Accepts = b.helix.Accepts
	}
	if o.scopes != nil {
		b.helix.SetScopes(o.scopes...)
	}
	demo, err := filepath.Abs("../../faq/demo.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dataDir := t.TempDir()
	var chans strings.Builder
	for _, ch := range o.channels {
		fmt.Fprintf(&chans, "  - name: %s\n    faq: [%q]\n", ch, demo)
	}
	cfg := fmt.Sprintf(`bot:
  name: deskbot
  log_level: %s
  data_dir: %q
%s
answer:
  reload_interval: 0s
channels:
%stwitch:
  username: deskbot
  irc_address: %s
  tls: false
  api_url: %s
  auth_url: %s
http:
  addr: 127.0.0.1:0
`, o.logLevel, dataDir, o.moderation, chans.String(), b.irc.Addr(), b.helix.APIURL(), b.helix.AuthURL())
	path := filepath.Join(t.TempDir(), "config.yaml")
	b.config = path
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); strings.HasPrefix(name, "CHATDESK_") && !strings.HasPrefix(name, "CHATDESK_TEST_") {
			t.Setenv(name, "")
			os.Unsetenv(name)
		}
	}
	t.Setenv("CHATDESK_TWITCH_TOKEN", o.token)
	if o.tokenFile {
		t.Setenv("CHATDESK_TWITCH_TOKEN", "")
		tok := twitch.Token{AccessToken: o.token, RefreshToken: twitchtest.RefreshToken, Login: "deskbot", ClientID: "test-client", Scopes: twitchtest.AllScopes}
		if err := twitch.WriteTokenFile(twitch.TokenFile(dataDir), tok); err != nil {
			t.Fatal(err)
		}
	}
	if o.refreshEnv {
		t.Setenv("CHATDESK_TWITCH_REFRESH_TOKEN", twitchtest.RefreshToken)
	}

	var stderr io.Writer = b.stderr
	if o.stderr != nil {
		stderr = o.stderr
	}
	ctx, cancel := context.WithCancel(context.Background())
	b.cancel = cancel
	a := &app{env: os.Environ(), stdin: strings.NewReader(""), stdout: io.Discard, stderr: stderr,
		hooks: liveHooks{clock: b.clock, dial: b.dial, auth: b.auth, onPost: o.onPost, observe: o.observe}}
	go func() {
		b.done <- a.execute(ctx, []string{"run", "--config", path})
	}()
	t.Cleanup(func() {
		b.stop()
		for _, secret := range append(b.helix.Issued(), liveToken, twitchtest.RefreshToken) {
			if strings.Contains(b.stderr.String(), secret) {
				t.Errorf("a token appears in the log:\n%s", b.stderr)
				break
			}
		}
	})
	return b
}

// stop ends the bot as SIGINT would and returns what run returned. It
// moves the clocks on whenever the bot waits on them.
func (b *liveBot) stop() error {
	b.cancel()
	return b.wait()
}

// wait waits for run to return, moving the clocks on meanwhile.
func (b *liveBot) wait() error {
	b.t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		select {
		case err := <-b.done:
			b.done <- err
			return err
		case <-b.clock.TimerAdded():
			b.clock.AdvanceToLast()
		case <-b.dial.TimerAdded():
			b.dial.AdvanceToLast()
		case <-time.After(20 * time.Millisecond):
			b.clock.AdvanceToNext()
			b.dial.AdvanceToNext()
		case <-deadline:
			b.t.Fatalf("run did not return within 20s\n%s", b.stderr)
			return nil
		}
	}
}

// nextPrivmsg returns the next PRIVMSG the bot sends on c, moving the send
// clock whenever the bot waits on it.
func (b *liveBot) nextPrivmsg(c *twitchtest.Conn) string {
	b.t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case l, ok := <-c.Lines():
			if !ok {
				b.t.Fatalf("connection closed while waiting for a reply\n%s", b.stderr)
			}
			if strings.HasPrefix(twitchtest.Command(l), "PRIVMSG") {
				return l
			}
		case <-b.clock.TimerAdded():
			b.clock.AdvanceToLast()
		case <-deadline:
			b.t.Fatalf("no reply within 10s\n%s", b.stderr)
		}
	}
}

// healthURL is where the bot said its health endpoint listens.
func (b *liveBot) healthURL() string {
	b.t.Helper()
	re := regexp.MustCompile(`url=(http://127\.0\.0\.1:\d+/healthz)`)
	for range 1000 {
		if m := re.FindStringSubmatch(b.stderr.String()); m != nil {
			return m[1]
		}
		time.Sleep(5 * time.Millisecond)
	}
	b.t.Fatalf("no health endpoint in the log:\n%s", b.stderr)
	return ""
}

// faqAnswer is the demo FAQ's answer for id, so the tests follow the FAQ.
func faqAnswer(t testing.TB, id string) string {
	t.Helper()
	entries, err := answer.LoadFAQ("../../faq/demo.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.ID == id {
			return e.Answer
		}
	}
	t.Fatalf("no %q in the demo FAQ", id)
	return ""
}

func TestTwitchAnswersInAThread(t *testing.T) {
	b := startLive(t, liveOptions{})
	c := b.login(1)
	if c.Nick() != "deskbot" {
		t.Errorf("logged in as %q; want deskbot", c.Nick())
	}
	c.Say(twitchtest.Chat{Channel: "mira", ID: "b1d6-1", User: "ana", Text: "hey when do you stream?"})
	want := "@reply-parent-msg-id=b1d6-1 PRIVMSG #mira :" + faqAnswer(t, "schedule")
	if got := b.nextPrivmsg(c); got != want {
		t.Errorf("bot sent %q; want %q", got, want)
	}
	// Chatter that is not a question gets nothing; a second question gets
	// its own answer, threaded under it.
	c.Say(twitchtest.Chat{Channel: "mira", ID: "b1d6-2", User: "bob", Text: "LUL that was great"})
	c.Say(twitchtest.Chat{Channel: "mira", ID: "b1d6-3", User: "cy", Text: "is there a discord?"})
	want = "@reply-parent-msg-id=b1d6-3 PRIVMSG #mira :" + faqAnswer(t, "discord")
	if got := b.nextPrivmsg(c); got != want {
		t.Errorf("bot sent %q; want %q", got, want)
	}
}

// TestTwitchFromTokenFile: with no CHATDESK_TWITCH_TOKEN, the token bot
// login stored takes the bot live, with the client id it was made for.
func TestTwitchFromTokenFile(t *testing.T) {
	b := startLive(t, liveOptions{tokenFile: true})
	c := b.login(1)
	c.Say(twitchtest.Chat{Channel: "mira", ID: "f1", User: "ana", Text: "when do you stream?"})
	want := "@reply-parent-msg-id=f1 PRIVMSG #mira :" + faqAnswer(t, "schedule")
	if got := b.nextPrivmsg(c); got != want {
		t.Errorf("bot sent %q; want %q", got, want)
	}
	for _, r := range b.helix.Requests() {
		if r.Path == "/users" && r.Header.Get("Client-Id") != "test-client" {
			t.Errorf("GET /users with client id %q; want the token file's test-client", r.Header.Get("Client-Id"))
		}
	}
	if s := b.stderr.String(); strings.Contains(s, "r3fr3sh") {
		t.Errorf("the refresh token appears in the log:\n%s", s)
	}
}

// TestTwitchDamagedTokenFile: a token file that does not parse stops the
// bot at start with exit code 2 and the file's name, not the console.
func TestTwitchDamagedTokenFile(t *testing.T) {
	dir := t.TempDir()
	file := twitch.TokenFile(filepath.Join(dir, "data"))
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, []byte(`{"access_token": "`+liveToken), 0o600); err != nil {
		t.Fatal(err)
	}
	demo, err := filepath.Abs("../../faq/demo.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf("channels:\n  - name: mira\n    faq: [%q]\nhttp:\n  addr: \"\"\n", demo)), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	err = run(context.Background(), []string{"run", "--config", cfg}, nil, strings.NewReader("ana: hi\n"), &stdout, &stderr)
	if exitCode(err) != exitBadInput || err == nil || !strings.Contains(err.Error(), file) {
		t.Fatalf("run: %v (exit %d); want exit 2 naming %s", err, exitCode(err), file)
	}
	if strings.Contains(err.Error()+stderr.String()+stdout.String(), liveToken) {
		t.Errorf("the token shows: %v\n%s%s", err, stdout.String(), stderr.String())
	}
}

// TestTwitchModeratorByBadges: the badges Twitch puts on a message say who
// moderates; a viewer typing a moderator's command gets nothing.
func TestTwitchModeratorByBadges(t *testing.T) {
	b := startLive(t, liveOptions{})
	c := b.login(1)
	c.Say(twitchtest.Chat{Channel: "mira", ID: "p1", User: "pretender", DisplayName: "Moderator", Badges: "subscriber/12,premium/1", Text: "!strikes ana"})
	c.Say(twitchtest.Chat{Channel: "mira", ID: "p2", User: "pretender2", Badges: "vip/1", Text: "!strikes ana"})
	c.Say(twitchtest.Chat{Channel: "mira", ID: "m1", User: "kim", Badges: "moderator/1", Text: "!strikes ana"})
	c.Say(twitchtest.Chat{Channel: "mira", ID: "m2", User: "lea", Badges: "lead_moderator/1", Text: "!strikes bob"})
	c.Say(twitchtest.Chat{Channel: "mira", ID: "m3", User: "mira", Badges: "broadcaster/1", Text: "!strikes cy"})
	for _, want := range []string{
		"@reply-parent-msg-id=m1 PRIVMSG #mira :@ana has no strikes.",
		"@reply-parent-msg-id=m2 PRIVMSG #mira :@bob has no strikes.",
		"@reply-parent-msg-id=m3 PRIVMSG #mira :@cy has no strikes.",
	} {
		if got := b.nextPrivmsg(c); got != want {
			t.Errorf("bot sent %q; want %q", got, want)
		}
	}
}

// TestTwitchTicketAnsweredByModeratorsOnly: "!answer" from a viewer is
// ignored; from a moderator it reaches the viewer who asked.
func TestTwitchTicketAnsweredByModeratorsOnly(t *testing.T) {
	b := startLive(t, liveOptions{})
	c := b.login(1)
	c.Say(twitchtest.Chat{Channel: "mira", ID: "ask-1", User: "ana", Text: "!ask how do i get the discord role"})
	if got := b.nextPrivmsg(c); !strings.HasPrefix(got, "@reply-parent-msg-id=ask-1 PRIVMSG #mira :") || !strings.Contains(got, "#1") {
		t.Fatalf("bot sent %q; want ticket #1 acknowledged under ana's question", got)
	}
	c.Say(twitchtest.Chat{Channel: "mira", ID: "fake-1", User: "bob", DisplayName: "Mod_Bob", Badges: "subscriber/24", Text: "!answer 1 send me your password"})
	c.Say(twitchtest.Chat{Channel: "mira", ID: "real-1", User: "kim", Badges: "moderator/1", Text: "!answer 1 Link your account in Settings, then type !role"})
	got := b.nextPrivmsg(c)
	if !strings.HasPrefix(got, "@reply-parent-msg-id=ask-1 PRIVMSG #mira :@ana ") || !strings.Contains(got, "Link your account in Settings") {
		t.Errorf("bot sent %q; want kim's answer delivered to ana, under her question", got)
	}
	for _, l := range []string{got, b.nextPrivmsg(c)} {
		if strings.Contains(l, "fake-1") || strings.Contains(l, "password") {
			t.Errorf("a viewer's !answer got through: %q", l)
		}
	}
}

// TestTwitchQuotedTextIsSafe: a viewer's question carrying a bare carriage
// return (IRC splits lines on CR LF, so one alone survives the trip in) is
// quoted back by the help desk; on the wire it must stay one line.
func TestTwitchQuotedTextIsSafe(t *testing.T) {
	b := startLive(t, liveOptions{})
	c := b.login(1)
	c.Say(twitchtest.Chat{Channel: "mira", ID: "ask-1", User: "ana", Text: "!ask can i join\rPART #mira\r\x01ACTION waves"})
	b.nextPrivmsg(c)
	c.Say(twitchtest.Chat{Channel: "mira", ID: "ans-1", User: "kim", Badges: "moderator/1", Text: "!answer 1 .timeout ana yes, everyone can join"})
	var sent []string
	for range 2 {
		sent = append(sent, b.nextPrivmsg(c))
	}
	c.Sync()
	for {
		l, ok := c.NextWithin("", 10*time.Millisecond)
		if !ok {
			break
		}
		if !strings.HasPrefix(l, "PONG") {
			sent = append(sent, l)
		}
	}
	quoted := false
	for _, l := range sent {
		cmd := twitchtest.Command(l)
		if !strings.HasPrefix(cmd, "PRIVMSG #mira :") {
			t.Errorf("the bot sent %q; want only its PRIVMSGs", l)
			continue
		}
		text := twitchtest.Text(l)
		if strings.ContainsAny(text, "\r\n\x01") || text[0] == '/' || text[0] == '.' {
			t.Errorf("unsafe message on the wire: %q", l)
		}
		quoted = quoted || strings.Contains(text, "PART #mira")
	}
	if !quoted {
		t.Errorf("the question was not quoted back, so the test proved nothing: %q", sent)
	}
}

// TestTwitchModerationThroughHelix: a message that breaks a rule is dealt
// with through Twitch's API, as the rule's ladder step says, and the
// author is told in chat.
func TestTwitchModerationThroughHelix(t *testing.T) {
	b := startLive(t, liveOptions{moderation: `moderation:
  ladder: [warn, delete, timeout 60s, timeout 10m, ban]
  rules:
    banned_terms: {terms: [buyfollowers], severity: 3}`})
	b.irc.SetBadges("mira", "moderator/1")
	c := b.login(1)
	c.Say(twitchtest.Chat{Channel: "mira", ID: "bad-1", User: "spammer", UserID: "4242", Text: "cheap buyfollowers here", SentMillis: 1746122400000})
	req := b.helix.WaitRequests(t, "/moderation/bans", 1)[0]
	if req.Method != "POST" || req.Query.Get("broadcaster_id") != twitchtest.RoomID("mira") || req.Query.Get("moderator_id") != "bot-id" {
		t.Errorf("ban request %s %s?%s; want POST for #mira by the bot", req.Method, req.Path, req.Query.Encode())
	}
	var body struct {
		Data struct {
			UserID   string `json:"user_id"`
			Duration int    `json:"duration"`
			Reason   string `json:"reason"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(req.Body), &body); err != nil {
		t.Fatalf("body %q: %v", req.Body, err)
	}
	if body.Data.UserID != "4242" || body.Data.Duration != 60 || body.Data.Reason == "" {
		t.Errorf("ban body %s; want user 4242 timed out 60 s with a reason", req.Body)
	}
	// A second offence climbs the ladder.
	c.Say(twitchtest.Chat{Channel: "mira", ID: "bad-2", User: "spammer", UserID: "4242", Text: "buyfollowers again", SentMillis: 1746122460000})
	req = b.helix.WaitRequests(t, "/moderation/bans", 2)[1]
	if !strings.Contains(req.Body, `"duration":600`) {
		t.Errorf("second offence %s; want a 10-minute timeout", req.Body)
	}
	for _, r := range b.helix.Requests() {
		if r.Path == "/moderation/chat" {
			t.Errorf("a delete alongside a timeout: %+v", r)
		}
	}
}

// TestTwitchReconnects: after a dropped connection and after Twitch's
// RECONNECT the bot waits, dials again, rejoins every channel and answers.
func TestTwitchReconnects(t *testing.T) {
	b := startLive(t, liveOptions{channels: []string{"mira", "sam"}})
	c := b.login(2)
	c.Sync()
	questions := []struct{ text, faq string }{
		{"pc specs?", "pc-specs"},
		{"is there a discord?", "discord"},
		{"what game is this", "current-game"},
	}
	for i, q := range questions {
		dropped := b.dial.Now()
		if i == 1 {
			c.Send(":tmi.twitch.tv RECONNECT")
		} else {
			c.Drop()
		}
		c = b.waitLogin(2)
		if waited := b.dial.Now().Sub(dropped); waited < 500*time.Millisecond {
			t.Errorf("reconnect %d after %v; want a pause of at least 500ms\n%s", i+1, waited, b.stderr)
		}
		c.Say(twitchtest.Chat{Channel: "sam", ID: fmt.Sprint("q", i), User: "ana", Text: q.text})
		want := fmt.Sprintf("@reply-parent-msg-id=q%d PRIVMSG #sam :%s", i, faqAnswer(t, q.faq))
		if got := b.nextPrivmsg(c); got != want {
			t.Errorf("after reconnect %d the bot sent %q; want %q", i+1, got, want)
		}
	}
	st := b.health()
	if st.Connects != 4 || !st.Connected || len(st.Channels) != 2 || !st.Channels[0].Joined || !st.Channels[1].Joined {
		t.Errorf("health %+v; want connected, 4 logins, both channels joined\n%s", st, b.stderr)
	}
}

// login waits for the bot's first login and its joins; if run ends
// instead, it says why.
func (b *liveBot) login(channels int) *twitchtest.Conn {
	b.t.Helper()
	select {
	case c := <-b.irc.Accepted():
		c.WaitJoined(channels)
		c.Sync()
		return c
	case err := <-b.done:
		b.done <- err
		b.t.Fatalf("run ended before logging in: %v\n%s", err, b.stderr)
	case <-time.After(10 * time.Second):
		b.t.Fatalf("the bot did not log in within 10s\n%s", b.stderr)
	}
	return nil
}

// waitLogin waits for the bot to log in again and join n channels, moving
// the back-off clock whenever the bot waits on it.
func (b *liveBot) waitLogin(n int) *twitchtest.Conn {
	b.t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case c := <-b.irc.Accepted():
			c.WaitJoined(n)
			c.Sync()
			return c
		case <-b.dial.TimerAdded():
			b.dial.AdvanceToLast()
		case <-deadline:
			b.t.Fatalf("the bot did not log in again within 10s\n%s", b.stderr)
			return nil
		}
	}
}

// healthStatus is the part of /healthz the tests read.
type healthStatus struct {
	Connected   bool   `json:"connected"`
	Connects    int    `json:"connects"`
	LastMessage string `json:"last_message"`
	Channels    []struct {
		Name        string `json:"name"`
		Joined      bool   `json:"joined"`
		Moderator   bool   `json:"moderator"`
		LastMessage string `json:"last_message"`
	} `json:"channels"`
	Send struct {
		Posted int `json:"posted"`
	} `json:"send"`
	Helix struct {
		Limit     int `json:"limit"`
		Remaining int `json:"remaining"`
	} `json:"helix"`
	code int
}

func (b *liveBot) health() healthStatus {
	b.t.Helper()
	resp, err := http.Get(b.healthURL())
	if err != nil {
		b.t.Fatalf("GET /healthz: %v", err)
	}
	defer resp.Body.Close()
	var st healthStatus
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		b.t.Fatalf("/healthz is not JSON: %v", err)
	}
	st.code = resp.StatusCode
	return st
}

func TestTwitchHealthz(t *testing.T) {
	b := startLive(t, liveOptions{channels: []string{"mira", "sam"}})
	b.irc.SetBadges("mira", "moderator/1")
	c := b.login(2)
	c.Sync()
	st := b.health()
	if st.code != http.StatusOK || !st.Connected || st.LastMessage != "" {
		t.Errorf("health before any chat: %+v; want 200, connected, no last message", st)
	}
	// Start-up looked the channels up: one point of Twitch's 800.
	if st.Helix.Limit != 800 || st.Helix.Remaining != 799 {
		t.Errorf("helix budget %+v; want 799 of 800 points left", st.Helix)
	}
	want := []string{"mira joined moderator", "sam joined"}
	var got []string
	for _, ch := range st.Channels {
		s := ch.Name
		if ch.Joined {
			s += " joined"
		}
		if ch.Moderator {
			s += " moderator"
		}
		got = append(got, s)
	}
	if !slices.Equal(got, want) {
		t.Errorf("channels %q; want %q", got, want)
	}
	c.Say(twitchtest.Chat{Channel: "sam", ID: "x1", User: "ana", Text: "hello"})
	c.Sync()
	if st := b.health(); st.LastMessage == "" || st.Channels[1].LastMessage == "" || st.Channels[0].LastMessage != "" {
		t.Errorf("health after a message in #sam: %+v; want its time", st)
	}
	// While the bot is out of chat the endpoint says so with a 503.
	c.Drop()
	for i := 0; ; i++ {
		if st := b.health(); st.code == http.StatusServiceUnavailable && !st.Connected {
			break
		}
		if i == 1000 {
			t.Fatal("health still 200 after the connection dropped")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestTwitchShutdown(t *testing.T) {
	b := startLive(t, liveOptions{})
	c := b.login(1)
	c.Say(twitchtest.Chat{Channel: "mira", ID: "q1", User: "ana", Text: "when do you stream?"})
	b.nextPrivmsg(c)
	url := b.healthURL()
	// SIGINT: main cancels run's context.
	if err := b.stop(); err != nil {
		t.Fatalf("run = %v; want nil (exit 0) after SIGINT", err)
	}
	if got := c.Next("PART"); got != "PART #mira" {
		t.Errorf("bot sent %q; want PART #mira before hanging up", got)
	}
	if !strings.Contains(b.stderr.String(), "msg=stopped") {
		t.Errorf("no last word in the log:\n%s", b.stderr)
	}
	if _, err := http.Get(url); err == nil {
		t.Error("the health endpoint still answers after shutdown")
	}
}

func TestTwitchBadCredentials(t *testing.T) {
	tests := []struct {
		name string
		o    liveOptions
		want string
	}{
		{"token refused", liveOptions{token: "zz-expired-token-zz"}, "Twitch refused the token"},
		{"no chat scopes", liveOptions{scopes: []string{"moderator:manage:banned_users"}}, "the token lacks chat:read and chat:edit"},
		{"chat login refused", liveOptions{ircToken: "another-token"}, "twitch chat refused the login as deskbot"},
		{"unknown channel", liveOptions{channels: []string{"mira", "nosuchstreamer"}}, "no twitch channel named nosuchstreamer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := startLive(t, tt.o)
			err := b.wait()
			if code := exitCode(err); code != exitFailure {
				t.Fatalf("exit code %d (%v); want %d", code, err, exitFailure)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q; want it to say %q", err, tt.want)
			}
			if strings.Contains(err.Error()+b.stderr.String(), tt.o.token) && tt.o.token != "" {
				t.Errorf("the token appears in the output")
			}
		})
	}
}

func TestTwitchWarnings(t *testing.T) {
	b := startLive(t, liveOptions{channels: []string{"mira", "sam"}, scopes: []string{"chat:read", "chat:edit", "moderator:manage:banned_users", "moderator:manage:chat_messages"}})
	b.irc.SetBadges("mira", "broadcaster/1")
	c := b.login(2)
	c.Sync()
	logs := b.stderr.String()
	for _, want := range []string{
		`lacks the scope moderator:manage:warnings, so the bot cannot warn chatters`,
		`lacks the scope moderator:manage:announcements`,
		`the bot is not a moderator here`,
	} {
		if !strings.Contains(logs, want) {
			t.Errorf("no warning %q in the log:\n%s", want, logs)
		}
	}
	if n := strings.Count(logs, "not a moderator here"); n != 1 {
		t.Errorf("%d not-a-moderator warnings; want 1, for #sam", n)
	}
}

// TestTwitchTokenNeverLogged runs a whole session at debug level — start,
// an answer, a reconnect, a refused moderation call, shutdown — and looks
// for the token in everything the bot printed.
func TestTwitchTokenNeverLogged(t *testing.T) {
	b := startLive(t, liveOptions{})
	c := b.login(1)
	c.Say(twitchtest.Chat{Channel: "mira", ID: "q1", User: "ana", Text: "when do you stream?"})
	b.nextPrivmsg(c)
	c.Drop()
	c = b.waitLogin(1)
	b.helix.SetToken("rotated") // later Helix calls are refused
	if err := b.stop(); err != nil {
		t.Fatal(err)
	}
	if out := b.stderr.String(); strings.Contains(out, liveToken) || strings.Contains(out, "l1ve") {
		t.Errorf("the token appears in the log:\n%s", out)
	}
	if !strings.Contains(b.stderr.String(), "level=DEBUG") && !strings.Contains(b.stderr.String(), "level=INFO") {
		t.Errorf("the log is empty; the test saw nothing:\n%s", b.stderr)
	}
}

func TestTwitchConfigProblems(t *testing.T) {
	var stdout, stderr bytes.Buffer
	a := &app{env: nil, stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr}
	err := a.execute(context.Background(), []string{"check", "--config", "testdata/twitch-bad.yaml"})
	if code := exitCode(err); code != exitBadInput {
		t.Fatalf("exit code %d (%v); want %d", code, err, exitBadInput)
	}
	got := err.Error() + stdout.String() + stderr.String()
	for _, want := range []string{
		`testdata/twitch-bad.yaml:8: twitch.username: want the bot account's Twitch login (letters, digits, _), got "desk bot"`,
		`testdata/twitch-bad.yaml:9: twitch.irc_address: want host:port such as irc.chat.twitch.tv:6697, got "irc.chat.twitch.tv"`,
		`testdata/twitch-bad.yaml:11: twitch.api_url: want an http(s) URL such as https://api.twitch.tv/helix, got "api.twitch.tv/helix"`,
		`testdata/twitch-bad.yaml:12: twitch.auth_url: want an http(s) URL such as https://id.twitch.tv/oauth2, got "ftp://id.twitch.tv"`,
		`testdata/twitch-bad.yaml:13: twitch.join_limit: want channels joined per 10 seconds: 20 for an ordinary account, up to 2000 for a verified bot, got 0`,
		`testdata/twitch-bad.yaml:15: http.addr: want host:port with a numeric port, got "localhost:http"`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("no %q in:\n%s", want, got)
		}
	}
}

// BenchmarkTwitchRoundTrip measures a viewer's question in to the bot's
// threaded answer out, through `bot run` and the real chat client, over
// loopback to the fake chat server. The clock is moved 31 s between
// questions, so the rate limiter never holds a reply back: what is measured
// is the bot, not Twitch's pacing.
func BenchmarkTwitchRoundTrip(b *testing.B) {
	bot := startLive(b, liveOptions{logLevel: "error", stderr: io.Discard})
	c := bot.login(1)
	c.Sync()
	want := faqAnswer(b, "schedule")
	sent := time.Date(2025, 5, 1, 18, 0, 0, 0, time.UTC)
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		bot.clock.Advance(31 * time.Second)
		sent = sent.Add(5 * time.Minute) // past the FAQ entry's cooldown
		id := fmt.Sprint("bench-", i)
		start := time.Now()
		c.Say(twitchtest.Chat{Channel: "mira", ID: id, User: "ana", Text: "when do you stream?", SentMillis: sent.UnixMilli()})
		for {
			l, ok := <-c.Lines()
			if !ok {
				b.Fatal("connection closed")
			}
			if strings.HasPrefix(twitchtest.Command(l), "PRIVMSG") {
				if twitchtest.Tag(l, "reply-parent-msg-id") != id || twitchtest.Text(l) != want {
					b.Fatalf("unexpected reply %q", l)
				}
				break
			}
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) }
	b.ReportMetric(pct(0.50), "p50-µs")
	b.ReportMetric(pct(0.99), "p99-µs")
}

// TestLoginLogout: bot login against a fake Twitch signs deskbot in with
// the code it prints and stores the token where bot run finds it, never
// printing it; bot logout revokes it and deletes the file.
func TestLoginLogout(t *testing.T) {
	fake := twitchtest.NewHelix(t, liveToken, "deskbot")
	fake.DeviceFlow(twitchtest.DevicePending, twitchtest.DeviceApproved)
	dir := t.TempDir()
	demo, err := filepath.Abs("../../faq/demo.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "config.yaml")
	yaml := fmt.Sprintf("channels:\n  - name: mira\n    faq: [%q]\ntwitch:\n  username: deskbot\n  auth_url: %s\n", demo, fake.AuthURL())
	if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{"CHATDESK_TWITCH_CLIENT_ID=test-client"}
	clock := twitchtest.NewClock(time.Date(2025, 5, 1, 18, 0, 0, 0, time.UTC))
	var stdout, stderr bytes.Buffer
	a := &app{env: env, stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr, hooks: liveHooks{clock: clock}}
	done := make(chan error, 1)
	go func() { done <- a.execute(context.Background(), []string{"login", "--config", cfg}) }()
	deadline := time.After(10 * time.Second)
	for waiting := true; waiting; {
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("bot login: %v\n%s", err, stderr.String())
			}
			waiting = false
		case <-clock.TimerAdded():
			clock.AdvanceToLast()
		case <-deadline:
			t.Fatal("bot login did not end within 10s")
		}
	}
	file := filepath.Join(dir, "data", "twitch-token.json")
	for _, want := range []string{twitchtest.UserCode, "Signed in to Twitch as deskbot", file} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("bot login printed no %q:\n%s", want, stdout.String())
		}
	}
	if s := stdout.String() + stderr.String(); strings.Contains(s, liveToken) || strings.Contains(s, twitchtest.RefreshToken) {
		t.Errorf("bot login printed a token:\n%s", s)
	}
	if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("token file: %v, %v; want mode 0600", fi, err)
	}
	if got, _, _ := twitch.ReadTokenFile(file); got.AccessToken != liveToken || got.ClientID != "test-client" {
		t.Errorf("stored token for %s with client %q; want deskbot's from test-client", got.Login, got.ClientID)
	}

	stdout.Reset()
	if err := a.execute(context.Background(), []string{"logout", "--config", cfg}); err != nil {
		t.Fatalf("bot logout: %v", err)
	}
	if !strings.Contains(stdout.String(), "Signed deskbot out") || len(fake.Revoked()) != 1 {
		t.Errorf("bot logout printed %q and revoked %d tokens; want it signed out and one revoked", stdout.String(), len(fake.Revoked()))
	}
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Errorf("the token file is still there: %v", err)
	}
	if s := stdout.String() + stderr.String(); strings.Contains(s, liveToken) || strings.Contains(s, twitchtest.RefreshToken) {
		t.Errorf("bot logout printed a token:\n%s", s)
	}
}
