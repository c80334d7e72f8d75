package twitch_test

import (
	"strings"
	"testing"

	"github.com/chatdesk/chatdesk/internal/twitch"
)

func TestSectionCheck(t *testing.T) {
	ok := twitch.Section{Username: " @DeskBot ", IRCAddress: "irc.chat.twitch.tv:6697", APIURL: twitch.DefaultAPIURL, AuthURL: twitch.DefaultAuthURL, JoinLimit: 20}
	tests := []struct {
		name  string
		edit  func(*twitch.Section)
		field string // "" for no problem
	}{
		{"the defaults", func(*twitch.Section) {}, ""},
		{"a verified bot's join limit", func(s *twitch.Section) { s.JoinLimit = 2000 }, ""},
		{"a login with a space", func(s *twitch.Section) { s.Username = "desk bot" }, "username"},
		{"an address without a port", func(s *twitch.Section) { s.IRCAddress = "irc.chat.twitch.tv" }, "irc_address"},
		{"an address without a host", func(s *twitch.Section) { s.IRCAddress = ":6697" }, "irc_address"},
		{"an API address without a scheme", func(s *twitch.Section) { s.APIURL = "api.twitch.tv/helix" }, "api_url"},
		{"a sign-in address over ftp", func(s *twitch.Section) { s.AuthURL = "ftp://id.twitch.tv" }, "auth_url"},
		{"no joins at all", func(s *twitch.Section) { s.JoinLimit = 0 }, "join_limit"},
		{"a refresh token without its token", func(s *twitch.Section) { s.RefreshToken = "r" }, "refresh_token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := ok
			tt.edit(&s)
			var got []string
			s.Check(func(field, msg string) { got = append(got, field+": "+msg) })
			switch {
			case tt.field == "" && len(got) > 0:
				t.Errorf("problems %q; want none", got)
			case tt.field != "" && (len(got) != 1 || !strings.HasPrefix(got[0], tt.field+": ")):
				t.Errorf("problems %q; want one about %s", got, tt.field)
			}
			if tt.field == "" && s.Username != "deskbot" {
				t.Errorf("username %q; want it normalised to deskbot", s.Username)
			}
		})
	}
}
