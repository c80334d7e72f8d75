package twitch_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/chatdesk/chatdesk/internal/twitch"
	"github.com/chatdesk/chatdesk/internal/twitch/twitchtest"
)

func TestPreflight(t *testing.T) {
	tests := []struct {
		name      string
		token     string
		username  string
		scopes    []string
		channels  []string
		wantErr   string // empty: no error
		badCreds  bool
		wantWarns []string
		// noModeration: no channel moderates, so the moderation scopes
		// are not wanted.
		noModeration bool
	}{
		{name: "all good", token: testToken, username: "deskbot", scopes: twitchtest.AllScopes, channels: []string{"mira", "sam"}},
		{name: "username taken from the token", token: testToken, scopes: twitchtest.AllScopes, channels: []string{"mira"}},
		{name: "refused token", token: "zz-stale-token-zz", username: "deskbot", channels: []string{"mira"},
			wantErr: "Twitch refused the token", badCreds: true},
		{name: "token of another account", token: testToken, username: "otherbot", scopes: twitchtest.AllScopes, channels: []string{"mira"},
			wantErr: `twitch.username is "otherbot" but the token belongs to "deskbot"`, badCreds: true},
		{name: "no chat scopes", token: testToken, scopes: []string{"moderator:manage:banned_users"}, channels: []string{"mira"},
			wantErr: "the token lacks chat:read and chat:edit", badCreds: true},
		{name: "no moderation scopes", token: testToken, scopes: []string{"chat:read", "chat:edit"}, channels: []string{"mira"},
			wantWarns: []string{"moderator:manage:banned_users", "moderator:manage:chat_messages", "moderator:manage:warnings", "moderator:manage:announcements"}},
		{name: "no moderation scopes, none wanted", token: testToken, scopes: []string{"chat:read", "chat:edit"}, channels: []string{"mira"},
			noModeration: true, wantWarns: []string{"moderator:manage:announcements"}},
		{name: "unknown channel", token: testToken, scopes: twitchtest.AllScopes, channels: []string{"mira", "nosuchchannel"},
			wantErr: "no twitch channel named nosuchchannel"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := twitchtest.NewHelix(t, testToken, "deskbot")
			fake.SetScopes(tt.scopes...)
			h, _ := twitch.NewHelix(twitch.HelixConfig{APIURL: fake.APIURL(), AuthURL: fake.AuthURL(), Token: tt.token})
			acct, err := twitch.Preflight(context.Background(), h, tt.username, tt.channels, twitch.LoginScopes(!tt.noModeration))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Preflight = %v; want an error saying %q", err, tt.wantErr)
				}
				if errors.Is(err, twitch.ErrBadCredentials) != tt.badCreds {
					t.Errorf("errors.Is(err, ErrBadCredentials) = %v; want %v", !tt.badCreds, tt.badCreds)
				}
				if strings.Contains(err.Error(), tt.token) {
					t.Errorf("the error shows the token: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Preflight = %v", err)
			}
			for _, ch := range tt.channels {
				if acct.ChannelIDs[ch] != twitchtest.RoomID(ch) {
					t.Errorf("channel id of %s = %q; want %q", ch, acct.ChannelIDs[ch], twitchtest.RoomID(ch))
				}
			}
			if len(acct.Warnings) != len(tt.wantWarns) {
				t.Fatalf("warnings %q; want one for each of %q", acct.Warnings, tt.wantWarns)
			}
			for i, w := range tt.wantWarns {
				if !strings.Contains(acct.Warnings[i], w) {
					t.Errorf("warning %q; want it to name %s", acct.Warnings[i], w)
				}
			}
		})
	}
}
