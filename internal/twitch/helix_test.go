package twitch_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chatdesk/chatdesk/internal/twitch"
	"github.com/chatdesk/chatdesk/internal/twitch/twitchtest"
)

// newHelix returns a client of a fake Helix, validated as the bot.
func newHelix(t *testing.T, clock *twitchtest.Clock) (*twitch.Helix, *twitchtest.Helix) {
	t.Helper()
	fake := twitchtest.NewHelix(t, testToken, "deskbot")
	cfg := twitch.HelixConfig{APIURL: fake.APIURL(), AuthURL: fake.AuthURL(), Token: "oauth:" + testToken}
	if clock != nil { // a nil *Clock in the interface would be called
		cfg.Clock = clock
	}
	h, err := twitch.NewHelix(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Validate(context.Background()); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	return h, fake
}

// TestHelixRequests checks each call against the request Twitch documents:
// method, path, query, headers and the exact JSON body.
func TestHelixRequests(t *testing.T) {
	modQuery := "broadcaster_id=100&moderator_id=bot-id"
	tests := []struct {
		name      string
		call      func(context.Context, *twitch.Helix) error
		method    string
		path      string
		query     string
		body      string // JSON, compared as values; empty means no body
		wantError bool
	}{
		{"delete a message", func(ctx context.Context, h *twitch.Helix) error { return h.DeleteMessage(ctx, "100", "abc-123") },
			"DELETE", "/moderation/chat", "broadcaster_id=100&message_id=abc-123&moderator_id=bot-id", "", false},
		{"clear chat", func(ctx context.Context, h *twitch.Helix) error { return h.ClearChat(ctx, "100") },
			"DELETE", "/moderation/chat", modQuery, "", false},
		{"time out", func(ctx context.Context, h *twitch.Helix) error {
			return h.Ban(ctx, "100", "42", 10*time.Minute, "links: no links before your first follow")
		}, "POST", "/moderation/bans", modQuery, `{"data":{"user_id":"42","duration":600,"reason":"links: no links before your first follow"}}`, false},
		{"time out rounds up to whole seconds", func(ctx context.Context, h *twitch.Helix) error {
			return h.Ban(ctx, "100", "42", 1500*time.Millisecond, "caps")
		},
			"POST", "/moderation/bans", modQuery, `{"data":{"user_id":"42","duration":2,"reason":"caps"}}`, false},
		{"time out at most two weeks", func(ctx context.Context, h *twitch.Helix) error {
			return h.Ban(ctx, "100", "42", 30*24*time.Hour, "spam")
		},
			"POST", "/moderation/bans", modQuery, `{"data":{"user_id":"42","duration":1209600,"reason":"spam"}}`, false},
		{"ban", func(ctx context.Context, h *twitch.Helix) error { return h.Ban(ctx, "100", "42", 0, "bot account") },
			"POST", "/moderation/bans", modQuery, `{"data":{"user_id":"42","reason":"bot account"}}`, false},
		{"unban", func(ctx context.Context, h *twitch.Helix) error { return h.Unban(ctx, "100", "42") },
			"DELETE", "/moderation/bans", modQuery + "&user_id=42", "", false},
		{"warn", func(ctx context.Context, h *twitch.Helix) error {
			return h.Warn(ctx, "100", "42", "please keep it friendly")
		},
			"POST", "/moderation/warnings", modQuery, `{"data":{"user_id":"42","reason":"please keep it friendly"}}`, false},
		{"warn without a reason still gives one", func(ctx context.Context, h *twitch.Helix) error { return h.Warn(ctx, "100", "42", " ") },
			"POST", "/moderation/warnings", modQuery, `{"data":{"user_id":"42","reason":"please follow the channel's rules"}}`, false},
		{"announce", func(ctx context.Context, h *twitch.Helix) error {
			return h.Announce(ctx, "100", "Stream starts in 5!", "purple")
		},
			"POST", "/chat/announcements", modQuery, `{"message":"Stream starts in 5!","color":"purple"}`, false},
		{"announce in the default colour", func(ctx context.Context, h *twitch.Helix) error { return h.Announce(ctx, "100", "hi\r\nthere", "") },
			"POST", "/chat/announcements", modQuery, `{"message":"hi there"}`, false},
		{"look up users", func(ctx context.Context, h *twitch.Helix) error {
			users, err := h.Users(ctx, "Mira", "sam")
			if err == nil && (len(users) != 2 || users[0].Login != "mira" || users[0].ID != twitchtest.RoomID("mira")) {
				return fmt.Errorf("users = %+v", users)
			}
			return err
		}, "GET", "/users", "login=mira&login=sam", "", false},
		{"no channel id", func(ctx context.Context, h *twitch.Helix) error { return h.DeleteMessage(ctx, "", "x") },
			"", "", "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, fake := newHelix(t, nil)
			err := tt.call(context.Background(), h)
			if tt.wantError {
				if err == nil {
					t.Error("no error; want one")
				}
				if n := len(fake.Requests()); n != 1 {
					t.Errorf("%d requests; want only the validation", n)
				}
				return
			}
			if err != nil {
				t.Fatalf("call: %v", err)
			}
			reqs := fake.Requests()
			if len(reqs) != 2 {
				t.Fatalf("%d requests; want validate and the call", len(reqs))
			}
			r := reqs[1]
			if r.Method != tt.method || r.Path != tt.path || r.Query.Encode() != tt.query {
				t.Errorf("request %s %s?%s; want %s %s?%s", r.Method, r.Path, r.Query.Encode(), tt.method, tt.path, tt.query)
			}
			if got := r.Header.Get("Authorization"); got != "Bearer "+testToken {
				t.Errorf("Authorization %q; want the bare token as Bearer", got)
			}
			if got := r.Header.Get("Client-Id"); got != "test-client" {
				t.Errorf("Client-Id %q; want the token's client, test-client", got)
			}
			if tt.body == "" {
				if r.Body != "" {
					t.Errorf("body %s; want none", r.Body)
				}
				return
			}
			if ct := r.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q; want application/json", ct)
			}
			var got, want any
			if err := json.Unmarshal([]byte(r.Body), &got); err != nil {
				t.Fatalf("body %q is not JSON: %v", r.Body, err)
			}
			json.Unmarshal([]byte(tt.body), &want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("body %s; want %s", r.Body, tt.body)
			}
		})
	}
}

func TestHelixValidate(t *testing.T) {
	h, fake := newHelix(t, nil)
	r := fake.Requests()[0]
	if r.Method != "GET" || r.Path != "/validate" || r.Header.Get("Authorization") != "OAuth "+testToken {
		t.Errorf("validate request %s %s with Authorization %q; want GET /validate, OAuth <token>", r.Method, r.Path, r.Header.Get("Authorization"))
	}
	if self := h.Self(); self.Login != "deskbot" || self.UserID != "bot-id" || !self.HasScope(twitch.ScopeBans) {
		t.Errorf("Self() = %+v", self)
	}

	bad, _ := twitch.NewHelix(twitch.HelixConfig{APIURL: fake.APIURL(), AuthURL: fake.AuthURL(), Token: "wrong"})
	if _, err := bad.Validate(context.Background()); !errors.Is(err, twitch.ErrUnauthorized) {
		t.Errorf("Validate with a bad token = %v; want ErrUnauthorized", err)
	}
	other, _ := twitch.NewHelix(twitch.HelixConfig{APIURL: fake.APIURL(), AuthURL: fake.AuthURL(), Token: testToken, ClientID: "someone-else"})
	if _, err := other.Validate(context.Background()); err == nil || !strings.Contains(err.Error(), "CHATDESK_TWITCH_CLIENT_ID") {
		t.Errorf("Validate with another client id = %v; want an error naming CHATDESK_TWITCH_CLIENT_ID", err)
	}
}

func TestHelixRefusesBadURLs(t *testing.T) {
	for _, u := range []string{"", "api.twitch.tv/helix", "ftp://x/y", "http://"} {
		if _, err := twitch.NewHelix(twitch.HelixConfig{APIURL: u, AuthURL: "https://id.twitch.tv/oauth2"}); err == nil {
			t.Errorf("NewHelix with api url %q: no error", u)
		}
	}
}

// TestHelix429WaitsForReset: a 429 is retried once the moment named in
// Ratelimit-Reset has come, by the client's clock.
func TestHelix429WaitsForReset(t *testing.T) {
	clock := twitchtest.NewClock(time.Date(2025, 5, 1, 18, 0, 0, 0, time.UTC))
	h, fake := newHelix(t, clock)
	var calls atomic.Int32
	reset := clock.Now().Add(7 * time.Second).Unix()
	fake.Respond(func(r twitchtest.Request) (int, http.Header, string) {
		if r.Path == "/moderation/bans" && calls.Add(1) == 1 {
			return http.StatusTooManyRequests, http.Header{"Ratelimit-Reset": {fmt.Sprint(reset)}, "Ratelimit-Remaining": {"0"}},
				`{"error":"Too Many Requests","status":429,"message":"Too Many Requests"}`
		}
		return 0, nil, ""
	})
	done := make(chan error, 1)
	go func() { done <- h.Ban(context.Background(), "100", "42", time.Minute, "flood") }()
	select {
	case <-clock.TimerAdded():
	case err := <-done:
		t.Fatalf("Ban returned %v without waiting", err)
	}
	if d, _ := clock.AdvanceToLast(); d != 7*time.Second {
		t.Errorf("waited %v; want 7s, until Ratelimit-Reset", d)
	}
	if err := <-done; err != nil {
		t.Errorf("Ban after the reset = %v; want nil", err)
	}
	if n := calls.Load(); n != 2 {
		t.Errorf("%d ban requests; want 2", n)
	}
}

func TestHelix429GivesUp(t *testing.T) {
	clock := twitchtest.NewClock(time.Date(2025, 5, 1, 18, 0, 0, 0, time.UTC))
	h, fake := newHelix(t, clock)
	fake.Respond(func(r twitchtest.Request) (int, http.Header, string) {
		if r.Path == "/moderation/chat" {
			return http.StatusTooManyRequests, nil, `{"status":429,"message":"Too Many Requests"}`
		}
		return 0, nil, ""
	})
	done := make(chan error, 1)
	go func() { done <- h.DeleteMessage(context.Background(), "100", "m1") }()
	for {
		select {
		case <-clock.TimerAdded():
			clock.AdvanceToLast()
			continue
		case err := <-done:
			if !errors.Is(err, twitch.ErrRateLimited) {
				t.Errorf("DeleteMessage = %v; want ErrRateLimited", err)
			}
			if n := len(fake.Requests()); n != 1+4 {
				t.Errorf("%d delete requests; want 4 (one and three retries)", n-1)
			}
			return
		}
	}
}

func TestHelix5xxRetries(t *testing.T) {
	clock := twitchtest.NewClock(time.Date(2025, 5, 1, 18, 0, 0, 0, time.UTC))
	h, fake := newHelix(t, clock)
	var calls atomic.Int32
	fake.Respond(func(r twitchtest.Request) (int, http.Header, string) {
		if r.Path == "/moderation/warnings" && calls.Add(1) <= 2 {
			return http.StatusServiceUnavailable, nil, `{"status":503,"message":"upstream"}`
		}
		return 0, nil, ""
	})
	done := make(chan error, 1)
	go func() { done <- h.Warn(context.Background(), "100", "42", "calm down") }()
	var waits []time.Duration
	for {
		select {
		case <-clock.TimerAdded():
			d, _ := clock.AdvanceToLast()
			waits = append(waits, d)
			continue
		case err := <-done:
			if err != nil {
				t.Errorf("Warn = %v; want nil on the third try", err)
			}
			if fmt.Sprint(waits) != "[250ms 500ms]" {
				t.Errorf("waited %v; want [250ms 500ms]", waits)
			}
			return
		}
	}
}

func TestHelix4xxIsNotRetried(t *testing.T) {
	h, fake := newHelix(t, nil)
	fake.Respond(func(r twitchtest.Request) (int, http.Header, string) {
		if r.Path == "/moderation/bans" {
			return http.StatusBadRequest, nil, `{"error":"Bad Request","status":400,"message":"The user specified in the user_id field may not be banned."}`
		}
		return 0, nil, ""
	})
	err := h.Ban(context.Background(), "100", "100", 0, "x")
	var apiErr *twitch.APIError
	if !errors.As(err, &apiErr) || apiErr.Status != 400 || !strings.Contains(err.Error(), "may not be banned") {
		t.Errorf("Ban = %v; want Twitch's 400 with its message", err)
	}
	if n := len(fake.Requests()); n != 2 {
		t.Errorf("%d requests; want validate and one ban", n)
	}
}

func TestHelix401(t *testing.T) {
	h, fake := newHelix(t, nil)
	fake.SetToken("a-new-token") // the bot's token was revoked
	err := h.DeleteMessage(context.Background(), "100", "m1")
	if !errors.Is(err, twitch.ErrUnauthorized) {
		t.Errorf("DeleteMessage with a revoked token = %v; want ErrUnauthorized", err)
	}
	if strings.Contains(err.Error(), testToken) {
		t.Errorf("the error shows the token: %v", err)
	}
}

func TestHelixContextCancelsWait(t *testing.T) {
	clock := twitchtest.NewClock(time.Date(2025, 5, 1, 18, 0, 0, 0, time.UTC))
	h, fake := newHelix(t, clock)
	fake.Respond(func(r twitchtest.Request) (int, http.Header, string) {
		return http.StatusTooManyRequests, nil, `{}`
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.Unban(ctx, "100", "42") }()
	<-clock.TimerAdded()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Unban = %v; want context.Canceled", err)
	}
}
