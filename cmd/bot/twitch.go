package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"

	"github.com/spf13/cobra"

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
	// paces reconnects; auth the token's validation and renewal.
	clock, dial, auth chat.Clock
	// onPost sees every message the bot posts.
	onPost func(chat.Posted)
	// observe sees every message the router has decided on, just before
	// the decision is carried out: a test knows when chat was read.
	observe router.Observer
}

// loginCommands are bot login and bot logout, which keep the token file
// under bot.data_dir that bot run goes live with.
func (a *app) loginCommands(configPath *string) []*cobra.Command {
	cmd := func(use, short string, do func(context.Context, *Config, string) error) *cobra.Command {
		return &cobra.Command{Use: use, Short: short, Args: cobra.NoArgs, RunE: func(c *cobra.Command, _ []string) error {
			cfg, err := a.loadConfigFor(*configPath)
			if err != nil {
				return err
			}
			return do(c.Context(), cfg, twitch.TokenFile(cfg.Bot.DataDir))
		}}
	}
	return []*cobra.Command{cmd("login", "Sign the bot's Twitch account in (needs CHATDESK_TWITCH_CLIENT_ID)", func(ctx context.Context, cfg *Config, file string) error {
		_, err := twitch.DeviceLogin{AuthURL: cfg.Twitch.AuthURL, ClientID: cfg.Twitch.ClientID, Scopes: twitch.LoginScopes(cfg.moderates()),
			Username: cfg.Twitch.Username, File: file, Clock: a.hooks.clock}.Run(ctx, a.stdout)
		if errors.Is(err, twitch.ErrNoClientID) {
			return badInput(err)
		}
		return err
	}), cmd("logout", "Revoke the stored Twitch token and delete it", func(ctx context.Context, cfg *Config, file string) error {
		return twitch.Logout(ctx, nil, cfg.Twitch.AuthURL, file, a.stdout)
	})}
}

// twitchFront connects the bot to the configured Twitch channels.
// Credentials Twitch refuses at start are an error (exit code 1); a
// connection lost later is retried for as long as the bot runs.
func (a *app) twitchFront(ctx context.Context, cfg *Config, tok twitch.Token, chs *router.Channels, m *metrics.Metrics, log *slog.Logger) (front, error) {
	hooks := a.hooks
	names := chs.Names()
	var helixError func(method, path string, status int)
	var onPost func(chat.Posted)
	if m != nil {
		helixError, onPost = m.HelixError, m.Posted
	}
	// One source of the token for the API and chat: renewed once when
	// either finds it refused, stored in the token file at once.
	tokens := twitch.NewTokenSource(twitch.TokenSourceConfig{
		AuthURL: cfg.Twitch.AuthURL, Token: tok, ClientSecret: cfg.Twitch.ClientSecret,
		File: twitch.TokenFile(cfg.Bot.DataDir), Clock: hooks.auth, Log: log,
	})
	helix, err := twitch.NewHelix(twitch.HelixConfig{
		APIURL: cfg.Twitch.APIURL, AuthURL: cfg.Twitch.AuthURL,
		ClientID: tok.ClientID, Tokens: tokens,
		Clock: hooks.clock, Log: log, OnError: helixError,
	})
	if err != nil {
		return front{}, badInput(err)
	}
	acct, err := twitch.Preflight(ctx, helix, cfg.Twitch.Username, names, twitch.LoginScopes(cfg.moderates()))
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
			Username: login, Channels: names, JoinLimit: cfg.Twitch.JoinLimit,
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
		health:  func(int64) health.Status { return live.Status().Health() },
		live:    func() metrics.Live { return live.Status().Metrics() },
		dropped: func() int64 { return live.Status().Dropped },
		ln:      ln,
	}, nil
}
