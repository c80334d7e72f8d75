package web

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatdesk/chatdesk/internal/escalation"
	"github.com/chatdesk/chatdesk/internal/twitch/twitchtest"
)

// fakeTwitch is what the fake Twitch says: which channels the user
// moderates, and whether it still takes their token.
type fakeTwitch struct {
	mu      sync.Mutex
	mods    []string
	revoked bool
}

func (ft *fakeTwitch) set(revoked bool, mods ...string) {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	ft.mods, ft.revoked = mods, revoked
}

// twitchFixture is the desk with Log in with Twitch against a fake Twitch
// where login moderates the channels in mods.
func twitchFixture(t *testing.T, login string, mods ...string) (*fixture, *fakeTwitch) {
	return twitchFixtureAt(t, time.Now, login, mods...)
}

func twitchFixtureAt(t *testing.T, now func() time.Time, login string, mods ...string) (*fixture, *fakeTwitch) {
	h := twitchtest.NewHelix(t, "user-token", login)
	ft := &fakeTwitch{mods: mods}
	h.Respond(func(r twitchtest.Request) (int, http.Header, string) {
		ft.mu.Lock()
		defer ft.mu.Unlock()
		switch {
		case r.Method == "POST" && r.Path == "/token":
			form, _ := url.ParseQuery(r.Body)
			if form.Get("grant_type") != "authorization_code" || form.Get("code") != "good-code" || form.Get("client_secret") != "s3cret" ||
				form.Get("redirect_uri") != "https://desk.example.com/login/twitch/callback" {
				return http.StatusBadRequest, nil, `{"status":400,"message":"Invalid authorization code"}`
			}
			return 200, nil, `{"access_token":"user-token","refresh_token":"r","expires_in":14000,"token_type":"bearer","scope":["user:read:moderated_channels"]}`
		case r.Method == "GET" && r.Path == "/moderation/channels":
			if ft.revoked || r.Query.Get("user_id") != "bot-id" || r.Header.Get("Authorization") != "Bearer user-token" {
				return http.StatusUnauthorized, nil, `{"error":"Unauthorized","status":401,"message":"Invalid OAuth token"}`
			}
			var data []string
			for _, m := range ft.mods {
				data = append(data, `{"broadcaster_id":"`+twitchtest.RoomID(m)+`","broadcaster_login":"`+m+`","broadcaster_name":"`+m+`"}`)
			}
			return 200, nil, `{"data":[` + strings.Join(data, ",") + `],"pagination":{}}`
		}
		return 0, nil, ""
	})
	f := newFixture(t, escalation.NewMemoryStore(), func(s *setup) {
		s.Now = now
		s.PublicURL = "https://desk.example.com"
		s.Twitch = &TwitchLogin{ClientID: "test-client", ClientSecret: "s3cret", AuthURL: h.AuthURL(), APIURL: h.APIURL()}
	})
	return f, ft
}

// signInWithTwitch goes through the flow as a browser does, Twitch's own
// consent page aside, and returns the callback's answer.
func signInWithTwitch(t *testing.T, b *browser, code string, state func(string) string) page {
	t.Helper()
	p := b.get("/login/twitch")
	loc, err := url.Parse(p.header.Get("Location"))
	if p.status != http.StatusSeeOther || err != nil || !strings.HasSuffix(loc.Path, "/oauth2/authorize") {
		t.Fatalf("start: %d %q", p.status, p.header.Get("Location"))
	}
	q := loc.Query()
	if q.Get("client_id") != "test-client" || q.Get("scope") != ModeratedChannelsScope || q.Get("response_type") != "code" {
		t.Fatalf("authorize query %v", q)
	}
	return b.get("/login/twitch/callback?code=" + url.QueryEscape(code) + "&state=" + url.QueryEscape(state(q.Get("state"))))
}

func same(s string) string { return s }

// TestLogInWithTwitch: a moderator is let into the channels Twitch says
// they moderate, the broadcaster into their own, and nobody else anywhere.
func TestLogInWithTwitch(t *testing.T) {
	for _, tc := range []struct {
		login      string
		mods       []string
		mira, otto int
	}{
		{"kim", []string{"mira", "someone_else"}, 200, 403},
		{"mira", nil, 200, 403},
		{"vic", nil, 403, 403},
	} {
		t.Run(tc.login, func(t *testing.T) {
			f, _ := twitchFixture(t, tc.login, tc.mods...)
			b := f.browser()
			p := signInWithTwitch(t, b, "good-code", same)
			if p.status != http.StatusSeeOther || p.header.Get("Location") != "/desk" {
				t.Fatalf("callback: %d\n%s", p.status, p.body)
			}
			if ck := b.cookies[sessionCookie]; ck == nil || !ck.Secure || !ck.HttpOnly {
				t.Fatalf("session cookie %+v; want Secure (public_url is https) and HttpOnly", ck)
			}
			if got := b.get("/desk/mira").status; got != tc.mira {
				t.Errorf("/desk/mira: %d; want %d", got, tc.mira)
			}
			if got := b.get("/desk/otto").status; got != tc.otto {
				t.Errorf("/desk/otto: %d; want %d", got, tc.otto)
			}
		})
	}
}

// TestLogInWithTwitchRefused: a callback with another state, without the
// state cookie, or with a code Twitch refuses signs nobody in.
func TestLogInWithTwitchRefused(t *testing.T) {
	f, _ := twitchFixture(t, "kim", "mira")
	for _, tc := range []struct {
		name, code string
		state      func(string) string
		want       int
	}{
		{"forged state", "good-code", func(string) string { return "forged" }, http.StatusForbidden},
		{"bad code", "stolen-code", same, http.StatusBadGateway},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := f.browser()
			if p := signInWithTwitch(t, b, tc.code, tc.state); p.status != tc.want {
				t.Fatalf("callback: %d; want %d\n%s", p.status, tc.want, p.body)
			}
			if p := b.get("/desk/mira"); p.status != http.StatusSeeOther {
				t.Errorf("signed in after a refused callback: %d", p.status)
			}
		})
	}
	b := f.browser()
	if p := b.get("/login/twitch/callback?code=good-code&state=x"); p.status != http.StatusForbidden {
		t.Errorf("a callback that never started here: %d", p.status)
	}
}

// TestTwitchRolesRechecked: every TwitchRecheck the desk asks Twitch again
// with the user's token; a moderator who lost the role loses the desk, and
// a token Twitch no longer takes signs the user out.
func TestTwitchRolesRechecked(t *testing.T) {
	var mu sync.Mutex
	at := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return at }
	advance := func(d time.Duration) { mu.Lock(); at = at.Add(d); mu.Unlock() }
	f, ft := twitchFixtureAt(t, clock, "kim", "mira", "otto")
	b := f.browser()
	if p := signInWithTwitch(t, b, "good-code", same); p.status != http.StatusSeeOther {
		t.Fatalf("sign in: %d", p.status)
	}
	if got := b.get("/desk/otto").status; got != 200 {
		t.Fatalf("/desk/otto: %d", got)
	}
	ft.set(false, "mira") // kim is no longer otto's moderator
	advance(TwitchRecheck - time.Second)
	if got := b.get("/desk/otto").status; got != 200 {
		t.Errorf("before the re-check: %d; want 200 (the last answer holds)", got)
	}
	advance(2 * time.Second)
	if got := b.get("/desk/otto").status; got != http.StatusForbidden {
		t.Errorf("after the re-check: %d; want 403", got)
	}
	if got := b.get("/desk/mira").status; got != 200 {
		t.Errorf("/desk/mira after the re-check: %d; want 200", got)
	}
	ft.set(true, "mira")
	advance(TwitchRecheck)
	if got := b.get("/desk/mira").status; got != http.StatusSeeOther {
		t.Errorf("with the token refused: %d; want 303 to sign in", got)
	}
}
