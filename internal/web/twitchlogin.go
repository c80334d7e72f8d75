package web

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/chatdesk/chatdesk/internal/twitch"
)

// TwitchLogin configures "Log in with Twitch": the authorization code flow
// against Twitch's OAuth server, then Helix says which of the bot's
// channels the user moderates.
type TwitchLogin struct {
	ClientID     string
	ClientSecret string
	// AuthURL is twitch.auth_url (https://id.twitch.tv/oauth2); APIURL
	// twitch.api_url.
	AuthURL, APIURL string
	// HTTP is the client for Twitch; nil: a 10-second timeout.
	HTTP *http.Client
}

// TwitchRecheck is how often a Twitch sign-in's roles are asked of Twitch
// again, with the user's own token: a moderator who loses the role loses
// the desk within it.
const TwitchRecheck = 10 * time.Minute

// twitchSession is what the desk keeps, in memory only, of a Twitch
// sign-in: the user's token (to ask again) and the roles Twitch gave.
type twitchSession struct {
	mu      sync.Mutex
	token   oauth2.TokenSource
	userID  string
	login   string
	roles   map[string]Role
	checked time.Time
	expires time.Time
}

// ModeratedChannelsScope is the one scope the sign-in asks for.
const ModeratedChannelsScope = "user:read:moderated_channels"

const stateCookie = "chatdesk_oauth_state"

func (s *Server) oauth() *oauth2.Config {
	t := s.cfg.Twitch
	auth := strings.TrimRight(t.AuthURL, "/")
	return &oauth2.Config{
		ClientID: t.ClientID, ClientSecret: t.ClientSecret,
		Endpoint:    oauth2.Endpoint{AuthURL: auth + "/authorize", TokenURL: auth + "/token", AuthStyle: oauth2.AuthStyleInParams},
		RedirectURL: strings.TrimRight(s.cfg.PublicURL, "/") + "/login/twitch/callback",
		Scopes:      []string{ModeratedChannelsScope},
	}
}

// twitchStart sends the browser to Twitch with a state only it holds (a
// signed cookie), so a callback forged elsewhere is refused.
func (s *Server) twitchStart(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Twitch == nil {
		s.fail(w, r, http.StatusNotFound, "Log in with Twitch is not set up on this bot.")
		return
	}
	state := randomToken()
	ck := s.ck.cookie(stateCookie, s.ck.seal("oauth-state", []byte(state)), 10*time.Minute)
	// Lax: the callback is a top-level navigation back from Twitch.
	ck.SameSite = http.SameSiteLaxMode
	http.SetCookie(w, ck)
	http.Redirect(w, r, s.oauth().AuthCodeURL(state), http.StatusSeeOther)
}

func (s *Server) twitchCallback(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Twitch == nil {
		s.fail(w, r, http.StatusNotFound, "Log in with Twitch is not set up on this bot.")
		return
	}
	ck, err := r.Cookie(stateCookie)
	http.SetCookie(w, s.ck.cookie(stateCookie, "", -time.Second))
	var want []byte
	if err == nil {
		want, _ = s.ck.open("oauth-state", ck.Value)
	}
	got := r.URL.Query().Get("state")
	if len(want) == 0 || subtle.ConstantTimeCompare(want, []byte(got)) != 1 {
		s.fail(w, r, http.StatusForbidden, "This sign-in did not start here, or took too long. Try Log in with Twitch again.")
		return
	}
	if e := r.URL.Query().Get("error"); e != "" {
		s.fail(w, r, http.StatusForbidden, "Twitch did not sign you in ("+e+").")
		return
	}
	ts, err := s.twitchSignIn(r.Context(), r.URL.Query().Get("code"))
	if err != nil {
		s.log.Warn("web desk: log in with twitch", "err", err)
		s.fail(w, r, http.StatusBadGateway, "Twitch could not confirm who you are; try again in a minute.")
		return
	}
	id := Identity{User: ts.login, Roles: ts.roles}
	sid := s.ck.startSessionFor(w, id, SessionLifetime, true)
	s.keepTwitch(sid, ts)
	s.log.Info("web desk: signed in with twitch", "user", id.User, "channels", len(id.Roles))
	http.Redirect(w, r, "/desk", http.StatusSeeOther)
}

// twitchSignIn trades the code for the user's token, asks Twitch who it is
// and which channels it moderates, and keeps the bot's among them.
func (s *Server) twitchSignIn(ctx context.Context, code string) (*twitchSession, error) {
	hc := s.twitchHTTP()
	tok, err := s.oauth().Exchange(context.WithValue(ctx, oauth2.HTTPClient, hc), code)
	if err != nil {
		return nil, err
	}
	// The token refreshes itself for the re-checks, long after this
	// request has ended.
	ts := &twitchSession{token: s.oauth().TokenSource(context.WithValue(context.Background(), oauth2.HTTPClient, hc), tok)}
	h, err := s.userHelix(tok.AccessToken)
	if err != nil {
		return nil, err
	}
	me, err := h.Validate(ctx)
	if err != nil {
		return nil, err
	}
	ts.userID, ts.login = me.UserID, strings.ToLower(me.Login)
	if ts.roles, err = s.twitchRoles(ctx, h, ts); err != nil {
		return nil, err
	}
	ts.checked = s.now()
	return ts, nil
}

func (s *Server) twitchHTTP() *http.Client {
	if hc := s.cfg.Twitch.HTTP; hc != nil {
		return hc
	}
	return &http.Client{Timeout: 10 * time.Second}
}

func (s *Server) userHelix(token string) (*twitch.Helix, error) {
	t := s.cfg.Twitch
	return twitch.NewHelix(twitch.HelixConfig{APIURL: t.APIURL, AuthURL: t.AuthURL, ClientID: t.ClientID, Token: token, HTTP: s.twitchHTTP(), Log: s.log})
}

// twitchRoles are ts's roles in the bot's channels: broadcaster of its own,
// moderator of those Twitch says it moderates.
func (s *Server) twitchRoles(ctx context.Context, h *twitch.Helix, ts *twitchSession) (map[string]Role, error) {
	roles := map[string]Role{}
	if _, ok := s.channels[ts.login]; ok {
		roles[ts.login] = RoleBroadcaster
	}
	mods, err := h.ModeratedChannels(ctx, ts.userID)
	if err != nil {
		return nil, err
	}
	for _, m := range mods {
		name := strings.ToLower(m.Login)
		if _, ok := s.channels[name]; ok && roles[name] == "" {
			roles[name] = RoleModerator
		}
	}
	return roles, nil
}

// keepTwitch remembers a Twitch sign-in under its session id, and forgets
// the ones that have expired.
func (s *Server) keepTwitch(sid string, ts *twitchSession) {
	now := s.now()
	ts.expires = now.Add(SessionLifetime)
	s.twitchMu.Lock()
	defer s.twitchMu.Unlock()
	for id, old := range s.twitchSessions {
		if !now.Before(old.expires) {
			delete(s.twitchSessions, id)
		}
	}
	s.twitchSessions[sid] = ts
}

// twitchNow is a Twitch session's roles as of now: asked of Twitch again
// when the last answer is older than TwitchRecheck. A token Twitch refuses
// ends the session; Twitch out of reach keeps the roles it gave last, and
// asks again in a minute.
func (s *Server) twitchNow(ctx context.Context, sid string) (map[string]Role, bool) {
	s.twitchMu.Lock()
	ts := s.twitchSessions[sid]
	s.twitchMu.Unlock()
	if ts == nil {
		return nil, false
	}
	ts.mu.Lock()
	defer ts.mu.Unlock()
	now := s.now()
	if now.Sub(ts.checked) < TwitchRecheck {
		return ts.roles, true
	}
	roles, err := func() (map[string]Role, error) {
		tok, err := ts.token.Token()
		if err != nil {
			return nil, err
		}
		h, err := s.userHelix(tok.AccessToken)
		if err != nil {
			return nil, err
		}
		return s.twitchRoles(ctx, h, ts)
	}()
	var re *oauth2.RetrieveError
	switch {
	case errors.Is(err, twitch.ErrUnauthorized) || errors.As(err, &re):
		s.log.Info("web desk: twitch refused a signed-in user's token; signed out", "user", ts.login)
		s.twitchMu.Lock()
		delete(s.twitchSessions, sid)
		s.twitchMu.Unlock()
		return nil, false
	case err != nil:
		s.log.Warn("web desk: re-check a twitch sign-in", "user", ts.login, "err", err)
		ts.checked = now.Add(time.Minute - TwitchRecheck)
		return ts.roles, true
	}
	ts.roles, ts.checked = roles, now
	return roles, true
}
