package main

import (
	"log/slog"

	"github.com/chatdesk/chatdesk/internal/escalation"
	"github.com/chatdesk/chatdesk/internal/router"
	"github.com/chatdesk/chatdesk/internal/web"
)

// webDeskConfig is the web desk's part of the config.
func webDeskConfig(cfg *Config, live bool) web.Config {
	var tl *web.TwitchLogin
	if cfg.Twitch.ClientSecret != "" {
		tl = &web.TwitchLogin{ClientID: cfg.Twitch.ClientID, ClientSecret: cfg.Twitch.ClientSecret, AuthURL: cfg.Twitch.AuthURL, APIURL: cfg.Twitch.APIURL}
	}
	return cfg.HTTP.Desk(live, tl)
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
