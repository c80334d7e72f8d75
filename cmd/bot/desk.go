package main

import (
	"log/slog"
	"strings"

	"github.com/chatdesk/chatdesk/internal/escalation"
	"github.com/chatdesk/chatdesk/internal/router"
	"github.com/chatdesk/chatdesk/internal/web"
)

// webDeskConfig is the web desk's part of the config. Local login links are
// always on in the console (the only way in); on Twitch when asked for.
// Log in with Twitch is on when live with a client secret and the public
// address Twitch sends moderators back to; a secret alone may be there only
// to renew a token made with the authorization-code flow.
func webDeskConfig(cfg *Config, live bool) web.Config {
	c := web.Config{
		PublicURL:  strings.TrimRight(cfg.HTTP.PublicURL, "/"),
		LocalLogin: !live || cfg.HTTP.LocalLogin,
		TrustProxy: cfg.HTTP.TrustProxy,
	}
	if live && cfg.Twitch.ClientSecret != "" && c.PublicURL != "" {
		c.Twitch = &web.TwitchLogin{
			ClientID: cfg.Twitch.ClientID, ClientSecret: cfg.Twitch.ClientSecret,
			AuthURL: cfg.Twitch.AuthURL, APIURL: cfg.Twitch.APIURL,
		}
	}
	return c
}

// newWebDesk builds the web desk for f's listener.
func newWebDesk(f front, chs *router.Channels, store escalation.Store, log *slog.Logger) (*web.Server, error) {
	c := f.desk
	c.Channels = web.ChannelsOf(chs.All())
	c.Store = store
	c.BaseURL = "http://" + f.ln.Addr().String()
	c.Log = log
	return web.New(c)
}
