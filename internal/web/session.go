package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Role is what a signed-in user may do in one channel.
type Role string

// The roles that open a channel's desk. A signed-in user with neither is a
// viewer: the public pages are all they get.
const (
	RoleModerator   Role = "moderator"
	RoleBroadcaster Role = "broadcaster"
)

// Identity is who a session belongs to.
type Identity struct {
	// User is the login the desk acts as: a ticket claimed from the web is
	// claimed by User, as "!claim" in chat is by its sender.
	User string `json:"u"`
	// Roles are the channels User works, and as what.
	Roles map[string]Role `json:"r,omitempty"`
}

// Can reports whether the identity may work channel's desk.
func (id Identity) Can(channel string) bool {
	r := id.Roles[channel]
	return r == RoleModerator || r == RoleBroadcaster
}

// session is the content of the session cookie.
type session struct {
	Identity
	// ID ties the CSRF token to this session.
	ID      string `json:"i"`
	Expires int64  `json:"e"`
	// Twitch marks a Twitch sign-in: its roles are the server's, asked of
	// Twitch again every TwitchRecheck, not the cookie's.
	Twitch bool `json:"t,omitempty"`
}

// Cookie names. Without https the __Host- prefix cannot be used; the
// cookies are host-only (no Domain) either way.
const (
	sessionCookie = "chatdesk_session"
	csrfCookie    = "chatdesk_csrf"
	flashCookie   = "chatdesk_flash"
)

// Lifetimes.
const (
	// SessionLifetime is how long a sign-in lasts.
	SessionLifetime = 12 * time.Hour
	// LoginLinkLifetime is how long a one-time login link can be used.
	LoginLinkLifetime = 15 * time.Minute
)

// signer signs cookie values with a key that lives in memory only: a
// restart signs everyone out, and no file holds anything that forges a
// session.
type signer struct{ key []byte }

func newSigner(key []byte) signer {
	if len(key) == 0 {
		key = make([]byte, 32)
		_, _ = rand.Read(key)
	}
	return signer{key: key}
}

func (s signer) mac(purpose string, data []byte) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(purpose))
	m.Write([]byte{0})
	m.Write(data)
	return m.Sum(nil)
}

// seal returns data signed for purpose, as cookie-safe text.
func (s signer) seal(purpose string, data []byte) string {
	enc := base64.RawURLEncoding
	return enc.EncodeToString(data) + "." + enc.EncodeToString(s.mac(purpose, data))
}

// open checks value's signature for purpose and returns its data.
func (s signer) open(purpose, value string) ([]byte, bool) {
	enc := base64.RawURLEncoding
	body, sig, ok := strings.Cut(value, ".")
	if !ok {
		return nil, false
	}
	data, err1 := enc.DecodeString(body)
	got, err2 := enc.DecodeString(sig)
	if err1 != nil || err2 != nil || !hmac.Equal(got, s.mac(purpose, data)) {
		return nil, false
	}
	return data, true
}

func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// cookies makes and reads the desk's cookies.
type cookies struct {
	signer
	secure bool
	now    func() time.Time
}

func (c cookies) cookie(name, value string, maxAge time.Duration) *http.Cookie {
	return &http.Cookie{
		Name: name, Value: value, Path: "/", MaxAge: int(maxAge / time.Second),
		HttpOnly: true, Secure: c.secure, SameSite: http.SameSiteLaxMode,
	}
}

// startSession signs id in.
func (c cookies) startSession(w http.ResponseWriter, id Identity) {
	c.startSessionFor(w, id, SessionLifetime, false)
}

// startSessionFor signs id in for life, and returns the session's id.
func (c cookies) startSessionFor(w http.ResponseWriter, id Identity, life time.Duration, viaTwitch bool) string {
	s := session{Identity: id, ID: randomToken(), Expires: c.now().Add(life).Unix(), Twitch: viaTwitch}
	data, _ := json.Marshal(s)
	ck := c.cookie(sessionCookie, c.seal("session", data), life)
	// Strict: a link from another site never arrives signed in.
	ck.SameSite = http.SameSiteStrictMode
	http.SetCookie(w, ck)
	return s.ID
}

func (c cookies) endSession(w http.ResponseWriter) {
	http.SetCookie(w, c.cookie(sessionCookie, "", -time.Second))
}

// session returns the request's valid session, if any.
func (c cookies) session(r *http.Request) (session, bool) {
	ck, err := r.Cookie(sessionCookie)
	if err != nil {
		return session{}, false
	}
	data, ok := c.open("session", ck.Value)
	if !ok {
		return session{}, false
	}
	var s session
	if json.Unmarshal(data, &s) != nil || s.User == "" || c.now().Unix() >= s.Expires {
		return session{}, false
	}
	return s, true
}

// csrfToken is the token forms on this response carry. It is bound to a
// random cookie of the browser's (set here when missing) and to the
// session, so a token from another browser or another sign-in is refused.
func (c cookies) csrfToken(w http.ResponseWriter, r *http.Request) string {
	seed := ""
	if ck, err := r.Cookie(csrfCookie); err == nil && len(ck.Value) >= 32 {
		seed = ck.Value
	} else {
		seed = randomToken()
		http.SetCookie(w, c.cookie(csrfCookie, seed, 0))
		// Later forms on this request see the new seed.
		r.AddCookie(&http.Cookie{Name: csrfCookie, Value: seed})
	}
	sid := ""
	if s, ok := c.session(r); ok {
		sid = s.ID
	}
	return base64.RawURLEncoding.EncodeToString(c.mac("csrf", []byte(seed+"|"+sid)))
}

// checkCSRF reports whether r carries the token its cookie and session
// call for.
func (c cookies) checkCSRF(r *http.Request) bool {
	ck, err := r.Cookie(csrfCookie)
	if err != nil || len(ck.Value) < 32 {
		return false
	}
	got, err := base64.RawURLEncoding.DecodeString(r.PostFormValue("csrf"))
	if err != nil {
		return false
	}
	sid := ""
	if s, ok := c.session(r); ok {
		sid = s.ID
	}
	return hmac.Equal(got, c.mac("csrf", []byte(ck.Value+"|"+sid)))
}

// flash leaves a note for the next page this browser sees; signed, so no
// link can put words on the desk.
func (c cookies) flash(w http.ResponseWriter, note string) {
	http.SetCookie(w, c.cookie(flashCookie, c.seal("flash", []byte(note)), time.Minute))
}

func (c cookies) takeFlash(w http.ResponseWriter, r *http.Request) string {
	ck, err := r.Cookie(flashCookie)
	if err != nil {
		return ""
	}
	http.SetCookie(w, c.cookie(flashCookie, "", -time.Second))
	data, ok := c.open("flash", ck.Value)
	if !ok {
		return ""
	}
	return string(data)
}

// loginLinks are the one-time local login tokens. Only their hashes are
// kept; each works once, until it expires.
type loginLinks struct {
	mu     sync.Mutex
	now    func() time.Time
	tokens map[[32]byte]time.Time
}

// Errors of a login token.
var (
	errTokenUnknown = errors.New("this login link is not valid (it was used already, or belongs to an earlier run)")
	errTokenExpired = errors.New("this login link has expired")
)

func (l *loginLinks) mint() string {
	tok := randomToken()
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	for h, exp := range l.tokens {
		if !now.Before(exp) {
			delete(l.tokens, h)
		}
	}
	l.tokens[sha256.Sum256([]byte(tok))] = now.Add(LoginLinkLifetime)
	return tok
}

// redeem uses tok up: a second redeem of the same token fails.
func (l *loginLinks) redeem(tok string) error {
	h := sha256.Sum256([]byte(tok))
	l.mu.Lock()
	defer l.mu.Unlock()
	var found bool
	var exp time.Time
	// Compare every hash in constant time rather than look one up, so
	// timing tells nothing of the tokens.
	for k, e := range l.tokens {
		if subtle.ConstantTimeCompare(k[:], h[:]) == 1 {
			found, exp = true, e
		}
	}
	if !found {
		return errTokenUnknown
	}
	delete(l.tokens, h)
	if !l.now().Before(exp) {
		return errTokenExpired
	}
	return nil
}

// live reports whether an unused, unexpired token remains.
func (l *loginLinks) live() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	for _, exp := range l.tokens {
		if now.Before(exp) {
			return true
		}
	}
	return false
}
