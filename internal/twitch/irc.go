package twitch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	irc "github.com/gempir/go-twitch-irc/v4"

	"github.com/chatdesk/chatdesk/internal/chat"
)

// IRCConfig configures the chat connection.
type IRCConfig struct {
	// Address is host:port of Twitch's IRC server; TLS says whether to
	// speak TLS to it (a local test server does not).
	Address string
	TLS     bool
	// Username is the bot account's login; Token its access token, with
	// or without the "oauth:" prefix. Tokens, when set, supplies the token
	// instead, and renews it when Twitch refuses a login: share one with
	// the Helix client, so the two never renew it twice.
	Username string
	Token    string
	Tokens   *TokenSource
	// Channels to join, by login, in this order.
	Channels []string
	// JoinLimit is how many channels the bot may join per JoinWindow:
	// Twitch allows an ordinary account 20 per 10 seconds, a verified bot
	// 2,000. Zero means 20.
	JoinLimit int
	// Sender is told what the connection learns that affects sending:
	// joins, the bot's badges, slow mode, and Twitch's notices about
	// refused messages. It should be made with WaitForReady, so nothing is
	// posted to a channel before the bot has joined it.
	Sender *chat.Sender
	Clock  chat.Clock
	Log    *slog.Logger
	// QueueSize bounds the messages waiting for the router; more are
	// dropped and counted, so a slow consumer never stalls the reader.
	QueueSize int
	// MinBackoff and MaxBackoff bound the pause before a reconnect; it
	// doubles after every failed attempt and is jittered.
	MinBackoff, MaxBackoff time.Duration
	// StableAfter is how long a connection must have lasted for the next
	// reconnect to start again from MinBackoff.
	StableAfter time.Duration
	// Jitter returns a number in [0, 1); nil uses math/rand.
	Jitter func() float64
}

// ErrNotConnected is returned by Post while the bot is not in chat.
var ErrNotConnected = errors.New("not connected to twitch chat")

// IRC is the bot's chat connection: the source of chat messages and the
// transport the Sender posts through. It stays connected until its context
// ends: after a drop or a RECONNECT it waits a growing, jittered pause,
// dials again and rejoins every channel.
//
// go-twitch-irc redials at once after a drop, with no pause, and would
// hammer Twitch's login limit (20 per 10 s) while a server is flapping. So
// each connection gets its own client, and as soon as that client has heard
// from the server its address is blanked: when the connection ends, the
// client's own redial fails on the spot and Connect returns, and the pause
// before the next attempt is ours to choose. Only a server that accepts the
// TCP connection and closes it without saying a word would still see the
// client's quick redial; Twitch always answers the CAP request first.
type IRC struct {
	cfg IRCConfig
	log *slog.Logger

	msgs    chan chat.Message
	dropped atomic.Int64
	muted   atomic.Bool // shutting down: messages are no longer read

	mu          sync.Mutex
	cur         *session // logged in, or nil
	joined      map[string]bool
	mod         map[string]bool
	warned      map[string]bool // channels already warned about missing moderator rights
	lastMessage time.Time
	lastIn      map[string]time.Time
	connects    int
	connected   bool
	parted      chan struct{} // poked on every self-PART, for Part
}

// NewIRC returns a connection; nothing is dialled until Run.
func NewIRC(cfg IRCConfig) *IRC {
	if cfg.Clock == nil {
		cfg.Clock = chat.SystemClock
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.QueueSize <= 0 {
		cfg.QueueSize = 1024
	}
	if cfg.MinBackoff <= 0 {
		cfg.MinBackoff = time.Second
	}
	if cfg.MaxBackoff < cfg.MinBackoff {
		cfg.MaxBackoff = max(2*time.Minute, cfg.MinBackoff)
	}
	if cfg.StableAfter <= 0 {
		cfg.StableAfter = time.Minute
	}
	if cfg.Jitter == nil {
		cfg.Jitter = rand.Float64
	}
	if cfg.JoinLimit <= 0 {
		cfg.JoinLimit = DefaultJoinLimit
	}
	if cfg.Tokens == nil {
		cfg.Tokens = NewTokenSource(TokenSourceConfig{Token: Token{AccessToken: cfg.Token}, Log: cfg.Log})
	}
	cfg.Username = strings.ToLower(cfg.Username)
	chans := make([]string, len(cfg.Channels))
	for i, ch := range cfg.Channels {
		chans[i] = strings.ToLower(strings.TrimPrefix(ch, "#"))
	}
	cfg.Channels = chans
	return &IRC{
		cfg: cfg, log: cfg.Log,
		msgs:   make(chan chat.Message, cfg.QueueSize),
		joined: map[string]bool{}, mod: map[string]bool{}, warned: map[string]bool{},
		lastIn: map[string]time.Time{},
		parted: make(chan struct{}, 1),
	}
}

// Messages is where chat messages arrive, in the order Twitch sent them.
func (c *IRC) Messages() <-chan chat.Message { return c.msgs }

// Dropped counts messages dropped because the router fell behind.
func (c *IRC) Dropped() int64 { return c.dropped.Load() }

// StopReading stops handing chat messages on: the first step of shutting
// down, so nothing new is answered while the send queue is flushed.
func (c *IRC) StopReading() { c.muted.Store(true) }

// ErrLoginFailed is returned by Run when Twitch refuses the first login.
var ErrLoginFailed = errors.New("twitch chat refused the login")

// Run connects, and reconnects after every drop, until ctx ends; it then
// returns nil. A login Twitch refuses has the token renewed once and is
// tried again at once with the new one. The only error is a login that
// fails before the bot was ever in chat: bad credentials do not fix
// themselves. Later, a token refused for good (see TokenSource) stops the
// dialling until a new sign-in comes, rather than knocking on Twitch's
// door with a token it will refuse.
func (c *IRC) Run(ctx context.Context) error {
	attempt := 0
	ever := false
	refused := 0
	renewed := false // since the last login that worked
	tokens := c.cfg.Tokens
	for n := 1; ; n++ {
		changed := tokens.Changed()
		token, err := tokens.Current()
		if err != nil {
			if !ever {
				return fmt.Errorf("%w as %s: %w; run bot login again, or check CHATDESK_TWITCH_TOKEN and twitch.username", ErrLoginFailed, c.cfg.Username, err)
			}
			c.log.Error("twitch chat: not reconnecting until the bot is signed in again (bot login)", "user", c.cfg.Username)
			select {
			case <-ctx.Done():
				return nil
			case <-changed:
			}
			attempt, refused, renewed = 0, 0, false
			continue
		}
		s := c.newSession(ctx, n, token)
		err = s.connect()
		c.ended(s)
		if ctx.Err() != nil {
			return nil
		}
		loggedIn := s.loggedIn.Load()
		ever = ever || loggedIn
		renewed = renewed && !loggedIn
		// Twitch says NOTICE * :Login authentication failed and hangs
		// up. go-twitch-irc may see the hang-up before the notice, so a
		// server that keeps talking to the bot without ever welcoming it
		// counts as a refusal too, after a few tries.
		switch {
		case s.greeted.Load() || !s.heard:
			refused = 0
		case s.refused.Load() || errors.Is(err, irc.ErrLoginAuthenticationFailed):
			refused = refusalsBeforeGivingUp
		default:
			refused++
		}
		if refused >= refusalsBeforeGivingUp && !renewed {
			// A renewal that could not reach Twitch is tried again at
			// the next refusal, after the usual pause.
			_, rerr := tokens.Refresh(ctx, token)
			switch {
			case rerr == nil:
				renewed = true
				// Twitch refused the token, not the connection: no
				// pause before logging in with the new one.
				c.log.Info("twitch chat refused the login; logging in again with the renewed token", "user", c.cfg.Username)
				refused = 0
				continue
			case errors.Is(rerr, ErrTokenRefused):
				continue
			}
		}
		if refused >= refusalsBeforeGivingUp {
			if !ever {
				return fmt.Errorf("%w as %s: check CHATDESK_TWITCH_TOKEN and twitch.username", ErrLoginFailed, c.cfg.Username)
			}
			if renewed {
				c.log.Error("twitch chat refused the login, even with a renewed token; retrying", "user", c.cfg.Username)
			} else {
				c.log.Error("twitch chat refused the login, and the token could not be renewed just now; retrying", "user", c.cfg.Username)
			}
		}
		if loggedIn && c.cfg.Clock.Now().Sub(s.since) >= c.cfg.StableAfter {
			attempt = 0
		}
		wait := c.backoff(attempt)
		attempt++
		switch {
		case s.reconnect.Load():
			c.log.Info("twitch asked the bot to reconnect", "wait", wait)
		case loggedIn:
			c.log.Warn("lost the connection to twitch chat; reconnecting", "wait", wait, "err", s.cause(err))
		default:
			c.log.Warn("could not connect to twitch chat; retrying", "address", c.cfg.Address, "attempt", attempt, "wait", wait, "err", s.cause(err))
		}
		select {
		case <-ctx.Done():
			return nil
		case <-c.cfg.Clock.After(wait):
		}
	}
}

// refusalsBeforeGivingUp is how many logins in a row may end without a
// welcome before the bot calls its credentials refused.
const refusalsBeforeGivingUp = 3

// backoff is the pause before reconnect attempt (0-based): MinBackoff
// doubled per attempt up to MaxBackoff, of which a random half is taken off
// so that many bots dropped at once do not return at once.
func (c *IRC) backoff(attempt int) time.Duration {
	d := c.cfg.MaxBackoff
	if attempt < 30 {
		d = min(c.cfg.MinBackoff<<attempt, c.cfg.MaxBackoff)
	}
	return d/2 + time.Duration(c.cfg.Jitter()*float64(d/2))
}

// Post writes one chat message: a threaded reply when parentID is set. It
// implements chat.Transport. text must already be sanitised (the Sender
// does it); Post refuses anything that could still break the IRC line,
// since go-twitch-irc writes it to the wire as it is.
func (c *IRC) Post(channel, parentID, text string) error {
	if !validLogin(channel) {
		return fmt.Errorf("post: bad channel name %q", channel)
	}
	if text == "" || strings.ContainsAny(text, "\r\n\x00") || text[0] == '/' || text[0] == '.' {
		return fmt.Errorf("post to #%s: text is not sanitised", channel)
	}
	if parentID != "" && !msgID.MatchString(parentID) {
		// Ids come from Twitch and look like UUIDs; anything else must
		// not reach the tag it would go in.
		c.log.Warn("reply posted without its thread: odd parent id", "channel", channel)
		parentID = ""
	}
	c.mu.Lock()
	s := c.cur
	c.mu.Unlock()
	if s == nil {
		return ErrNotConnected
	}
	if parentID != "" {
		s.client.Reply(channel, parentID, text)
	} else {
		s.client.Say(channel, text)
	}
	return nil
}

var msgID = regexp.MustCompile(`^[A-Za-z0-9-]{1,64}$`)

func validLogin(s string) bool {
	if s == "" || len(s) > 25 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// Part leaves every joined channel and waits until Twitch has confirmed
// each, or ctx ends. The client writes lines in order, so once the PARTs
// are answered every message posted before them has reached Twitch: it is
// how shutdown knows the send queue is really out.
func (c *IRC) Part(ctx context.Context) {
	c.mu.Lock()
	s := c.cur
	var chans []string
	for ch, in := range c.joined {
		if in {
			chans = append(chans, ch)
		}
	}
	c.mu.Unlock()
	if s == nil {
		return
	}
	for _, ch := range chans {
		s.client.Depart(ch)
	}
	for {
		c.mu.Lock()
		left := true
		for _, ch := range chans {
			left = left && !c.joined[ch]
		}
		c.mu.Unlock()
		if left {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-c.parted:
		}
	}
}

// State is a snapshot of the connection for the health endpoint.
type State struct {
	Connected bool
	// Connects counts logins since start; more than one means the bot
	// has reconnected.
	Connects    int
	LastMessage time.Time
	Channels    []ChannelState
	// Dropped counts messages the router could not take in time.
	Dropped int64
}

// ChannelState is one channel's part of State.
type ChannelState struct {
	Name        string
	Joined      bool
	Moderator   bool
	LastMessage time.Time
}

// Moderator reports whether the bot is a moderator (or the broadcaster) in
// channel, as Twitch's last USERSTATE there said; known is false until
// Twitch has said.
func (c *IRC) Moderator(channel string) (mod, known bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	mod, known = c.mod[channel]
	return mod, known
}

// State returns the connection's current state.
func (c *IRC) State() State {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := State{Connected: c.connected, Connects: c.connects, LastMessage: c.lastMessage, Dropped: c.dropped.Load()}
	for _, ch := range c.cfg.Channels {
		st.Channels = append(st.Channels, ChannelState{Name: ch, Joined: c.joined[ch], Moderator: c.mod[ch], LastMessage: c.lastIn[ch]})
	}
	return st
}

// session is one connection: one go-twitch-irc client, dialled once.
type session struct {
	c      *IRC
	ctx    context.Context
	n      int
	client *irc.Client

	// Touched only on the client's parser goroutine, which is the one
	// running Connect.
	heard bool

	loggedIn  atomic.Bool
	reconnect atomic.Bool
	refused   atomic.Bool
	// greeted is set by the client's reader the moment the welcome
	// arrives, even if the connection ends before its parser gets to it.
	greeted  atomic.Bool
	since    time.Time // login time; written before loggedIn is set
	panicked error

	// done closes when the connection has ended; the join pacer, if the
	// connection needed one, stops then and connect waits for it.
	done  chan struct{}
	pacer sync.WaitGroup
}

// newSession makes a client for one connection. The token is fixed per
// client (go-twitch-irc sends it with PASS on every dial), and a new
// client is made for every connection anyway, so a renewed token simply
// goes to the next one.
func (c *IRC) newSession(ctx context.Context, n int, token string) *session {
	s := &session{c: c, ctx: ctx, n: n, done: make(chan struct{})}
	cl := irc.NewClient(c.cfg.Username, "oauth:"+token)
	cl.IrcAddress = c.cfg.Address
	cl.TLS = c.cfg.TLS
	cl.Capabilities = []string{irc.TagsCapability, irc.CommandsCapability}
	// The bot paces its joins itself (see pace): go-twitch-irc's own
	// limiter sleeps in the goroutine that writes every line, so with
	// more channels than one window allows, answers and even PONGs would
	// wait behind the joins, and Twitch hangs up on a bot that does not
	// answer its PING.
	cl.SetJoinRateLimiter(irc.CreateUnlimitedRateLimiter())
	cl.OnConnect(func() { s.greeted.Store(true) }) // on the reader's goroutine: nothing else here
	cl.OnUnsetMessage(func(m irc.RawMessage) {
		s.heard1()
		if m.RawType == "001" {
			s.welcome()
		}
	})
	cl.OnPrivateMessage(func(m irc.PrivateMessage) { s.heard1(); s.privmsg(m) })
	cl.OnSelfJoinMessage(func(m irc.UserJoinMessage) { s.heard1(); c.setJoined(m.Channel, true) })
	cl.OnSelfPartMessage(func(m irc.UserPartMessage) { s.heard1(); c.setJoined(m.Channel, false) })
	cl.OnUserStateMessage(func(m irc.UserStateMessage) { s.heard1(); c.userState(m) })
	cl.OnRoomStateMessage(func(m irc.RoomStateMessage) { s.heard1(); c.roomState(m) })
	cl.OnNoticeMessage(func(m irc.NoticeMessage) {
		s.heard1()
		if m.Channel == "*" && strings.Contains(strings.ToLower(m.Message), "login") {
			s.refused.Store(true)
		}
		c.notice(m)
	})
	cl.OnReconnectMessage(func(irc.ReconnectMessage) { s.heard1(); s.reconnect.Store(true) })
	cl.OnGlobalUserStateMessage(func(irc.GlobalUserStateMessage) { s.heard1() })
	cl.OnPingMessage(func(irc.PingMessage) { s.heard1() })
	cl.OnPongMessage(func(irc.PongMessage) { s.heard1() })
	cl.OnClearChatMessage(func(irc.ClearChatMessage) { s.heard1() })
	cl.OnClearMessage(func(irc.ClearMessage) { s.heard1() })
	cl.OnUserNoticeMessage(func(irc.UserNoticeMessage) { s.heard1() })
	cl.OnUserJoinMessage(func(irc.UserJoinMessage) { s.heard1() })
	cl.OnUserPartMessage(func(irc.UserPartMessage) { s.heard1() })
	cl.OnNamesMessage(func(irc.NamesMessage) { s.heard1() })
	cl.OnWhisperMessage(func(irc.WhisperMessage) { s.heard1() })
	s.client = cl
	return s
}

// connect runs the client until its connection ends. A panic in the
// client's parser (it has a few on malformed lines) ends the connection
// instead of the bot.
func (s *session) connect() (err error) {
	defer func() {
		if r := recover(); r != nil {
			s.panicked = fmt.Errorf("go-twitch-irc panicked: %v", r)
			err = s.panicked
			_ = s.client.Disconnect()
		}
	}()
	stop := context.AfterFunc(s.ctx, func() { _ = s.client.Disconnect() })
	defer stop()
	defer s.pacer.Wait()
	defer close(s.done)
	return s.client.Connect()
}

// heard1 runs first in every callback. The first line from the server
// blanks the client's address (see IRC) and, if the bot is shutting down,
// hangs up.
func (s *session) heard1() {
	if !s.heard {
		s.heard = true
		s.client.IrcAddress = ""
	}
	if s.ctx.Err() != nil {
		_ = s.client.Disconnect()
	}
}

func (s *session) welcome() {
	c := s.c
	s.since = c.cfg.Clock.Now()
	s.loggedIn.Store(true)
	c.mu.Lock()
	c.cur = s
	c.connected = true
	c.connects++
	n := c.connects
	c.mu.Unlock()
	if n == 1 {
		c.log.Info("connected to twitch chat", "user", c.cfg.Username, "channels", len(c.cfg.Channels))
	} else {
		c.log.Info("reconnected to twitch chat", "user", c.cfg.Username, "connects", n)
	}
	// Joined here rather than handed to the client before it dials: the
	// client would join them in the random order of a map.
	s.client.Join(c.firstJoins()...)
	if len(c.cfg.Channels) > c.cfg.JoinLimit {
		s.pacer.Go(s.pace)
	}
}

// cause explains why a connection ended, for the log.
func (s *session) cause(err error) error {
	if s.panicked != nil {
		return s.panicked
	}
	if err == nil || strings.Contains(err.Error(), "missing address") {
		// The blanked address (see IRC): the connection itself closed.
		return errors.New("connection closed")
	}
	return err
}

// ended forgets a finished session: the bot is out of every channel.
func (c *IRC) ended(s *session) {
	c.mu.Lock()
	if c.cur == s {
		c.cur = nil
	}
	c.connected = false
	for ch := range c.joined {
		c.joined[ch] = false
	}
	c.mu.Unlock()
	c.cfg.Sender.SetAllUnready()
}

func (s *session) privmsg(m irc.PrivateMessage) {
	c := s.c
	if c.muted.Load() {
		return
	}
	msg := MessageFromPrivate(m)
	now := c.cfg.Clock.Now()
	if msg.Time.IsZero() {
		// Twitch stamps every message; should one come without, the time
		// it arrived beats none for cooldowns and strikes.
		msg.Time = now
	}
	c.mu.Lock()
	c.lastMessage = now
	c.lastIn[msg.Channel] = now
	c.mu.Unlock()
	select {
	case c.msgs <- msg:
	default:
		// Blocking here would hold up go-twitch-irc's reader, PONGs
		// included, and Twitch would drop the connection.
		n := c.dropped.Add(1)
		if n == 1 || n%100 == 0 {
			c.log.Warn("router is behind; chat message dropped", "channel", msg.Channel, "dropped_total", n)
		}
	}
}

func (c *IRC) setJoined(channel string, in bool) {
	channel = strings.ToLower(channel)
	c.mu.Lock()
	was := c.joined[channel]
	c.joined[channel] = in
	joined := 0
	if in && !was {
		for _, j := range c.joined {
			if j {
				joined++
			}
		}
	}
	c.mu.Unlock()
	c.cfg.Sender.SetReady(channel, in)
	if in {
		// With many channels a line each would bury the log; the pacer's
		// progress and the last join say enough.
		level := slog.LevelInfo
		if len(c.cfg.Channels) > c.cfg.JoinLimit {
			level = slog.LevelDebug
		}
		c.log.Log(context.Background(), level, "joined channel", "channel", channel)
		if joined == len(c.cfg.Channels) && level == slog.LevelDebug {
			c.log.Info("joined every twitch channel", "channels", joined)
		}
		return
	}
	c.log.Info("left channel", "channel", channel)
	select {
	case c.parted <- struct{}{}:
	default:
	}
}

// userState reads the bot's own badges in a channel: a moderator or the
// broadcaster may moderate there and gets the larger message budget.
func (c *IRC) userState(m irc.UserStateMessage) {
	channel := strings.ToLower(m.Channel)
	var roles chat.Roles
	for name := range m.User.Badges {
		roles |= BadgeRole(name)
	}
	mod := roles.Privileged() || m.User.IsMod || m.Tags["mod"] == "1"
	c.mu.Lock()
	changed := c.mod[channel] != mod
	c.mod[channel] = mod
	warn := !mod && !c.warned[channel]
	if warn {
		c.warned[channel] = true
	}
	c.mu.Unlock()
	c.cfg.Sender.SetModerator(channel, mod)
	switch {
	case warn:
		c.log.Warn("the bot is not a moderator here: it cannot delete, warn, time out or ban, and may post only 20 messages per 30 s; the broadcaster can fix it by typing /mod "+c.cfg.Username+" in chat",
			"channel", channel)
	case changed && mod:
		c.log.Info("the bot is a moderator here", "channel", channel)
	}
}

func (c *IRC) roomState(m irc.RoomStateMessage) {
	if slow, ok := m.State["slow"]; ok {
		c.cfg.Sender.SetSlowMode(strings.ToLower(m.Channel), time.Duration(slow)*time.Second)
	}
}

// notice handles what Twitch says about the bot's own messages and standing.
func (c *IRC) notice(m irc.NoticeMessage) {
	channel := strings.ToLower(m.Channel)
	s := c.cfg.Sender
	switch m.MsgID {
	case "msg_ratelimit":
		s.RateLimited(channel)
	case "msg_duplicate":
		s.Duplicate(channel)
		c.log.Warn("twitch refused a repeated message", "channel", channel)
	case "msg_slowmode":
		s.Hold(channel, time.Second*time.Duration(max(1, firstNumber(m.Message))))
	case "msg_timedout":
		d := time.Second * time.Duration(max(1, firstNumber(m.Message)))
		s.Hold(channel, d)
		c.log.Warn("the bot is timed out in this channel", "channel", channel, "for", d)
	case "msg_banned", "msg_channel_suspended", "msg_channel_blocked", "tos_ban":
		s.Discard(channel)
		c.log.Error("the bot cannot speak in this channel: "+m.Message, "channel", channel, "notice", m.MsgID)
	case "msg_requires_verified_phone_number", "msg_verified_email":
		c.log.Error("twitch refused the bot's message: "+m.Message, "channel", channel, "notice", m.MsgID)
	default:
		if strings.HasPrefix(m.MsgID, "msg_") {
			c.log.Warn("twitch refused the bot's message", "channel", channel, "notice", m.MsgID, "text", m.Message)
		} else {
			c.log.Debug("twitch notice", "channel", channel, "notice", m.MsgID, "text", m.Message)
		}
	}
}

// firstNumber returns the first whole number in s, or 0.
func firstNumber(s string) int {
	i := strings.IndexFunc(s, func(r rune) bool { return '0' <= r && r <= '9' })
	if i < 0 {
		return 0
	}
	j := i
	for j < len(s) && '0' <= s[j] && s[j] <= '9' {
		j++
	}
	n, _ := strconv.Atoi(s[i:j])
	return n
}
