package web

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// Section is the http section of the config: the server for /healthz,
// /metrics and the web desk.
type Section struct {
	// Addr to listen on; empty turns the server off.
	Addr string `mapstructure:"addr"`
	// PublicURL is where viewers reach the desk through a proxy; https
	// makes its cookies Secure.
	PublicURL string `mapstructure:"public_url"`
	// LocalLogin logs one-time login links on Twitch too (always on in
	// the console).
	LocalLogin bool `mapstructure:"local_login"`
	// TrustProxy reads the client's address from X-Forwarded-For.
	TrustProxy bool `mapstructure:"trust_proxy"`
}

// SectionDefaults are the section's defaults, by key.
func SectionDefaults() map[string]any {
	return map[string]any{"addr": "127.0.0.1:8080", "public_url": "", "local_login": false, "trust_proxy": false}
}

// Check reports values that are well-typed but wrong, by field within the
// section.
func (s Section) Check(report func(field, msg string)) {
	if s.Addr != "" {
		i := strings.LastIndex(s.Addr, ":")
		switch _, err := strconv.Atoi(s.Addr[i+1:]); {
		case i < 0:
			report("addr", fmt.Sprintf("want host:port, got %q", s.Addr))
		case err != nil:
			report("addr", fmt.Sprintf("want host:port with a numeric port, got %q", s.Addr))
		}
	}
	if u := s.PublicURL; u != "" {
		if pu, err := url.Parse(u); err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
			report("public_url", fmt.Sprintf("%q is not an http(s) URL (e.g. https://desk.example.com)", u))
		}
	}
}

// Desk is the web desk's part of the section. Local login links are always
// on in the console (the only way in), on Twitch when asked for. Log in
// with Twitch (tl, nil without a client secret) is on only live and with
// PublicURL, the address Twitch sends moderators back to: a secret alone
// may be there only to renew a token made with the authorization-code flow.
func (s Section) Desk(live bool, tl *TwitchLogin) Config {
	c := Config{
		PublicURL:  strings.TrimRight(s.PublicURL, "/"),
		LocalLogin: !live || s.LocalLogin,
		TrustProxy: s.TrustProxy,
	}
	if live && c.PublicURL != "" {
		c.Twitch = tl
	}
	return c
}
