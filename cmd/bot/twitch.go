package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"strings"

	"github.com/chatdesk/chatdesk/internal/chat"
	"github.com/chatdesk/chatdesk/internal/health"
	"github.com/chatdesk/chatdesk/internal/metrics"
	"github.com/chatdesk/chatdesk/internal/router"
	"github.com/chatdesk/chatdesk/internal/twitch"
)

// liveHooks are what tests replace when they run the bot against fake
// Twitch servers: the clocks its pacing and back-off run on. They are nil in
// a real run.
type liveHooks struct {
	// clock paces sending, Helix retries and the shutdown flush; dial
	// paces reconnects.
	clock, dial chat.Clock
	// onPost sees every message the bot posts.
	onPost func(chat.Posted)
	// observe sees every message the router has decided on, just before
	// the decision is carried out: a test knows when chat was read.
	observe router.Observer
}

// twitchFront connects the bot to the configured Twitch channels.
// Credentials Twitch refuses at start are an error (exit code 1); a
// connection lost later is retried for as long as the bot runs.
func (a *app) twitchFront(ctx context.Context, cfg *Config, chs *router.Channels, m *metrics.Metrics, log *slog.Logger) (front, error) {
	hooks := a.hooks
	names := chs.Names()
	var helixError func(method, path string, status int)
	var onPost func(chat.Posted)
	if m != nil {
		helixError, onPost = m.HelixError, m.Posted
	}
	helix, err := twitch.NewHelix(twitch.HelixConfig{
		APIURL: cfg.Twitch.APIURL, AuthURL: cfg.Twitch.AuthURL,
		ClientID: cfg.Twitch.ClientID, Token: cfg.Twitch.Token,
		Clock: hooks.clock, Log: log, OnError: helixError,
	})
	if err != nil {
		return front{}, badInput(err)
	}
	acct, err := twitch.Preflight(ctx, helix, cfg.Twitch.Username, names)
	if err != nil {
		return front{}, &exitErr{code: exitFailure, err: fmt.Errorf("going live: %w", err)}
	}
	for _, w := range acct.Warnings {
		log.Warn(w + "; see the README's \"Going live on Twitch\" for the scopes to grant")
	}
	login := acct.Token.Login
	if !strings.EqualFold(login, cfg.Bot.Name) {
		log.Info("viewers mention the bot as @"+cfg.Bot.Name+" (bot.name) but it chats as "+login+"; set bot.name: "+login+" so mentions match",
			"bot.name", cfg.Bot.Name, "user", login)
	}

	// Listening before anything connects makes a busy port a start-up
	// error, not a surprise an hour into the stream.
	var ln net.Listener
	if cfg.HTTP.Addr != "" {
		if ln, err = net.Listen("tcp", cfg.HTTP.Addr); err != nil {
			return front{}, &exitErr{code: exitFailure, err: fmt.Errorf("http.addr %s: %w (set http.addr to a free port, or to \"\" to turn the health endpoint off)", cfg.HTTP.Addr, err)}
		}
	}

	live := twitch.NewLive(twitch.LiveConfig{
		IRC: twitch.IRCConfig{
			Address: cfg.Twitch.IRCAddress, TLS: cfg.Twitch.TLS,
			Username: login, Token: cfg.Twitch.Token, Channels: names,
			Clock: hooks.dial,
		},
		Helix:      helix,
		ChannelIDs: acct.ChannelIDs,
		Sender:     chat.SenderConfig{OnPost: chat.OnPosts(onPost, hooks.onPost)},
		Clock:      hooks.clock,
		Log:        log,
	})
	log.Info("going live on twitch", "user", login, "channels", strings.Join(names, ","))
	return front{
		messages: live.Messages(),
		sink:     live.Sink(),
		run: func(ctx context.Context) error {
			if err := live.Run(ctx); err != nil {
				return &exitErr{code: exitFailure, err: fmt.Errorf("going live: %w", err)}
			}
			return nil
		},
		health:  func(int64) health.Status { return healthOf(live.Status()) },
		live:    func() metrics.Live { return liveMetricsOf(live.Status()) },
		dropped: func() int64 { return live.Status().Dropped },
		ln:      ln,
	}, nil
}

// healthOf turns the live bot's status into the health endpoint's.
func healthOf(st twitch.Status) health.Status {
	h := health.Status{
		Connected: st.Connected, Connects: st.Connects, LastMessage: st.LastMessage,
		DroppedMessages: st.Dropped,
		Send:            health.Send{Queued: st.Send.Queued, Posted: st.Send.Posted, Stale: st.Send.Stale, Rejected: st.Send.Rejected},
		Moderation: health.Moderation{Done: st.Moderation.Done, Failed: st.Moderation.Failed, Dropped: st.Moderation.Dropped,
			Queued: st.Moderation.Queued, Shed: st.Moderation.Shed,
			Stopped: st.Moderation.Stopped, Disabled: st.Moderation.Disabled},
		Helix: &health.Helix{Limit: st.Helix.Limit, Remaining: st.Helix.Remaining, Reset: st.Helix.Reset,
			Waiting: st.Helix.Waiting, Waited: st.Helix.Waited, RateLimited: st.Helix.RateLimited},
	}
	for _, ch := range st.Channels {
		h.Channels = append(h.Channels, health.Channel{Name: ch.Name, Joined: ch.Joined, Moderator: ch.Moderator, LastMessage: ch.LastMessage})
	}
	return h
}
