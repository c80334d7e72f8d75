package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chatdesk/chatdesk/internal/twitch"
	"github.com/chatdesk/chatdesk/internal/twitch/twitchtest"
)

// tokenHealth is the token part of /healthz.
type tokenHealth struct {
	Token struct {
		Refused   bool   `json:"refused"`
		Reason    string `json:"reason"`
		Refreshes int    `json:"refreshes"`
	} `json:"token"`
	code int
}

func (b *liveBot) tokenHealth() tokenHealth {
	b.t.Helper()
	resp, err := http.Get(b.healthURL())
	if err != nil {
		b.t.Fatalf("GET /healthz: %v", err)
	}
	defer resp.Body.Close()
	var st tokenHealth
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		b.t.Fatalf("/healthz is not JSON: %v", err)
	}
	st.code = resp.StatusCode
	return st
}

// tokenFile is the token file of the bot's data directory.
func (b *liveBot) tokenFile() string {
	b.t.Helper()
	cfg, err := loadConfig(b.config, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return twitch.TokenFile(cfg.Bot.DataDir)
}

// TestTwitchRenewsTheToken: bot run with the token bot login stored; the
// token expires mid-stream, chat hangs up and refuses it. The bot renews
// it, logs in again, rejoins both channels and answers, and the new pair
// is in the token file at once.
func TestTwitchRenewsTheToken(t *testing.T) {
	b := startLive(t, liveOptions{channels: []string{"mira", "sam"}, tokenFile: true, renew: true})
	c := b.login(2)
	b.helix.Expire()
	b.irc.DropRefused()
	c = b.waitLogin(2)
	c.Say(twitchtest.Chat{Channel: "sam", ID: "q1", User: "ana", Text: "is there a discord?"})
	if got, want := b.nextPrivmsg(c), "@reply-parent-msg-id=q1 PRIVMSG #sam :"+faqAnswer(t, "discord"); got != want {
		t.Errorf("after the renewal the bot sent %q; want %q", got, want)
	}
	if n := b.helix.Refreshes(); n != 1 {
		t.Errorf("%d refreshes; want 1", n)
	}
	stored, _, err := twitch.ReadTokenFile(b.tokenFile())
	if err != nil || stored.AccessToken != b.helix.Token() || stored.RefreshToken != b.helix.CurrentRefreshToken() {
		t.Errorf("token file %v (%v); want the renewed pair", stored, err)
	}
	if st := b.tokenHealth(); st.code != http.StatusOK || st.Token.Refreshes != 1 || st.Token.Refused {
		t.Errorf("/healthz %d %+v; want 200, one renewal", st.code, st.Token)
	}
}

// TestTwitchRenewsAPastedToken: a pasted token with
// CHATDESK_TWITCH_REFRESH_TOKEN beside it is renewed too, and the new pair
// goes to the token file, marked with the pair it came from, so that a
// restart with the same environment uses the file's.
func TestTwitchRenewsAPastedToken(t *testing.T) {
	b := startLive(t, liveOptions{refreshEnv: true, renew: true})
	c := b.login(1)
	b.helix.Expire()
	b.irc.DropRefused()
	c = b.waitLogin(1)
	c.Say(twitchtest.Chat{Channel: "mira", ID: "q1", User: "ana", Text: "when do you stream?"})
	b.nextPrivmsg(c)
	stored, _, err := twitch.ReadTokenFile(b.tokenFile())
	if err != nil || stored.AccessToken != b.helix.Token() || stored.Seed != twitch.SeedOf(twitchtest.RefreshToken) {
		t.Fatalf("token file %v seed %q (%v); want the renewed pair, marked", stored, stored.Seed, err)
	}
	again, _, err := twitch.StartToken(twitch.Credentials{AccessToken: liveToken, RefreshToken: twitchtest.RefreshToken}, b.tokenFile())
	if err != nil || again.AccessToken != b.helix.Token() {
		t.Errorf("after a restart with the same environment: %v (%v); want the renewed token", again, err)
	}
}

// TestTwitchRenewalRefused: Twitch refuses the refresh token. The bot says
// so loudly and in /healthz, keeps running without knocking on Twitch's
// door, and goes back to work when bot login is run beside it.
func TestTwitchRenewalRefused(t *testing.T) {
	b := startLive(t, liveOptions{tokenFile: true, renew: true})
	b.login(1)
	b.helix.RefuseRefresh()
	b.helix.Expire()
	b.irc.DropRefused()
	deadline := time.After(10 * time.Second)
	for !b.tokenHealth().Token.Refused {
		select {
		case <-b.dial.TimerAdded():
			b.dial.AdvanceToLast()
		case <-time.After(5 * time.Millisecond):
		case <-deadline:
			t.Fatalf("/healthz never said the token was refused\n%s", b.stderr)
		}
	}
	tries := b.irc.Refused()
	for range 10 {
		b.dial.Advance(10 * time.Minute)
		b.auth.Advance(10 * time.Minute)
		time.Sleep(time.Millisecond)
	}
	if n := b.irc.Refused(); n != tries {
		t.Errorf("%d more logins refused after the refusal; want none", n-tries)
	}
	st := b.tokenHealth()
	if st.code != http.StatusServiceUnavailable || !strings.Contains(st.Token.Reason, "refresh token") {
		t.Errorf("/healthz %d %+v; want 503, the token refused and why", st.code, st.Token)
	}
	if n := strings.Count(b.stderr.String(), "TWITCH TOKEN REFUSED"); n != 1 {
		t.Errorf("%d loud errors; want 1\n%s", n, b.stderr)
	}

	// bot login, in another process, while the bot runs.
	b.helix.SetToken("fresh-l0gin-t0ken")
	clock := twitchtest.NewClock(time.Date(2025, 5, 1, 20, 0, 0, 0, time.UTC))
	var out bytes.Buffer
	login := &app{env: append(os.Environ(), "CHATDESK_TWITCH_CLIENT_ID=test-client"), stdin: strings.NewReader(""), stdout: &out, stderr: &out,
		hooks: liveHooks{clock: clock}}
	done := make(chan error, 1)
	go func() { done <- login.execute(context.Background(), []string{"login", "--config", b.config}) }()
	var c *twitchtest.Conn
	deadline = time.After(10 * time.Second)
	for c == nil {
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("bot login: %v\n%s", err, out.String())
			}
		case <-clock.TimerAdded():
			clock.AdvanceToLast()
		case c = <-b.irc.Accepted():
		case <-time.After(5 * time.Millisecond):
			b.auth.Advance(twitch.DefaultPollEvery)
		case <-deadline:
			t.Fatalf("the bot did not log in with the new sign-in\n%s\n%s", out.String(), b.stderr)
		}
	}
	c.WaitJoined(1)
	c.Sync()
	c.Say(twitchtest.Chat{Channel: "mira", ID: "q2", User: "ana", Text: "when do you stream?"})
	if got, want := b.nextPrivmsg(c), "@reply-parent-msg-id=q2 PRIVMSG #mira :"+faqAnswer(t, "schedule"); got != want {
		t.Errorf("after bot login the bot sent %q; want %q", got, want)
	}
	if st := b.tokenHealth(); st.Token.Refused || st.code != http.StatusOK {
		t.Errorf("/healthz %d %+v; want 200, the token in use", st.code, st.Token)
	}
	if strings.Contains(b.stderr.String()+out.String(), "fresh-l0gin") {
		t.Error("the new token was printed")
	}
}

// TestTwitchValidatesHourly: bot run checks its token with Twitch at
// start and then every hour, as Twitch asks.
func TestTwitchValidatesHourly(t *testing.T) {
	b := startLive(t, liveOptions{tokenFile: true})
	b.login(1)
	validations := func() int {
		n := 0
		for _, r := range b.helix.Requests() {
			if r.Path == "/validate" {
				n++
			}
		}
		return n
	}
	// The clock goes on a minute at a time: each step wakes the token
	// source once, so none jumps past a validation by more than that.
	start := b.auth.Now()
	for want := 2; want <= 4; want++ {
		for validations() < want {
			if b.auth.Now().Sub(start) > 4*time.Hour {
				t.Fatalf("%d validations in %v; want %d", validations(), b.auth.Now().Sub(start), want)
			}
			b.auth.Advance(time.Minute)
			time.Sleep(time.Millisecond)
		}
		if h := b.auth.Now().Sub(start); h < time.Duration(want-1)*time.Hour {
			t.Errorf("validation %d after %v; want one an hour", want, h)
		}
	}
	if n := b.helix.Refreshes(); n != 0 {
		t.Errorf("%d refreshes of a token that does not end soon; want none", n)
	}
}
