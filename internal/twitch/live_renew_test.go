package twitch_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chatdesk/chatdesk/internal/chat"
	"github.com/chatdesk/chatdesk/internal/router"
	"github.com/chatdesk/chatdesk/internal/twitch"
	"github.com/chatdesk/chatdesk/internal/twitch/twitchtest"
)

// timeOutSpam times out whoever offers to sell followers.
var timeOutSpam = router.StageFunc(func(_ context.Context, m chat.Message) chat.Decision {
	if !strings.Contains(m.Text, "buy followers") {
		return chat.Decision{}
	}
	return chat.Decision{Action: chat.ActionModerate, Rule: "spam",
		Enforcements: []chat.Enforcement{{Kind: chat.PenaltyTimeout, Duration: time.Minute, Reason: "spam"}}}
})

// bansWith returns the ban calls Twitch answered status to, carrying token.
func bansWith(fake *twitchtest.Helix, token string, status int) []twitchtest.Request {
	var out []twitchtest.Request
	for _, r := range fake.Requests() {
		if r.Path == "/moderation/bans" && r.Status == status && (token == "" || r.Header.Get("Authorization") == "Bearer "+token) {
			out = append(out, r)
		}
	}
	return out
}

// until polls cond while moving the back-off clock whenever the bot waits
// on it.
func (r *rig) until(what string, cond func() bool) {
	r.t.Helper()
	deadline := time.After(10 * time.Second)
	for !cond() {
		select {
		case <-r.dial.TimerAdded():
			r.dial.AdvanceToLast()
		case <-time.After(5 * time.Millisecond):
		case <-deadline:
			r.t.Fatalf("not within 10s: %s\n%s", what, r.logs)
		}
	}
}

// TestLiveTokenExpiresMidStream: the token expires while the bot works two
// channels. Helix refuses the timeouts for spam in both channels and chat
// hangs up and refuses the next login, all before Twitch has answered the
// one refresh they share. Then the timeouts are made again with the new
// token, the bot logs in with it, rejoins both channels, and the
// questions and spam after the expiry are handled.
func TestLiveTokenExpiresMidStream(t *testing.T) {
	r := startRig(t, rigOptions{channels: []string{"mira", "sam"}, renew: true, stages: []router.Stage{timeOutSpam, answerWithID},
		badges: map[string]string{"mira": "moderator/1", "sam": "moderator/1"}})
	c := r.irc.NextLogin(2)
	c.Say(twitchtest.Chat{Channel: "mira", ID: "q1", User: "ana", Text: "when do you stream?"})
	if got := r.nextPrivmsg(c); twitchtest.Text(got) != "an answer to q1" {
		t.Fatalf("before the expiry the bot sent %q", got)
	}

	// Twitch holds the refresh until everyone has found the token
	// refused, so they all ask at once.
	gate := make(chan struct{})
	var opened bool
	open := func() {
		if !opened {
			opened = true
			close(gate)
		}
	}
	t.Cleanup(open) // before the fake is shut, should the test fail first
	r.helix.Respond(func(req twitchtest.Request) (int, http.Header, string) {
		if req.Path == "/token" {
			<-gate
		}
		return 0, nil, ""
	})
	r.helix.Expire()
	c.Say(twitchtest.Chat{Channel: "mira", ID: "s1", User: "spam1", UserID: "501", Text: "buy followers at example.com"})
	c.Say(twitchtest.Chat{Channel: "sam", ID: "s2", User: "spam2", UserID: "502", Text: "buy followers at example.com"})
	c.Sync()
	if n := r.irc.DropRefused(); n != 1 {
		t.Fatalf("the chat server dropped %d connections; want 1", n)
	}
	r.until("two refused timeouts and a refused login", func() bool {
		return len(bansWith(r.helix, "", http.StatusUnauthorized)) == 2 && r.irc.Refused() >= 1
	})
	open()

	c, _ = r.waitLogin(2)
	renewed := r.helix.Token()
	r.until("both timeouts made again with the new token", func() bool { return len(bansWith(r.helix, renewed, http.StatusOK)) == 2 })
	if n := r.helix.Refreshes(); n != 1 {
		t.Errorf("%d refreshes; want 1 for two channels' moderation and the chat login", n)
	}

	// After the expiry, with the new token.
	c.Say(twitchtest.Chat{Channel: "sam", ID: "q2", User: "ana", Text: "is there a discord?"})
	if got := r.nextPrivmsg(c); !strings.Contains(got, "PRIVMSG #sam :an answer to q2") {
		t.Errorf("after the renewal the bot sent %q; want the answer to q2 in #sam", got)
	}
	c.Say(twitchtest.Chat{Channel: "mira", ID: "s3", User: "spam3", UserID: "503", Text: "buy followers here"})
	r.until("the new spam timed out with the new token", func() bool { return len(bansWith(r.helix, renewed, http.StatusOK)) == 3 })

	st := r.live.Status()
	if !st.Connected || st.Connects != 2 || !st.Channels[0].Joined || !st.Channels[1].Joined {
		t.Errorf("status %+v; want connected again, both channels joined", st.State)
	}
	if st.Token.Refreshes != 1 || st.Token.Refused || st.Moderation.Stopped {
		t.Errorf("token %+v, moderation stopped %v; want one renewal, moderating", st.Token, st.Moderation.Stopped)
	}
	stored, _, err := twitch.ReadTokenFile(r.file)
	if err != nil || stored.AccessToken != renewed || stored.RefreshToken != r.helix.CurrentRefreshToken() {
		t.Errorf("token file: %v (%v); want the renewed pair", stored, err)
	}
}

// TestLiveRenewalRefused: the token expires and Twitch refuses the refresh
// token. The bot says so once, loudly, stops dialling chat and moderating
// instead of looping, keeps running, and goes back to work when bot login
// writes a new sign-in.
func TestLiveRenewalRefused(t *testing.T) {
	r := startRig(t, rigOptions{channels: []string{"mira", "sam"}, renew: true, stages: []router.Stage{timeOutSpam, answerWithID},
		badges: map[string]string{"mira": "moderator/1", "sam": "moderator/1"}})
	c := r.irc.NextLogin(2)
	r.helix.RefuseRefresh()
	r.helix.Expire()
	r.irc.DropRefused()
	r.until("the token refused for good", func() bool { return r.live.Status().Token.Refused })
	// The client may see the hang-up before Twitch's notice, and then
	// tries again before it calls the login refused (see IRC.Run).
	tries := r.irc.Refused()

	// Time passes; the bot knocks no more.
	for range 20 {
		r.dial.Advance(10 * time.Minute)
		r.auth.Advance(10 * time.Minute)
		time.Sleep(time.Millisecond)
	}
	if n := r.irc.Refused(); n != tries {
		t.Errorf("%d refused logins, %d of them after the refusal; want none after", n, n-tries)
	}
	if n := len(r.helix.Requests()); n > 6 {
		t.Errorf("%d requests to Twitch; want no more after the refusal:\n%v", n, r.helix.Requests())
	}
	if n := strings.Count(r.logs.String(), "TWITCH TOKEN REFUSED"); n != 1 {
		t.Errorf("%d loud errors; want 1:\n%s", n, r.logs)
	}
	st := r.live.Status()
	if h := st.Health(); h.Token == nil || !h.Token.Refused || !strings.Contains(h.Token.Reason, "refresh token") || h.Connected {
		t.Errorf("health %+v token %+v; want disconnected, the token refused and why", h, h.Token)
	}
	select {
	case err := <-r.done:
		t.Fatalf("Run returned %v; want it to keep running", err)
	default:
	}

	// bot login, while the bot runs.
	r.helix.SetToken("fresh-l0gin-t0ken")
	if err := twitch.WriteTokenFile(r.file, twitch.Token{AccessToken: "fresh-l0gin-t0ken", RefreshToken: "fresh-r3fresh", Login: "deskbot", ClientID: "test-client"}); err != nil {
		t.Fatal(err)
	}
	deadline := time.After(10 * time.Second)
	for waiting := true; waiting; {
		select {
		case c = <-r.irc.Accepted():
			waiting = false
		case <-time.After(5 * time.Millisecond):
			r.auth.Advance(twitch.DefaultPollEvery)
		case <-deadline:
			t.Fatalf("no login with the new sign-in\n%s", r.logs)
		}
	}
	c.WaitJoined(2)
	c.Sync()
	c.Say(twitchtest.Chat{Channel: "mira", ID: "q9", User: "ana", Text: "still there?"})
	if got := r.nextPrivmsg(c); !strings.Contains(got, "an answer to q9") {
		t.Errorf("after the new sign-in the bot sent %q", got)
	}
	c.Say(twitchtest.Chat{Channel: "sam", ID: "s9", User: "spam9", UserID: "509", Text: "buy followers"})
	r.until("spam timed out with the new sign-in", func() bool { return len(bansWith(r.helix, "fresh-l0gin-t0ken", http.StatusOK)) == 1 })
	if st := r.live.Status(); st.Token.Refused || st.Moderation.Stopped {
		t.Errorf("token %+v; want in use again", st.Token)
	}
	if strings.Contains(r.logs.String(), "fresh-") {
		t.Errorf("the new token is in the log")
	}
}

// TestLiveStartWithExpiredToken: a token that expired while the bot was
// off is renewed by the start-up check, and chat logs in with the new one.
func TestLiveStartWithExpiredToken(t *testing.T) {
	fake := twitchtest.NewHelix(t, testToken, "deskbot")
	fake.Expire()
	tokens := twitch.NewTokenSource(twitch.TokenSourceConfig{AuthURL: fake.AuthURL(),
		Token: twitch.Token{AccessToken: testToken, RefreshToken: twitchtest.RefreshToken, ClientID: "test-client"}})
	h, err := twitch.NewHelix(twitch.HelixConfig{APIURL: fake.APIURL(), AuthURL: fake.AuthURL(), Tokens: tokens})
	if err != nil {
		t.Fatal(err)
	}
	acct, err := twitch.Preflight(context.Background(), h, "deskbot", []string{"mira"}, twitch.LoginScopes(true))
	if err != nil {
		t.Fatalf("Preflight: %v", err)
	}
	if acct.Token.Login != "deskbot" || fake.Refreshes() != 1 {
		t.Errorf("account %+v after %d refreshes; want deskbot after 1", acct.Token, fake.Refreshes())
	}
	if tok, err := tokens.Current(); tok != fake.Token() || err != nil {
		t.Errorf("the source does not hold the renewed token")
	}
}

// TestLiveRenewsAfterQuietRefusals: when chat hangs up on the login
// without saying why, a few times in a row, the token is renewed all the
// same.
func TestLiveRenewsAfterQuietRefusals(t *testing.T) {
	r := startRig(t, rigOptions{renew: true, quietRefusal: true, stages: []router.Stage{answerWithID}})
	c := r.irc.NextLogin(1)
	r.helix.Expire()
	r.irc.DropRefused()
	c, _ = r.waitLogin(1)
	if n := r.helix.Refreshes(); n != 1 {
		t.Errorf("%d refreshes after %d refused logins; want 1", n, r.irc.Refused())
	}
	c.Say(twitchtest.Chat{Channel: "mira", ID: "q1", User: "ana", Text: "still there?"})
	if got := r.nextPrivmsg(c); !strings.Contains(got, "an answer to q1") {
		t.Errorf("after the renewal the bot sent %q", got)
	}
}
