package twitch_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/chatdesk/chatdesk/internal/twitch"
	"github.com/chatdesk/chatdesk/internal/twitch/twitchtest"
)

// login runs a device-code sign-in against fake, moving the clock on each
// time the flow waits for its next poll. It returns what Run returned and
// printed, and the waits between polls.
func login(t *testing.T, fake *twitchtest.Helix, username string) (twitch.Token, string, []time.Duration, error) {
	t.Helper()
	clock := twitchtest.NewClock(time.Date(2025, 5, 1, 18, 0, 0, 0, time.UTC))
	l := twitch.DeviceLogin{
		AuthURL: fake.AuthURL(), ClientID: "test-client", Scopes: twitch.LoginScopes(true), Username: username,
		File: filepath.Join(t.TempDir(), "data", twitch.TokenFileName), Clock: clock,
	}
	var out bytes.Buffer
	type result struct {
		tok twitch.Token
		err error
	}
	done := make(chan result, 1)
	go func() {
		tok, err := l.Run(context.Background(), &out)
		done <- result{tok, err}
	}()
	var waits []time.Duration
	deadline := time.After(10 * time.Second)
	for {
		select {
		case r := <-done:
			if r.err != nil {
				if s := r.err.Error(); strings.Contains(s, testToken) || strings.Contains(s, twitchtest.RefreshToken) {
					t.Errorf("the error shows a token: %s", s)
				}
			}
			if s := out.String(); strings.Contains(s, testToken) || strings.Contains(s, twitchtest.RefreshToken) {
				t.Errorf("the output shows a token:\n%s", s)
			}
			return r.tok, out.String(), waits, r.err
		case <-clock.TimerAdded():
			if d, ok := clock.AdvanceToLast(); ok {
				waits = append(waits, d)
			}
		case <-deadline:
			t.Fatal("the sign-in did not end within 10s")
		}
	}
}

// TestDeviceLogin: the user takes two polls to enter the code; the flow
// keeps polling at Twitch's interval, then stores the tokens for the
// account the code was entered as, in a file only its owner can read.
func TestDeviceLogin(t *testing.T) {
	fake := twitchtest.NewHelix(t, testToken, "deskbot")
	fake.DeviceFlow(twitchtest.DevicePending, twitchtest.DevicePending, twitchtest.DeviceApproved)
	tok, out, waits, err := login(t, fake, "deskbot")
	if err != nil {
		t.Fatalf("login: %v", err)
	}
	if want := []time.Duration{5 * time.Second, 5 * time.Second, 5 * time.Second}; !reflect.DeepEqual(waits, want) {
		t.Errorf("waits between polls %v; want %v", waits, want)
	}
	for _, want := range []string{fake.URL + "/activate", twitchtest.UserCode, "Signed in to Twitch as deskbot", twitch.TokenFileName} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if tok.Login != "deskbot" || tok.UserID != "bot-id" || tok.AccessToken != testToken || tok.RefreshToken != twitchtest.RefreshToken {
		t.Errorf("token for %s/%s, access ok %v, refresh ok %v", tok.Login, tok.UserID, tok.AccessToken == testToken, tok.RefreshToken == twitchtest.RefreshToken)
	}
	if want := time.Date(2025, 5, 1, 18, 0, 15, 0, time.UTC).Add(4 * time.Hour); !tok.Expiry.Equal(want) {
		t.Errorf("expiry %v; want %v", tok.Expiry, want)
	}

	// What was asked for and sent, as Twitch documents it.
	var device, token int
	for _, r := range fake.Requests() {
		switch r.Path {
		case "/device":
			device++
			if want := "client_id=test-client&scopes=chat%3Aread+chat%3Aedit+moderator%3Amanage%3Abanned_users+moderator%3Amanage%3Achat_messages+moderator%3Amanage%3Awarnings+moderator%3Amanage%3Aannouncements"; r.Body != want {
				t.Errorf("/device body %s; want %s", r.Body, want)
			}
		case "/token":
			token++
			if !strings.Contains(r.Body, "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code") || !strings.Contains(r.Body, "device_code="+twitchtest.DeviceCode) {
				t.Errorf("/token body %s", r.Body)
			}
		}
	}
	if device != 1 || token != 3 {
		t.Errorf("%d /device and %d /token requests; want 1 and 3", device, token)
	}
}

// TestTokenFile: the stored file is mode 0600, holds what bot run needs,
// and reads back; printing or logging the token shows only the account.
func TestTokenFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data", twitch.TokenFileName)
	tok := twitch.Token{AccessToken: testToken, RefreshToken: twitchtest.RefreshToken, Login: "deskbot", ClientID: "test-client", Scopes: []string{"chat:read"},
		Expiry: time.Date(2025, 5, 1, 22, 0, 0, 0, time.UTC)}
	// A file left readable by others is made private too.
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := twitch.WriteTokenFile(path, tok); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v; want 0600", fi.Mode().Perm())
	}
	got, ok, err := twitch.ReadTokenFile(path)
	if err != nil || !ok || !reflect.DeepEqual(got, tok) {
		t.Errorf("read back ok=%v err=%v, same=%v", ok, err, reflect.DeepEqual(got, tok))
	}

	var logs bytes.Buffer
	slog.New(slog.NewTextHandler(&logs, nil)).Info("signed in", "token", tok)
	printed := fmt.Sprintf("%v %+v %#v %s %q", tok, tok, tok, tok, tok) + logs.String()
	if strings.Contains(printed, testToken) || strings.Contains(printed, twitchtest.RefreshToken) {
		t.Errorf("printing the token shows it: %s", printed)
	}
	if !strings.Contains(printed, "deskbot") {
		t.Errorf("printing the token does not name the account: %s", printed)
	}

	if _, ok, err := twitch.ReadTokenFile(filepath.Join(t.TempDir(), "none.json")); ok || err != nil {
		t.Errorf("a missing file: ok=%v err=%v; want false, nil", ok, err)
	}
	damaged := `{"access_token": "` + testToken + `", x}`
	if err := os.WriteFile(path, []byte(damaged), 0o600); err != nil {
		t.Fatal(err)
	}
	_, _, err = twitch.ReadTokenFile(path)
	if err == nil || !strings.Contains(err.Error(), path) || strings.Contains(err.Error(), testToken) {
		t.Errorf("a damaged file: %v; want an error naming %s and not the token", err, path)
	}
}

// TestDeviceLoginFails: each way a sign-in ends without a token, with the
// message the user sees, and no file left behind.
func TestDeviceLoginFails(t *testing.T) {
	for _, tt := range []struct {
		name     string
		steps    []string
		username string
		want     error
		wantMsg  string
	}{
		{name: "denied", steps: []string{twitchtest.DevicePending, twitchtest.DeviceDenied}, want: twitch.ErrLoginDenied},
		{name: "expired code", steps: []string{twitchtest.DevicePending, twitchtest.DeviceExpired}, want: twitch.ErrLoginExpired},
		{name: "never entered", steps: []string{twitchtest.DevicePending}, want: twitch.ErrLoginExpired},
		{name: "another account", steps: []string{twitchtest.DeviceApproved}, username: "otherbot",
			wantMsg: `twitch.username is "otherbot" but the code was entered as "deskbot"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fake := twitchtest.NewHelix(t, testToken, "deskbot")
			fake.DeviceFlow(tt.steps...)
			_, out, _, err := login(t, fake, tt.username)
			switch {
			case err == nil:
				t.Fatalf("login succeeded; output:\n%s", out)
			case tt.want != nil && !errors.Is(err, tt.want):
				t.Errorf("error %v; want %v", err, tt.want)
			case tt.wantMsg != "" && !strings.Contains(err.Error(), tt.wantMsg):
				t.Errorf("error %v; want it to say %s", err, tt.wantMsg)
			}
			if strings.Contains(out, "Signed in") {
				t.Errorf("says it signed in:\n%s", out)
			}
			if tt.username != "" && !reflect.DeepEqual(fake.Revoked(), []string{testToken}) {
				t.Errorf("the other account's token was not revoked")
			}
		})
	}
}

// TestDeviceLoginSlowDown: each slow_down adds five seconds to the wait
// between polls, for the rest of the sign-in.
func TestDeviceLoginSlowDown(t *testing.T) {
	fake := twitchtest.NewHelix(t, testToken, "deskbot")
	fake.DeviceFlow(twitchtest.DeviceSlowDown, twitchtest.DevicePending, twitchtest.DeviceSlowDown, twitchtest.DeviceApproved)
	_, _, waits, err := login(t, fake, "")
	if err != nil {
		t.Fatalf("login: %v", err)
	}
	if want := []time.Duration{5 * time.Second, 10 * time.Second, 10 * time.Second, 15 * time.Second}; !reflect.DeepEqual(waits, want) {
		t.Errorf("waits between polls %v; want %v", waits, want)
	}
}

// TestDeviceLoginWrongClient: a client id Twitch does not know (or one
// that is not a public client) gets a hint at what to check.
func TestDeviceLoginWrongClient(t *testing.T) {
	fake := twitchtest.NewHelix(t, testToken, "deskbot")
	l := twitch.DeviceLogin{AuthURL: fake.AuthURL(), ClientID: "no-such-client", Scopes: twitch.LoginScopes(true), File: filepath.Join(t.TempDir(), "t.json")}
	_, err := l.Run(context.Background(), io.Discard)
	if err == nil || !strings.Contains(err.Error(), "invalid client") || !strings.Contains(err.Error(), "client type is Public") {
		t.Errorf("Run = %v; want Twitch's invalid client and a hint", err)
	}
	var none bytes.Buffer
	if _, err := (twitch.DeviceLogin{AuthURL: fake.AuthURL()}).Run(context.Background(), &none); !errors.Is(err, twitch.ErrNoClientID) || none.Len() > 0 {
		t.Errorf("Run with no client id = %v, printed %q; want ErrNoClientID and nothing printed", err, none.String())
	}
}

// TestLoginScopes: chat and announcements always, the moderation scopes
// only when the bot moderates; every one is a scope Preflight knows.
func TestLoginScopes(t *testing.T) {
	if got, want := twitch.LoginScopes(true), twitchtest.AllScopes; !reflect.DeepEqual(got, want) {
		t.Errorf("moderating: %v; want %v", got, want)
	}
	if got, want := twitch.LoginScopes(false), []string{"chat:read", "chat:edit", "moderator:manage:announcements"}; !reflect.DeepEqual(got, want) {
		t.Errorf("not moderating: %v; want %v", got, want)
	}
}

// TestLogout revokes the stored token and deletes the file; with no file
// it does nothing and says so.
func TestLogout(t *testing.T) {
	fake := twitchtest.NewHelix(t, testToken, "deskbot")
	path := filepath.Join(t.TempDir(), twitch.TokenFileName)
	if err := twitch.WriteTokenFile(path, twitch.Token{AccessToken: testToken, Login: "deskbot", ClientID: "test-client"}); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := twitch.Logout(context.Background(), nil, fake.AuthURL(), path, &out); err != nil {
		t.Fatalf("Logout: %v", err)
	}
	if got := fake.Revoked(); !reflect.DeepEqual(got, []string{testToken}) {
		t.Errorf("revoked %d tokens; want the stored one", len(got))
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the token file is still there: %v", err)
	}
	if !strings.Contains(out.String(), "Signed deskbot out") {
		t.Errorf("output %q; want it to say the account is signed out", out.String())
	}
	out.Reset()
	if err := twitch.Logout(context.Background(), nil, fake.AuthURL(), path, &out); err != nil {
		t.Errorf("Logout with no file: %v", err)
	}
	if !strings.Contains(out.String(), "No Twitch sign-in is stored") || len(fake.Revoked()) != 1 {
		t.Errorf("with no file: output %q, %d revocations; want it to say so and revoke nothing", out.String(), len(fake.Revoked()))
	}
}
