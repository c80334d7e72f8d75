// Package twitchtest fakes the parts of Twitch the bot talks to — the chat
// server and the Helix API — in-process, plus a clock tests move by hand, so
// the live code path can be tested end to end with no network.
package twitchtest

import (
	"bufio"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// IRC is a fake Twitch chat server on a loopback port, speaking plain TCP
// (the client's TLS off). It logs a client in, answers CAP, JOIN, PART and
// PING the way Twitch does, and records every line clients send.
type IRC struct {
	t  testing.TB
	ln net.Listener

	// Token, when set, is the only password (PASS oauth:…) accepted.
	Token string
	// Accepts, when set, decides which tokens (without "oauth:") may log
	// in instead: a fake Helix's Accepts, so a token expires or is renewed
	// for chat and the API at once.
	Accepts func(token string) bool
	// QuietRefusal hangs up on a refused login without Twitch's NOTICE,
	// as a client sees it when the hang-up overtakes the notice.
	QuietRefusal bool

	mu      sync.Mutex
	badges  map[string]string // channel → the badges the bot gets there
	conns   []*Conn
	logins  chan *Conn
	refused int
}

// NewIRC starts a server that stops when the test ends.
func NewIRC(t testing.TB) *IRC {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("fake irc: %v", err)
	}
	s := &IRC{t: t, ln: ln, badges: map[string]string{}, logins: make(chan *Conn, 64)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			c := &Conn{s: s, nc: nc, lines: make(chan string, 4096), joined: map[string]bool{}}
			s.mu.Lock()
			s.conns = append(s.conns, c)
			s.mu.Unlock()
			go c.serve()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		s.mu.Lock()
		for _, c := range s.conns {
			c.nc.Close()
		}
		s.mu.Unlock()
	})
	return s
}

func (s *IRC) accepts(pass string) bool {
	if s.Accepts != nil {
		return strings.HasPrefix(pass, "oauth:") && s.Accepts(strings.TrimPrefix(pass, "oauth:"))
	}
	return s.Token == "" || pass == "oauth:"+s.Token
}

// DropRefused hangs up every logged-in client whose token is no longer
// accepted, as Twitch ends a chat session whose token expired, and
// reports how many it dropped.
func (s *IRC) DropRefused() int {
	s.mu.Lock()
	conns := append([]*Conn(nil), s.conns...)
	s.mu.Unlock()
	n := 0
	for _, c := range conns {
		c.mu.Lock()
		in, pass := c.in, c.pass
		c.mu.Unlock()
		if in && !s.accepts(pass) {
			c.nc.Close()
			n++
		}
	}
	return n
}

// Refused counts the logins refused so far.
func (s *IRC) Refused() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refused
}

// Addr is the server's host:port.
func (s *IRC) Addr() string { return s.ln.Addr().String() }

// SetBadges sets the badges the bot's USERSTATE carries in channel, e.g.
// "moderator/1"; without, the bot is a plain viewer there.
func (s *IRC) SetBadges(channel, badges string) {
	s.mu.Lock()
	s.badges[channel] = badges
	s.mu.Unlock()
}

// NextLogin waits for a client to log in and have joined want channels,
// and for it to have handled all the server said (see Sync).
func (s *IRC) NextLogin(want int) *Conn {
	s.t.Helper()
	select {
	case c := <-s.logins:
		c.WaitJoined(want)
		c.Sync()
		return c
	case <-time.After(10 * time.Second):
		s.t.Fatalf("fake irc: no login within 10s")
		return nil
	}
}

// Accepted delivers each client as it logs in.
func (s *IRC) Accepted() <-chan *Conn { return s.logins }

// Logins counts the logins so far.
func (s *IRC) Logins() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.conns {
		if c.loggedIn() {
			n++
		}
	}
	return n
}

// Conn is one client connection to the fake server.
type Conn struct {
	s  *IRC
	nc net.Conn

	wmu sync.Mutex // one writer at a time

	mu     sync.Mutex
	nick   string
	pass   string
	in     bool
	joined map[string]bool
	joinAt []string // every JOIN's channel list, in order
	joins  chan struct{}
	syncs  map[string]chan struct{}
	nsync  int
	lines  chan string // every line the client sent, in order
}

// Sync waits until the client has handled every line sent to it so far:
// it sends a PING and waits for the PONG, which the client writes only
// after its callbacks for the earlier lines have run.
func (c *Conn) Sync() {
	c.s.t.Helper()
	c.mu.Lock()
	c.nsync++
	token := fmt.Sprintf("sync-%d", c.nsync)
	if c.syncs == nil {
		c.syncs = map[string]chan struct{}{}
	}
	done := make(chan struct{})
	c.syncs[token] = done
	c.mu.Unlock()
	c.Send("PING :" + token)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		c.s.t.Fatalf("fake irc: no PONG within 10s")
	}
}

// Nick is the login the client gave.
func (c *Conn) Nick() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.nick
}

func (c *Conn) loggedIn() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.in
}

func (c *Conn) serve() {
	defer close(c.lines)
	sc := bufio.NewScanner(c.nc)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		select {
		case c.lines <- line:
		default:
		}
		c.handle(strings.TrimSuffix(line, "\r"))
	}
}

func (c *Conn) handle(line string) {
	cmd, rest, _ := strings.Cut(line, " ")
	if strings.HasPrefix(cmd, "@") { // tags, as on a reply
		cmd, rest, _ = strings.Cut(rest, " ")
	}
	switch cmd {
	case "CAP":
		c.Send(":tmi.twitch.tv CAP * ACK :" + strings.TrimPrefix(rest, "REQ :"))
	case "PASS":
		c.mu.Lock()
		c.pass = rest
		c.mu.Unlock()
	case "NICK":
		c.mu.Lock()
		c.nick = rest
		pass := c.pass
		c.mu.Unlock()
		ok := c.s.accepts(pass)
		if !ok {
			c.s.mu.Lock()
			c.s.refused++
			c.s.mu.Unlock()
			if !c.s.QuietRefusal {
				c.Send(":tmi.twitch.tv NOTICE * :Login authentication failed")
			}
			c.nc.Close()
			return
		}
		c.Send(":tmi.twitch.tv 001 " + rest + " :Welcome, GLHF!")
		c.Send(":tmi.twitch.tv 376 " + rest + " :>")
		c.mu.Lock()
		c.in = true
		c.mu.Unlock()
		c.s.logins <- c
	case "JOIN":
		c.mu.Lock()
		c.joinAt = append(c.joinAt, rest)
		c.mu.Unlock()
		for _, ch := range strings.Split(rest, ",") {
			ch = strings.TrimPrefix(strings.TrimSpace(ch), "#")
			nick := c.Nick()
			c.s.mu.Lock()
			badges := c.s.badges[ch]
			c.s.mu.Unlock()
			c.Send(fmt.Sprintf(":%s!%s@%s.tmi.twitch.tv JOIN #%s", nick, nick, nick, ch))
			c.Send(fmt.Sprintf("@badge-info=;badges=%s;color=;display-name=%s;emote-sets=0;mod=%d;subscriber=0;user-type= :tmi.twitch.tv USERSTATE #%s",
				badges, nick, boolInt(strings.Contains(badges, "moderator")), ch))
			c.Send(fmt.Sprintf("@emote-only=0;followers-only=-1;r9k=0;room-id=%d;slow=0;subs-only=0 :tmi.twitch.tv ROOMSTATE #%s", roomID(ch), ch))
			c.mu.Lock()
			c.joined[ch] = true
			if c.joins != nil {
				close(c.joins)
				c.joins = nil
			}
			c.mu.Unlock()
		}
	case "PART":
		ch := strings.TrimPrefix(strings.TrimSpace(rest), "#")
		nick := c.Nick()
		c.mu.Lock()
		delete(c.joined, ch)
		c.mu.Unlock()
		c.Send(fmt.Sprintf(":%s!%s@%s.tmi.twitch.tv PART #%s", nick, nick, nick, ch))
	case "PING":
		c.Send(":tmi.twitch.tv PONG tmi.twitch.tv " + rest)
	case "PONG":
		token := strings.TrimPrefix(rest, ":")
		c.mu.Lock()
		if done, ok := c.syncs[token]; ok {
			close(done)
			delete(c.syncs, token)
		}
		c.mu.Unlock()
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// roomID makes up a stable room id for a channel, the one the fake Helix
// reports too.
func roomID(channel string) int {
	n := 1000
	for _, r := range channel {
		n = n*31 + int(r)
	}
	if n < 0 {
		n = -n
	}
	return 1000 + n%1000000
}

// RoomID is the room id the fake server and the fake Helix give channel.
func RoomID(channel string) string { return fmt.Sprint(roomID(channel)) }

// Joins returns the channel list of every JOIN the client sent, in order:
// "#a,#b" for one JOIN of two channels.
func (c *Conn) Joins() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.joinAt...)
}

// Joined counts the channels the client has joined.
func (c *Conn) Joined() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.joined)
}

// WaitJoined waits until the client has joined n channels.
func (c *Conn) WaitJoined(n int) {
	c.s.t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		c.mu.Lock()
		if len(c.joined) >= n {
			c.mu.Unlock()
			return
		}
		if c.joins == nil {
			c.joins = make(chan struct{})
		}
		wait := c.joins
		c.mu.Unlock()
		select {
		case <-wait:
		case <-deadline:
			c.s.t.Fatalf("fake irc: client did not join %d channels within 10s", n)
		}
	}
}

// Send writes a raw line to the client.
func (c *Conn) Send(line string) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_, _ = c.nc.Write([]byte(line + "\r\n"))
}

// Chat is one chat message a test makes a viewer send.
type Chat struct {
	Channel     string
	ID          string
	User        string
	UserID      string
	DisplayName string
	Badges      string // e.g. "moderator/1" or "subscriber/12"
	Text        string
	// SentMillis is tmi-sent-ts; zero leaves the tag out.
	SentMillis int64
	// Extra tags, already escaped, appended as they are.
	Extra string
}

// Line renders m as Twitch would send it.
func (m Chat) Line() string {
	disp := m.DisplayName
	if disp == "" {
		disp = m.User
	}
	uid := m.UserID
	if uid == "" {
		uid = fmt.Sprint(roomID("u:" + m.User))
	}
	mod := boolInt(strings.Contains(m.Badges, "moderator"))
	tags := fmt.Sprintf("@badge-info=;badges=%s;color=;display-name=%s;emotes=;first-msg=0;flags=;id=%s;mod=%d;room-id=%s;subscriber=0;turbo=0;user-id=%s;user-type=",
		m.Badges, disp, m.ID, mod, RoomID(m.Channel), uid)
	if m.SentMillis != 0 {
		tags += fmt.Sprintf(";tmi-sent-ts=%d", m.SentMillis)
	}
	if m.Extra != "" {
		tags += ";" + m.Extra
	}
	return fmt.Sprintf("%s :%s!%s@%s.tmi.twitch.tv PRIVMSG #%s :%s", tags, m.User, m.User, m.User, m.Channel, m.Text)
}

// Say sends a chat message to the client.
func (c *Conn) Say(m Chat) { c.Send(m.Line()) }

// Drop closes the connection from the server's side.
func (c *Conn) Drop() { c.nc.Close() }

// Next returns the next line the client sent that starts with prefix
// (after any tags), skipping others; it fails the test after 10 s.
func (c *Conn) Next(prefix string) string {
	c.s.t.Helper()
	l, ok := c.NextWithin(prefix, 10*time.Second)
	if !ok {
		c.s.t.Fatalf("fake irc: no %q line from the client within 10s", prefix)
	}
	return l
}

// NextWithin is Next with a chosen limit; ok is false if none came.
func (c *Conn) NextWithin(prefix string, d time.Duration) (line string, ok bool) {
	deadline := time.After(d)
	for {
		select {
		case l, open := <-c.lines:
			if !open {
				return "", false
			}
			if strings.HasPrefix(Command(l), prefix) {
				return l, true
			}
		case <-deadline:
			return "", false
		}
	}
}

// Lines returns the channel of lines the client sent; it closes when the
// connection does.
func (c *Conn) Lines() <-chan string { return c.lines }

// Command strips the tags off a raw line.
func Command(line string) string {
	if strings.HasPrefix(line, "@") {
		if _, rest, ok := strings.Cut(line, " "); ok {
			return rest
		}
	}
	return line
}

// Tag returns the value of tag in a raw line's tags.
func Tag(line, tag string) string {
	if !strings.HasPrefix(line, "@") {
		return ""
	}
	tags, _, _ := strings.Cut(line[1:], " ")
	for _, kv := range strings.Split(tags, ";") {
		if k, v, _ := strings.Cut(kv, "="); k == tag {
			return v
		}
	}
	return ""
}

// Text returns the message text of a PRIVMSG line.
func Text(line string) string {
	_, text, _ := strings.Cut(Command(line), " :")
	return text
}
