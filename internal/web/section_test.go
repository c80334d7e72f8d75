package web

import "testing"

// TestSectionDesk: Log in with Twitch needs both the secret and the
// public address; local links are the console's only way in.
func TestSectionDesk(t *testing.T) {
	tl := &TwitchLogin{ClientID: "id", ClientSecret: "secret"}
	tests := []struct {
		name         string
		s            Section
		live         bool
		tl           *TwitchLogin
		twitch, link bool
	}{
		{"console", Section{PublicURL: "https://desk.example.com"}, false, tl, false, true},
		{"live with secret and address", Section{PublicURL: "https://desk.example.com/"}, true, tl, true, false},
		{"live with a secret alone (a token's renewal)", Section{}, true, tl, false, false},
		{"live without a secret", Section{PublicURL: "https://desk.example.com"}, true, nil, false, false},
		{"live with local links asked for", Section{LocalLogin: true}, true, nil, false, true},
	}
	for _, tt := range tests {
		c := tt.s.Desk(tt.live, tt.tl)
		if (c.Twitch != nil) != tt.twitch || c.LocalLogin != tt.link {
			t.Errorf("%s: Twitch login %v, local links %v; want %v, %v", tt.name, c.Twitch != nil, c.LocalLogin, tt.twitch, tt.link)
		}
		if c.PublicURL != "" && c.PublicURL[len(c.PublicURL)-1] == '/' {
			t.Errorf("%s: public URL %q keeps its trailing slash", tt.name, c.PublicURL)
		}
	}
}

func TestSectionCheck(t *testing.T) {
	for _, tt := range []struct {
		s    Section
		want string
	}{
		{Section{Addr: "127.0.0.1:8080", PublicURL: "https://desk.example.com"}, ""},
		{Section{}, ""},
		{Section{Addr: "localhost"}, "addr"},
		{Section{Addr: "localhost:http"}, "addr"},
		{Section{Addr: ":8080", PublicURL: "desk.example.com"}, "public_url"},
	} {
		var got []string
		tt.s.Check(func(field, _ string) { got = append(got, field) })
		if (tt.want == "" && len(got) > 0) || (tt.want != "" && (len(got) != 1 || got[0] != tt.want)) {
			t.Errorf("%+v: problems in %v; want %q", tt.s, got, tt.want)
		}
	}
}
