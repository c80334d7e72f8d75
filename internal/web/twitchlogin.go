package web

import (
	"context"
	"crypto/subtle"
	"net/http"
	"strings"
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

// TwitchSessionLifetime is how long a Twitch sign-in lasts: after it, the
// desk asks Twitch again (Twitch signs a returning user straight back in),
// so a moderator who lost the role loses the desk within it.
const TwitchSessionLifetime = time.Hour

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
	id, err := s.twitchIdentity(r.Context(), r.URL.Query().Get("code"))
	if err != nil {
		s.log.Warn("web desk: log in with twitch", "err", err)
		s.fail(w, r, http.StatusBadGateway, "Twitch could not confirm who you are; try again in a minute.")
		return
	}
	s.ck.startSessionFor(w, id, TwitchSessionLifetime)
	s.log.Info("web desk: signed in with twitch", "user", id.User, "channels", len(id.Roles))
	http.Redirect(w, r, "/desk", http.StatusSeeOther)
}

// twitchIdentity trades the code for the user's token, asks Twitch who it
// is and which channels it moderates, and keeps the bot's among them. The
// token is used for this and dropped.
func (s *Server) twitchIdentity(ctx context.Context, code string) (Identity, error) {
	t := s.cfg.Twitch
	hc := t.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Second}
	}
	tok, err := s.oauth().Exchange(context.WithValue(ctx, oauth2.HTTPClient, hc), code)
	if err != nil {
		return Identity{}, err
	}
	h, err := twitch.NewHelix(twitch.HelixConfig{APIURL: t.APIURL, AuthURL: t.AuthURL, ClientID: t.ClientID, Token: tok.AccessToken, HTTP: hc, Log: s.log})
	if err != nil {
		return Identity{}, err
	}
	me, err := h.Validate(ctx)
	if err != nil {
		return Identity{}, err
	}
	id := Identity{User: strings.ToLower(me.Login), Roles: map[string]Role{}}
	if _, ok := s.channels[id.User]; ok {
		id.Roles[id.User] = RoleBroadcaster
	}
	mods, err := h.ModeratedChannels(ctx, me.UserID)
	if err != nil {
		return Identity{}, err
	}
	for _, m := range mods {
		name := strings.ToLower(m.Login)
		if _, ok := s.channels[name]; ok && id.Roles[name] == "" {
			id.Roles[name] = RoleModerator
		}
	}
	return id, nil
}
