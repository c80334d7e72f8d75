// Package web is the bot's web desk, served beside /metrics and /healthz: a
// public knowledge base and anonymous suggestion box for viewers, a page of
// what changed because viewers asked, and a live ticket desk for moderators.
// It decides nothing of its own: searches go through the channel's answer
// matcher and every ticket action through the escalation Desk's transitions,
// exactly as the chat commands do. Pages are server-rendered and work with
// JavaScript off; a small script only makes the desk's queue live.
package web

import (
	"context"
	"embed"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/chatdesk/chatdesk/internal/answer"
	"github.com/chatdesk/chatdesk/internal/chat"
	"github.com/chatdesk/chatdesk/internal/escalation"
	"github.com/chatdesk/chatdesk/internal/moderation"
)

// Channel is one channel as the web desk sees it; router.Channel is one.
type Channel interface {
	Name() string
	Responder() *answer.Responder
	// Desk is nil when escalation is off in the channel.
	Desk() *escalation.Desk
	// DeliverFromStaff posts a moderator's decision to chat as their chat
	// command's replies go.
	DeliverFromStaff(ctx context.Context, msg chat.Message, d chat.Decision) error
}

// Tickets is what the desk reads of the ticket store (an escalation.Store
// is one). It has no transition on purpose: every change goes through the
// channel's escalation.Desk, as the chat commands' do.
type Tickets interface {
	List(ctx context.Context, channel string, f escalation.Filter) ([]escalation.Ticket, error)
	Events(ctx context.Context, channel string, since time.Time) ([]escalation.Event, error)
}

// Moderated is a Channel whose moderation engine the desk can pardon
// through; router.Channel is one.
type Moderated interface {
	Moderation() *moderation.Engine
}

// Config is what the web desk is built from.
type Config struct {
	Channels []Channel
	// Store is where the channels' tickets and events are; the desk only
	// reads it.
	Store Tickets
	// BaseURL is where this machine reaches the server
	// ("http://127.0.0.1:8080"), for the local login link.
	BaseURL string
	// PublicURL is where viewers reach it, when it is behind a proxy;
	// https there makes the cookies Secure.
	PublicURL string
	// LocalLogin has Run log one-time login links for this machine.
	LocalLogin bool
	// Twitch turns on "Log in with Twitch"; nil: off. It needs PublicURL,
	// where Twitch sends the browser back.
	Twitch *TwitchLogin
	// Key signs sessions; empty: a random key for this run.
	Key []byte
	// Poll is how often open desks look for changes made elsewhere (chat,
	// another bot instance); zero: every 500ms.
	Poll time.Duration
	// TrustProxy takes the client's address for the suggestion box's
	// rate limit from X-Forwarded-For, as a reverse proxy in front sets it.
	TrustProxy bool
	Now        func() time.Time
	Log        *slog.Logger
}

// Server is the web desk.
type Server struct {
	cfg      Config
	channels map[string]Channel
	order    []string
	ck       cookies
	links    *loginLinks
	pages    map[string]*template.Template
	static   http.Handler
	hub      *hub
	log      *slog.Logger
	now      func() time.Time
	done     chan struct{}
	doneOnce sync.Once

	// marks are the open queues as the poll last saw them, by channel.
	marksMu sync.Mutex
	marks   map[string]string

	kbMu    sync.Mutex
	kbCache map[string][]renderedFAQ

	twitchMu       sync.Mutex
	twitchSessions map[string]*twitchSession
}

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// New builds the web desk; it starts nothing.
func New(c Config) (*Server, error) {
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	if c.Poll <= 0 {
		c.Poll = 500 * time.Millisecond
	}
	s := &Server{
		cfg: c, channels: map[string]Channel{}, log: c.Log, now: c.Now,
		ck:    cookies{signer: newSigner(c.Key), secure: strings.HasPrefix(c.PublicURL, "https://"), now: c.Now},
		links: &loginLinks{now: c.Now, tokens: map[[32]byte]time.Time{}},
		hub:   newHub(), done: make(chan struct{}), marks: map[string]string{}, kbCache: map[string][]renderedFAQ{},
		twitchSessions: map[string]*twitchSession{},
	}
	for _, ch := range c.Channels {
		s.channels[ch.Name()] = ch
		s.order = append(s.order, ch.Name())
	}
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	s.pages = pages
	sub, _ := fs.Sub(staticFS, "static")
	s.static = http.StripPrefix("/static/", http.FileServerFS(sub))
	return s, nil
}

// Register adds the desk's routes to mux.
func (s *Server) Register(mux *http.ServeMux) {
	h := func(pattern string, f http.HandlerFunc) { mux.Handle(pattern, s.secure(f)) }
	h("GET /{$}", s.home)
	h("GET /static/", s.static.ServeHTTP)
	h("GET /c/{channel}", s.knowledgeBase)
	h("GET /c/{channel}/suggest", s.suggestForm)
	h("POST /c/{channel}/suggest", s.csrf(s.suggest))
	h("GET /c/{channel}/improvements", s.improvements)
	h("GET /login", s.loginPage)
	h("GET /login/twitch", s.twitchStart)
	h("GET /login/twitch/callback", s.twitchCallback)
	h("POST /login", s.csrf(s.login))
	h("POST /logout", s.csrf(s.logout))
	h("GET /desk", s.deskHome)
	h("GET /desk/{channel}", s.page(s.desk))
	h("GET /desk/{channel}/queue", s.api(s.queue))
	h("GET /desk/{channel}/events", s.api(s.events))
	h("POST /desk/{channel}/tickets/{number}/{action}", s.api(s.checked(s.work)))
	h("POST /desk/{channel}/pardon", s.api(s.checked(s.pardon)))
	h("GET /desk/{channel}/faq", s.page(s.broadcaster(s.faqPage)))
	h("POST /desk/{channel}/faq/{id}", s.api(s.broadcaster(s.checked(s.faqEdit))))
}

// Handler is the desk alone on a mux, for tests and for serving it apart.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	s.Register(mux)
	return mux
}

// LoginLink mints a one-time login link for this machine.
func (s *Server) LoginLink() string {
	return strings.TrimRight(s.cfg.BaseURL, "/") + "/login?token=" + s.links.mint()
}

// Run keeps open desks live until ctx ends: it looks for changes made
// elsewhere while any desk is open, and, with LocalLogin, logs a fresh
// login link whenever the last was used or expired.
func (s *Server) Run(ctx context.Context) error {
	defer s.doneOnce.Do(func() { close(s.done) })
	tick := time.NewTicker(s.cfg.Poll)
	defer tick.Stop()
	for {
		if s.cfg.LocalLogin && !s.links.live() {
			s.log.Info("web desk: open this link on this machine to sign in (it works once, for "+chat.FormatDuration(LoginLinkLifetime, 2)+")", "url", s.LoginLink())
		}
		for _, name := range s.order {
			if s.hub.watched(name) {
				s.look(ctx, name, false)
			} else {
				s.marksMu.Lock()
				delete(s.marks, name)
				s.marksMu.Unlock()
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// look compares channel's open queue with the last look and wakes its
// desks when it changed. first only records the queue, once, for a desk
// that just opened: the change after it is then never missed.
func (s *Server) look(ctx context.Context, channel string, first bool) {
	mark, err := s.queueMark(ctx, channel)
	if err != nil {
		s.log.Warn("web desk: look for ticket changes", "channel", channel, "err", err)
		return
	}
	s.marksMu.Lock()
	old, ok := s.marks[channel]
	if !first || !ok {
		s.marks[channel] = mark
	}
	s.marksMu.Unlock()
	if !first && ok && old != mark {
		s.hub.publish(channel)
	}
}

// mark is channel's queue as last seen.
func (s *Server) mark(channel string) string {
	s.marksMu.Lock()
	defer s.marksMu.Unlock()
	return s.marks[channel]
}

// secure sets the headers every response carries: a strict CSP (no inline
// script or style, nothing from elsewhere), no framing, no referrer (a login
// link must not leak through one).
func (s *Server) secure(next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Referrer-Policy", "no-referrer")
		if !strings.HasPrefix(r.URL.Path, "/static/") {
			hd.Set("Cache-Control", "no-store")
		}
		next(w, r)
	})
}

// maxForm bounds a form's body.
const maxForm = 16 << 10

// csrf refuses a state change without the form's token.
func (s *Server) csrf(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxForm)
		if !s.ck.checkCSRF(r) {
			s.fail(w, r, http.StatusForbidden, "This form has expired or did not come from this site. Go back, reload the page and try again.")
			return
		}
		next(w, r)
	}
}

// checked is csrf for a desk action, after its sign-in is checked.
func (s *Server) checked(next func(http.ResponseWriter, *http.Request, Channel, session)) func(http.ResponseWriter, *http.Request, Channel, session) {
	return func(w http.ResponseWriter, r *http.Request, ch Channel, ss session) {
		s.csrf(func(w http.ResponseWriter, r *http.Request) { next(w, r, ch, ss) })(w, r)
	}
}

// who is the request's signed-in identity.
func (s *Server) who(r *http.Request) (session, bool) {
	ss, ok := s.ck.session(r)
	if !ok || !ss.Twitch {
		return ss, ok
	}
	roles, ok := s.twitchNow(r.Context(), ss.ID)
	if !ok {
		return session{}, false
	}
	ss.Roles = roles
	return ss, true
}

// page lets only the channel's moderators and broadcaster in; others are
// sent to sign in, or told they cannot.
func (s *Server) page(next func(http.ResponseWriter, *http.Request, Channel, session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ss, ok := s.who(r)
		if !ok {
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		}
		s.allowed(w, r, ss, next)
	}
}

// api is page for what scripts and forms call: 401 rather than a redirect.
func (s *Server) api(next func(http.ResponseWriter, *http.Request, Channel, session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ss, ok := s.who(r)
		if !ok {
			s.fail(w, r, http.StatusUnauthorized, "Sign in first.")
			return
		}
		s.allowed(w, r, ss, next)
	}
}

func (s *Server) allowed(w http.ResponseWriter, r *http.Request, ss session, next func(http.ResponseWriter, *http.Request, Channel, session)) {
	ch, ok := s.channels[r.PathValue("channel")]
	if !ok || !ss.Can(ch.Name()) || ch.Desk() == nil {
		// Unknown and forbidden look alike: nobody learns which
		// channels exist by probing.
		s.fail(w, r, http.StatusForbidden, "You are not a moderator of this channel.")
		return
	}
	next(w, r, ch, ss)
}

// clientOf is what tells suggestion senders apart for the rate limit: their
// address, which goes into the box's rotating keyed hash and nowhere else.
func (s *Server) clientOf(r *http.Request) string {
	if s.cfg.TrustProxy {
		if f := r.Header.Get("X-Forwarded-For"); f != "" {
			parts := strings.Split(f, ",")
			return strings.TrimSpace(parts[len(parts)-1])
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// ChannelsOf lists chs as the desk's Channels.
func ChannelsOf[C Channel](chs []C) []Channel {
	out := make([]Channel, len(chs))
	for i, c := range chs {
		out[i] = c
	}
	return out
}

// KnowledgeBaseURL is where viewers find channel's answers on the desk
// served at publicURL; empty when there is no public address.
func KnowledgeBaseURL(publicURL, channel string) string {
	if publicURL == "" {
		return ""
	}
	return strings.TrimRight(publicURL, "/") + "/c/" + channel
}
