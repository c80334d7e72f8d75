package moderation

import (
	"strings"
	"testing"
)

func TestFindLinks(t *testing.T) {
	tests := []struct {
		text string
		want string // hosts, space separated; "" for none
	}{
		{"check https://example.com/x now", "example.com"},
		{"go to www.example.org", "www.example.org"},
		{"example.com", "example.com"},
		{"EXAMPLE.COM", "example.com"},
		{"streamboo .com", "streamboo.com"},
		{"example . com", "example.com"},
		{"example(dot)com", "example.com"},
		{"example [dot] com", "example.com"},
		{"example[.]com", "example.com"},
		{"example dot com", "example.com"},
		{"example。com", "example.com"},
		{"ｅｘａｍｐｌｅ．ｃｏｍ", "example.com"},
		{"t.me/spam", "t.me"},
		{"discord.gg/abc", "discord.gg"},
		{"bit.ly/3xyz and example.net", "bit.ly example.net"},
		{"ip 192.168.1.20 here", "192.168.1.20"},
		{"http://10.0.0.1:8080/x", "10.0.0.1"},
		{"example.сом", "example.сом"},
		{"hxxp://evil.example/x", "evil.example"},
		{"clips.twitch.tv/Abc-Def", "clips.twitch.tv"},
		// Not links.
		{"ok.so what now", ""},
		{"lol.no way", ""},
		{"the end. com", ""},
		{"the dot com bubble", ""},
		{"version 1.2.3.4.5", ""},
		{"it costs 3.50", ""},
		{"e.g. this", ""},
		{"mail me at bob@example.com", ""},
		{"main.go and readme.md", ""},
		{"see you at 10.30", ""},
		{"wait...what", ""},
		{"a happy news.By the way", ""},
		{"Example.Com", "example.com"},
		{"我喜欢这个。真的", ""},
		{"", ""},
	}
	for _, tt := range tests {
		var hosts []string
		for _, l := range FindLinks(tt.text) {
			hosts = append(hosts, l.Host)
		}
		if got := strings.Join(hosts, " "); got != tt.want {
			t.Errorf("FindLinks(%q) = %q; want %q", tt.text, got, tt.want)
		}
	}
}
