package twitch_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/chatdesk/chatdesk/internal/chat"
	"github.com/chatdesk/chatdesk/internal/twitch"
	"github.com/chatdesk/chatdesk/internal/twitch/twitchtest"
)

// tokenRig is a TokenSource against a fake Twitch, logging to logs.
type tokenRig struct {
	t      *testing.T
	fake   *twitchtest.Helix
	source *twitch.TokenSource
	file   string
	logs   *twitchtest.Log
}

// newTokenRig makes a source holding the token the fake accepts and its
// refresh token, kept in a token file. Inside a synctest bubble the fake
// must be made outside and reached with its in-process client: pass it.
func newTokenRig(t *testing.T, fake *twitchtest.Helix, change func(*twitch.TokenSourceConfig)) *tokenRig {
	t.Helper()
	if fake == nil {
		fake = twitchtest.NewHelix(t, testToken, "deskbot")
	}
	r := &tokenRig{t: t, fake: fake, file: filepath.Join(t.TempDir(), twitch.TokenFileName), logs: &twitchtest.Log{}}
	tok := twitch.Token{AccessToken: testToken, RefreshToken: twitchtest.RefreshToken, Login: "deskbot", ClientID: "test-client", Scopes: twitchtest.AllScopes}
	if err := twitch.WriteTokenFile(r.file, tok); err != nil {
		t.Fatal(err)
	}
	cfg := twitch.TokenSourceConfig{AuthURL: fake.AuthURL(), Token: tok, File: r.file, HTTP: fake.Client(),
		Log: slog.New(slog.NewTextHandler(r.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	if change != nil {
		change(&cfg)
	}
	r.source = twitch.NewTokenSource(cfg)
	t.Cleanup(r.noSecretsLogged)
	return r
}

// noSecretsLogged fails the test if any token the test knows of, given or
// handed out, is in the log.
func (r *tokenRig) noSecretsLogged() {
	for _, s := range append(r.fake.Issued(), testToken, twitchtest.RefreshToken) {
		if strings.Contains(r.logs.String(), s) {
			r.t.Errorf("a token is in the log:\n%s", r.logs)
			return
		}
	}
}

func (r *tokenRig) count(path string) int {
	n := 0
	for _, req := range r.fake.Requests() {
		if req.Path == path {
			n++
		}
	}
	return n
}

// TestTokenRefreshSharedByAll: however many callers find the token refused
// at once, Twitch sees one refresh; the rotated pair is in the token file
// at once, readable by its owner alone.
func TestTokenRefreshSharedByAll(t *testing.T) {
	r := newTokenRig(t, nil, nil)
	r.fake.Expire()
	var wg sync.WaitGroup
	got := make([]string, 12)
	errs := make([]error, len(got))
	for i := range got {
		wg.Go(func() { got[i], errs[i] = r.source.Refresh(context.Background(), testToken) })
	}
	wg.Wait()
	for i := range got {
		if errs[i] != nil || got[i] != r.fake.Token() {
			t.Fatalf("caller %d: %v; want the renewed token", i, errs[i])
		}
	}
	if n := r.fake.Refreshes(); n != 1 {
		t.Errorf("%d refreshes; want 1", n)
	}
	stored, _, err := twitch.ReadTokenFile(r.file)
	if err != nil || stored.AccessToken != r.fake.Token() || stored.RefreshToken != r.fake.CurrentRefreshToken() || stored.Login != "deskbot" {
		t.Errorf("token file holds %v (err %v); want the renewed pair for deskbot", stored, err)
	}
	if fi, err := os.Stat(r.file); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("token file mode %v (%v); want 0600", fi.Mode(), err)
	}
	if tok, _ := r.source.Current(); tok != r.fake.Token() {
		t.Error("Current is not the renewed token")
	}
	// A caller still holding the old token gets the new one, with no
	// second refresh.
	if _, err := r.source.Refresh(context.Background(), testToken); err != nil || r.fake.Refreshes() != 1 {
		t.Errorf("late caller: %v, %d refreshes; want the renewed token, 1 refresh", err, r.fake.Refreshes())
	}
	if st := r.source.Status(); st.Refreshes != 1 || st.Refused {
		t.Errorf("status %+v; want 1 refresh, not refused", st)
	}
	printed := fmt.Sprintf("%v %+v %#v %s", r.source, r.source, r.source, r.source)
	slog.New(slog.NewTextHandler(r.logs, nil)).Info("printed by mistake", "source", r.source)
	if strings.Contains(printed, "renewed-") || strings.Contains(printed, testToken) {
		t.Errorf("printing the source shows a token: %s", printed)
	}
}

// TestTokenRefreshRefused: a refresh Twitch refuses is final and loud
// once; nobody asks Twitch again with that token.
func TestTokenRefreshRefused(t *testing.T) {
	tests := []struct {
		name  string
		setup func(*tokenRig)
		// config changes the source's configuration.
		config func(*twitch.TokenSourceConfig)
		reason string
	}{
		{name: "revoked", setup: func(r *tokenRig) { r.fake.RefuseRefresh() }, reason: "Invalid refresh token"},
		{name: "used already", setup: func(r *tokenRig) { r.fake.SetRefreshToken("another") }, reason: "Invalid refresh token"},
		{name: "no refresh token", config: func(c *twitch.TokenSourceConfig) { c.Token.RefreshToken = "" }, reason: "no refresh token"},
		{name: "client secret missing", setup: func(r *tokenRig) { r.fake.RequireSecret("sh-secret") }, reason: "invalid client secret"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newTokenRig(t, nil, tt.config)
			if tt.setup != nil {
				tt.setup(r)
			}
			for range 5 {
				_, err := r.source.Refresh(context.Background(), testToken)
				if !errors.Is(err, twitch.ErrTokenRefused) || !errors.Is(err, twitch.ErrUnauthorized) {
					t.Fatalf("Refresh: %v; want ErrTokenRefused", err)
				}
				if s := err.Error() + r.source.Status().Reason; strings.Contains(s, testToken) || strings.Contains(s, twitchtest.RefreshToken) || strings.Contains(s, "sh-secret") {
					t.Errorf("a secret is in the error: %s", s)
				}
			}
			if _, err := r.source.Current(); !errors.Is(err, twitch.ErrTokenRefused) {
				t.Errorf("Current: %v; want ErrTokenRefused", err)
			}
			if n := r.count("/token"); n > 1 {
				t.Errorf("%d refresh requests; want at most 1", n)
			}
			if n := strings.Count(r.logs.String(), "TWITCH TOKEN REFUSED"); n != 1 {
				t.Errorf("%d loud errors; want 1:\n%s", n, r.logs)
			}
			if st := r.source.Status(); !st.Refused || !strings.Contains(st.Reason, tt.reason) {
				t.Errorf("status %+v; want refused, saying %q", st, tt.reason)
			}
		})
	}
}

// TestTokenClientSecret: a token from the authorization-code flow is
// renewed with the client secret.
func TestTokenClientSecret(t *testing.T) {
	r := newTokenRig(t, nil, func(c *twitch.TokenSourceConfig) { c.ClientSecret = "sh-secret" })
	r.fake.RequireSecret("sh-secret")
	if _, err := r.source.Refresh(context.Background(), testToken); err != nil {
		t.Fatalf("Refresh: %v", err)
	}
	if r.fake.Refreshes() != 1 {
		t.Errorf("%d refreshes; want 1", r.fake.Refreshes())
	}
	if strings.Contains(r.logs.String(), "sh-secret") {
		t.Errorf("the client secret is in the log:\n%s", r.logs)
	}
}

// TestTokenHourlyValidation: the token is validated every hour, renewed
// shortly before /validate says it ends, and renewed when /validate says
// it is gone.
func TestTokenHourlyValidation(t *testing.T) {
	fake := twitchtest.NewHelix(t, testToken, "deskbot")
	synctest.Test(t, func(t *testing.T) {
		fake.SetLifetime(4 * time.Hour)
		r := newTokenRig(t, fake, func(c *twitch.TokenSourceConfig) { c.Clock = chat.SystemClock })
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- r.source.Run(ctx) }()
		at := func(d time.Duration, validations, refreshes int) {
			t.Helper()
			time.Sleep(d)
			synctest.Wait()
			if got, gotR := r.count("/validate"), r.fake.Refreshes(); got != validations || gotR != refreshes {
				t.Errorf("after %v: %d validations, %d refreshes; want %d, %d", d, got, gotR, validations, refreshes)
			}
		}
		at(59*time.Minute, 0, 0)
		at(time.Minute, 1, 0)
		at(time.Hour, 2, 0)
		at(time.Hour, 3, 0) // 1 h left: the next look is 10 min before the end
		at(50*time.Minute, 4, 1)
		if st := r.source.Status(); st.Expiry.IsZero() || st.Validated.IsZero() {
			t.Errorf("status %+v; want the expiry and last validation", st)
		}
		// The renewed token lasts 4 h again: back to hourly.
		at(time.Hour, 5, 1)
		// Revoked between two validations: the next one renews it.
		fake.SetToken("revoked-elsewhere")
		at(time.Hour, 6, 2)
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
}

// TestTokenRefusedThenNewLogin: after a refused refresh nothing is asked
// of Twitch any more, until bot login writes a new sign-in to the token
// file; that is picked up without a restart and validated at once.
func TestTokenRefusedThenNewLogin(t *testing.T) {
	fake := twitchtest.NewHelix(t, testToken, "deskbot")
	synctest.Test(t, func(t *testing.T) {
		r := newTokenRig(t, fake, func(c *twitch.TokenSourceConfig) { c.Clock = chat.SystemClock })
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- r.source.Run(ctx) }()
		fake.RefuseRefresh()
		fake.SetToken("revoked-elsewhere")
		time.Sleep(time.Hour)
		synctest.Wait()
		if _, err := r.source.Current(); !errors.Is(err, twitch.ErrTokenRefused) {
			t.Fatalf("Current after the refused refresh: %v; want ErrTokenRefused", err)
		}
		before := len(fake.Requests())
		changed := r.source.Changed()
		time.Sleep(24 * time.Hour)
		synctest.Wait()
		if n := len(fake.Requests()) - before; n != 0 {
			t.Errorf("%d requests to Twitch with a refused token in a day; want none", n)
		}

		// bot login, in another process.
		fake.SetToken("fresh-l0gin")
		if err := twitch.WriteTokenFile(r.file, twitch.Token{AccessToken: "fresh-l0gin", RefreshToken: "fresh-r3fresh", Login: "deskbot", ClientID: "test-client"}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(twitch.DefaultPollEvery)
		synctest.Wait()
		select {
		case <-changed:
		default:
			t.Fatal("no change announced after the new sign-in")
		}
		if tok, err := r.source.Current(); err != nil || tok != "fresh-l0gin" {
			t.Errorf("Current: %v; want the new sign-in's token", err)
		}
		if n := r.count("/validate"); n != 2 {
			t.Errorf("%d validations; want 2 (the one that found the token gone, and the new sign-in's)", n)
		}
		if st := r.source.Status(); st.Refused {
			t.Errorf("status %+v; want not refused", st)
		}
		if !strings.Contains(r.logs.String(), "picked up the new twitch sign-in") {
			t.Errorf("no word of the new sign-in:\n%s", r.logs)
		}
		if strings.Contains(r.logs.String(), "fresh-") {
			t.Errorf("the new token is in the log:\n%s", r.logs)
		}
		cancel()
		<-done
	})
}

// TestStartToken: which token bot run goes live with.
func TestStartToken(t *testing.T) {
	login := twitch.Token{AccessToken: "from-login", RefreshToken: "login-refresh", Login: "deskbot", ClientID: "app"}
	rotated := twitch.Token{AccessToken: "rotated", RefreshToken: "rotated-refresh", Login: "deskbot", ClientID: "app", Seed: twitch.SeedOf("env-refresh")}
	tests := []struct {
		name   string
		env    twitch.Credentials
		file   *twitch.Token // nil: no file
		damage bool
		want   string // the access token chosen; "" for none
		seed   bool   // renewals go to the file, marked
	}{
		{name: "nothing", want: ""},
		{name: "bot login", file: &login, want: "from-login"},
		{name: "environment wins", env: twitch.Credentials{AccessToken: "oauth:env"}, file: &login, want: "env"},
		{name: "environment with refresh token", env: twitch.Credentials{AccessToken: "env", RefreshToken: "env-refresh"}, file: &login, want: "env", seed: true},
		{name: "renewed from the environment's pair", env: twitch.Credentials{AccessToken: "env", RefreshToken: "env-refresh"}, file: &rotated, want: "rotated", seed: true},
		{name: "a new pair in the environment", env: twitch.Credentials{AccessToken: "env2", RefreshToken: "env-refresh-2"}, file: &rotated, want: "env2", seed: true},
		{name: "damaged file, token in the environment", env: twitch.Credentials{AccessToken: "env"}, damage: true, want: "env"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), twitch.TokenFileName)
			if tt.file != nil {
				if err := twitch.WriteTokenFile(file, *tt.file); err != nil {
					t.Fatal(err)
				}
			}
			if tt.damage {
				os.WriteFile(file, []byte("{"), 0o600)
			}
			tok, ok, err := twitch.StartToken(tt.env, file)
			if err != nil {
				t.Fatal(err)
			}
			if ok != (tt.want != "") || tok.AccessToken != tt.want {
				t.Errorf("got %q (ok %v); want %q", tok.AccessToken, ok, tt.want)
			}
			if (tok.Seed != "") != tt.seed {
				t.Errorf("seed %q; want one: %v", tok.Seed, tt.seed)
			}
		})
	}
	// A damaged file with no token in the environment is an error
	// naming the file.
	file := filepath.Join(t.TempDir(), twitch.TokenFileName)
	os.WriteFile(file, []byte(`{"access_token": "half`), 0o600)
	if _, _, err := twitch.StartToken(twitch.Credentials{}, file); err == nil || !strings.Contains(err.Error(), file) || strings.Contains(err.Error(), "half") {
		t.Errorf("damaged file: %v; want an error naming the file, quoting nothing", err)
	}
}

// TestTokenRefreshBacksOff: a renewal the auth API answers 429 (or cannot
// answer) is tried again after 5 s, then 10, 20…, never at once by the next
// caller: every caller in between gets the last error, saying when the next
// try is. The first renewal that works ends the pauses.
func TestTokenRefreshBacksOff(t *testing.T) {
	clock := twitchtest.NewClock(time.Date(2026, 12, 4, 20, 0, 0, 0, time.UTC))
	r := newTokenRig(t, nil, func(c *twitch.TokenSourceConfig) { c.Clock = clock })
	r.fake.Expire()
	var mu sync.Mutex
	limited := true
	r.fake.Respond(func(req twitchtest.Request) (int, http.Header, string) {
		mu.Lock()
		defer mu.Unlock()
		if req.Path == "/token" && limited {
			return http.StatusTooManyRequests, nil, `{"status":429,"message":"Too Many Requests"}`
		}
		return 0, nil, ""
	})
	refresh := func() error {
		_, err := r.source.Refresh(context.Background(), testToken)
		return err
	}
	for range 20 {
		if err := refresh(); err == nil || errors.Is(err, twitch.ErrTokenRefused) {
			t.Fatalf("Refresh: %v; want a passing error", err)
		}
	}
	if n := r.count("/token"); n != 1 {
		t.Fatalf("%d renewals asked of Twitch by 20 callers at once; want 1", n)
	}
	if err := refresh(); !strings.Contains(err.Error(), "next try in 5s") {
		t.Errorf("error while waiting: %v; want it to say when the next try is", err)
	}
	for _, pause := range []time.Duration{5 * time.Second, 10 * time.Second, 20 * time.Second} {
		before := r.count("/token")
		clock.Advance(pause - time.Second)
		_ = refresh()
		if n := r.count("/token"); n != before {
			t.Fatalf("asked again %s into a %s pause", pause-time.Second, pause)
		}
		clock.Advance(time.Second)
		_ = refresh()
		if n := r.count("/token"); n != before+1 {
			t.Fatalf("after a %s pause: %d renewals, want %d", pause, n, before+1)
		}
	}
	mu.Lock()
	limited = false
	mu.Unlock()
	clock.Advance(40 * time.Second)
	if _, err := r.source.Refresh(context.Background(), testToken); err != nil {
		t.Fatalf("after the pause, with Twitch answering: %v", err)
	}
	if tok, _ := r.source.Current(); tok != r.fake.Token() {
		t.Error("the renewed token is not current")
	}
	// The next refusal is renewed at once: the pauses ended with the
	// renewal that worked.
	r.fake.Expire()
	before := r.count("/token")
	if _, err := r.source.Refresh(context.Background(), r.fake.Token()); err != nil || r.count("/token") != before+1 {
		t.Errorf("the next renewal: %v, %d asked; want it asked at once and renewed", err, r.count("/token")-before)
	}
	if n := strings.Count(r.logs.String(), "could not renew the twitch token"); n != 4 {
		t.Errorf("%d warnings; want one a try that failed (4):\n%s", n, r.logs)
	}
}
