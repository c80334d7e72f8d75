package twitch

import (
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// Default addresses of Twitch's API and sign-in service.
const (
	DefaultAPIURL  = "https://api.twitch.tv/helix"
	DefaultAuthURL = "https://id.twitch.tv/oauth2"
)

// Section is the twitch section of the config: how to reach Twitch.
// Secrets never live in the file: the client id and tokens come from
// CHATDESK_TWITCH_CLIENT_ID, CHATDESK_TWITCH_TOKEN and
// CHATDESK_TWITCH_REFRESH_TOKEN (with CHATDESK_TWITCH_CLIENT_SECRET for a
// confidential client's token), else from the file bot login writes.
type Section struct {
	Username   string `mapstructure:"username"`
	IRCAddress string `mapstructure:"irc_address"`
	TLS        bool   `mapstructure:"tls"`
	APIURL     string `mapstructure:"api_url"`
	AuthURL    string `mapstructure:"auth_url"`
	Token      string `mapstructure:"token"`
	// RefreshToken renews Token when it expires. ClientSecret goes with
	// it for a token from the authorization-code flow, and turns on the
	// web desk's "Log in with Twitch".
	RefreshToken string `mapstructure:"refresh_token"`
	ClientID     string `mapstructure:"client_id"`
	ClientSecret string `mapstructure:"client_secret"`
	// JoinLimit is how many channels the account may join per JoinWindow.
	JoinLimit int `mapstructure:"join_limit"`
}

// SectionDefaults are the section's defaults, by key.
func SectionDefaults() map[string]any {
	return map[string]any{
		"username": "", "irc_address": "irc.chat.twitch.tv:6697", "tls": true,
		"api_url": DefaultAPIURL, "auth_url": DefaultAuthURL,
		"token": "", "client_id": "", "refresh_token": "", "client_secret": "",
		"join_limit": DefaultJoinLimit,
	}
}

var loginShape = regexp.MustCompile(`^[a-z0-9_]{1,25}$`)

// Check normalises the username and reports values that are well-typed
// but wrong, by field within the section: a mistyped address would
// otherwise only show when the bot tries to go live.
func (s *Section) Check(report func(field, msg string)) {
	add := func(field, format string, args ...any) { report(field, fmt.Sprintf(format, args...)) }
	s.Username = strings.TrimPrefix(strings.ToLower(strings.TrimSpace(s.Username)), "@")
	if s.Username != "" && !loginShape.MatchString(s.Username) {
		add("username", "want the bot account's Twitch login (letters, digits, _), got %q", s.Username)
	}
	i := strings.LastIndex(s.IRCAddress, ":")
	if _, err := strconv.Atoi(s.IRCAddress[i+1:]); i <= 0 || err != nil {
		add("irc_address", "want host:port such as irc.chat.twitch.tv:6697, got %q", s.IRCAddress)
	}
	for _, f := range []struct{ name, value, example string }{{"api_url", s.APIURL, DefaultAPIURL}, {"auth_url", s.AuthURL, DefaultAuthURL}} {
		if u, err := url.Parse(f.value); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			add(f.name, "want an http(s) URL such as %s, got %q", f.example, f.value)
		}
	}
	if s.JoinLimit < 1 || s.JoinLimit > 2000 {
		add("join_limit", "want channels joined per 10 seconds: 20 for an ordinary account, up to 2000 for a verified bot, got %d", s.JoinLimit)
	}
	if s.RefreshToken != "" && s.Token == "" {
		add("refresh_token", "goes with the access token it renews: set CHATDESK_TWITCH_TOKEN beside it (or sign in with bot login instead)")
	}
}
