package twitch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/chatdesk/chatdesk/internal/chat"
)

// Account is what start-up learned from Twitch.
type Account struct {
	// Token describes the token: whose it is and what it may do.
	Token TokenInfo
	// ChannelIDs maps each channel's login to its user id.
	ChannelIDs map[string]string
	// Warnings are problems the bot can run with, worded for the streamer.
	Warnings []string
}

// ErrBadCredentials is matched by the errors Preflight returns for a token
// Twitch refuses or that cannot do the bot's job.
var ErrBadCredentials = errors.New("bad twitch credentials")

// Preflight checks, before the bot goes live, that the token is good and
// fit for the job, and finds the user id of every channel. A refused token,
// a token for another account than twitch.username, missing chat scopes or
// a channel that does not exist are errors; missing moderation scopes are
// warnings, since the bot can still answer questions. Only the scopes in
// want (LoginScopes of the configured features) are checked: moderation
// scopes are no loss where no channel moderates.
func Preflight(ctx context.Context, h *Helix, username string, channels, want []string) (Account, error) {
	info, err := h.Validate(ctx)
	switch {
	case errors.Is(err, ErrUnauthorized) && h.Tokens().Refused() != nil:
		return Account{}, fmt.Errorf("%w: Twitch refused the token (CHATDESK_TWITCH_TOKEN, or else the one bot login stored) and renewing it failed (%v); run bot login again, or get a new token as the README's \"Going live on Twitch\" explains",
			ErrBadCredentials, h.Tokens().Refused())
	case errors.Is(err, ErrUnauthorized):
		return Account{}, fmt.Errorf("%w: Twitch refused the token (CHATDESK_TWITCH_TOKEN, or else the one bot login stored): it expired, was revoked or is mistyped; run bot login again, or get a new token as the README's \"Going live on Twitch\" explains", ErrBadCredentials)
	case err != nil:
		return Account{}, fmt.Errorf("check the twitch token: %w", err)
	}
	acct := Account{Token: info, ChannelIDs: map[string]string{}}
	if username != "" && !strings.EqualFold(username, info.Login) {
		return acct, fmt.Errorf("%w: twitch.username is %q but the token belongs to %q; use that account's token, or set twitch.username: %s",
			ErrBadCredentials, username, info.Login, info.Login)
	}
	var missing []string
	for _, sc := range Scopes {
		if info.HasScope(sc.Name) || !slices.Contains(want, sc.Name) {
			continue
		}
		if sc.Name == ScopeChatRead || sc.Name == ScopeChatEdit {
			missing = append(missing, sc.Name)
			continue
		}
		acct.Warnings = append(acct.Warnings, fmt.Sprintf("the token lacks the scope %s, so the bot cannot %s", sc.Name, sc.Use))
	}
	if len(missing) > 0 {
		return acct, fmt.Errorf("%w: the token lacks %s, which the bot needs to read and post in chat; make a new token with the scopes the README lists",
			ErrBadCredentials, strings.Join(missing, " and "))
	}
	users, err := h.Users(ctx, channels...)
	if err != nil {
		return acct, fmt.Errorf("look up the channels on twitch: %w", err)
	}
	for _, u := range users {
		acct.ChannelIDs[strings.ToLower(u.Login)] = u.ID
	}
	var unknown []string
	for _, ch := range channels {
		if acct.ChannelIDs[ch] == "" {
			unknown = append(unknown, ch)
		}
	}
	if len(unknown) > 0 {
		return acct, fmt.Errorf("no twitch channel named %s; check channels in the config", strings.Join(unknown, ", "))
	}
	return acct, nil
}

// LiveConfig configures a Live.
type LiveConfig struct {
	// IRC configures the chat connection; its Sender and Log are filled
	// in from here, its Clock when it has none, and its Tokens from
	// Helix's, so chat and the API share one token that is renewed once.
	IRC   IRCConfig
	Helix *Helix
	// ChannelIDs from Preflight.
	ChannelIDs map[string]string
	// Sender configures the send queue; its Log and WaitForReady are
	// filled in from here, and its Clock when it has none.
	Sender chat.SenderConfig
	Clock  chat.Clock
	Log    *slog.Logger
	// FlushTimeout bounds how long shutdown keeps sending what is queued.
	FlushTimeout time.Duration
}

// Live is the bot on Twitch: the chat connection, the send queue and the
// sink, run and shut down together.
type Live struct {
	tokens *TokenSource
	irc    *IRC
	sender *chat.Sender
	sink   *Sink
	clock  chat.Clock
	log    *slog.Logger
	flush  time.Duration
}

// DefaultFlushTimeout is how long shutdown keeps posting queued messages.
const DefaultFlushTimeout = 5 * time.Second

// NewLive assembles the parts; nothing connects until Run.
func NewLive(cfg LiveConfig) *Live {
	if cfg.Clock == nil {
		cfg.Clock = chat.SystemClock
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.FlushTimeout <= 0 {
		cfg.FlushTimeout = DefaultFlushTimeout
	}
	l := &Live{clock: cfg.Clock, log: cfg.Log, flush: cfg.FlushTimeout}
	ic := cfg.IRC
	sc := cfg.Sender
	sc.Log, sc.WaitForReady = cfg.Log, true
	ic.Log = cfg.Log
	if sc.Clock == nil {
		sc.Clock = cfg.Clock
	}
	if ic.Clock == nil {
		ic.Clock = cfg.Clock
	}
	if cfg.Helix != nil {
		ic.Tokens = cfg.Helix.Tokens()
	}
	// The sender posts through the connection, and the connection tells
	// the sender what it learns; one of them has to be wired second.
	l.irc = NewIRC(ic)
	l.tokens = l.irc.cfg.Tokens
	l.sender = chat.NewSender(l.irc, sc)
	l.irc.cfg.Sender = l.sender
	l.sink = NewSink(SinkConfig{Sender: l.sender, Helix: cfg.Helix, ChannelIDs: cfg.ChannelIDs, Log: cfg.Log, Moderator: l.irc.Moderator})
	return l
}

// Messages is where chat messages arrive for the router.
func (l *Live) Messages() <-chan chat.Message { return l.irc.Messages() }

// Sink carries out the router's decisions; it implements router.Sink.
func (l *Live) Sink() *Sink { return l.sink }

// Status is a snapshot for the health endpoint.
type Status struct {
	State
	Send       chat.SenderStats
	Moderation SinkStats
	// Helix is the token's API budget: what is left, and who waits.
	Helix BudgetStats
	// Token is the token's state: renewals, and whether it was refused.
	Token TokenStatus
}

// Status returns the current state of every part.
func (l *Live) Status() Status {
	return Status{State: l.irc.State(), Send: l.sender.Stats(), Moderation: l.sink.Stats(), Helix: l.sink.helix.Budget().Stats(), Token: l.tokens.Status()}
}

// Run runs the bot on Twitch until ctx ends, then shuts down in order: stop
// reading chat, post what is queued for up to the flush timeout, leave the
// channels, hang up. It returns nil after a clean shutdown, and an error
// only when Twitch refuses the first login.
func (l *Live) Run(ctx context.Context) error {
	connCtx, hangUp := context.WithCancel(context.WithoutCancel(ctx))
	defer hangUp()
	sendCtx, stopSending := context.WithCancel(context.WithoutCancel(ctx))
	defer stopSending()

	// The token is validated hourly and renewed for as long as the bot
	// is connected, shutdown included.
	tokensDone := make(chan struct{})
	go func() {
		defer close(tokensDone)
		_ = l.tokens.Run(connCtx)
	}()
	defer func() { hangUp(); <-tokensDone }()
	connDone := make(chan error, 1)
	go func() { connDone <- l.irc.Run(connCtx) }()
	senderDone := make(chan struct{})
	go func() {
		defer close(senderDone)
		_ = l.sender.Run(sendCtx)
	}()
	sinkDone := make(chan struct{})
	go func() {
		defer close(sinkDone)
		_ = l.sink.Run(sendCtx)
	}()

	var connErr error
	select {
	case connErr = <-connDone:
		// The connection gave up (refused login): stop everything.
		l.sender.Close(0)
		l.sink.Close()
		stopSending()
		<-senderDone
		<-sinkDone
		return connErr
	case <-ctx.Done():
	}

	l.log.Info("shutting down: posting what is queued", "queued", l.sender.Stats().Queued, "within", l.flush)
	l.irc.StopReading()
	// The sender keeps its own deadline, by its own clock; moderation
	// calls in flight get the same time.
	l.sender.Close(l.flush)
	l.sink.Close()
	deadline := l.clock.After(l.flush)
	select {
	case <-sinkDone:
	case <-deadline:
		l.log.Warn("shutting down: moderation still waiting on twitch; giving up on it")
		stopSending()
	}
	<-senderDone // gives up on its own at the deadline
	stopSending()
	<-sinkDone
	// Leaving the channels is the barrier that tells the queue is out; a
	// round trip to the server, bounded in real time.
	partCtx, parted := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	l.irc.Part(partCtx)
	parted()
	hangUp()
	select {
	case <-connDone:
	case <-time.After(2 * time.Second):
		// A dial in progress cannot be interrupted; it ends on its own.
		// (Real time: this guards against a hung dial, not a rate.)
		l.log.Warn("shutting down: the chat connection is still dialling; not waiting for it")
	}
	return nil
}
