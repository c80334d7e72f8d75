package twitch

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/chatdesk/chatdesk/internal/chat"
)

// ErrTokenRefused is what every call that needs the token returns once
// Twitch has refused it and renewing it failed for good: the refresh token
// was refused, or there was none. It matches ErrUnauthorized.
var ErrTokenRefused = fmt.Errorf("%w, and renewing it was refused", ErrUnauthorized)

// TokenSourceConfig configures a TokenSource.
type TokenSourceConfig struct {
	// AuthURL is the OAuth base, e.g. https://id.twitch.tv/oauth2.
	AuthURL string
	// Token is the token to start with. Without a RefreshToken it cannot
	// be renewed: the first refusal is final.
	Token Token
	// ClientSecret goes with every refresh, for a token made by the
	// authorization-code flow of a confidential client; a device-code
	// token has none.
	ClientSecret string
	// File, when set, is the token file: every renewed token is written
	// there at once (the old refresh token no longer works), and a new
	// sign-in that bot login writes there is picked up.
	File string
	// HTTP defaults to a client with a 10-second timeout; Clock to the
	// system clock.
	HTTP  *http.Client
	Clock chat.Clock
	Log   *slog.Logger
	// ValidateEvery is how often the token is validated (Twitch asks for
	// hourly); RefreshBefore how long before its end it is renewed;
	// PollEvery how often the token file is looked at. Zero takes the
	// defaults below.
	ValidateEvery, RefreshBefore, PollEvery time.Duration
}

// Defaults of TokenSourceConfig.
const (
	DefaultValidateEvery = time.Hour
	DefaultRefreshBefore = 10 * time.Minute
	DefaultPollEvery     = 10 * time.Second
	// retryValidate is the pause after a validation Twitch could not
	// answer (a network error, a 5xx) before asking again.
	retryValidate = 5 * time.Minute
	// retryRefreshFirst and retryRefreshMost bound the pause after a
	// renewal Twitch could not answer or answered 429: doubling from the
	// first, so that every caller finding the token refused (each
	// channel's moderation, the chat login) does not ask the auth API
	// again at once.
	retryRefreshFirst = 5 * time.Second
	retryRefreshMost  = 2 * time.Minute
)

// TokenSource holds the bot's access token for the Helix client and the
// chat connection alike, and renews it with the refresh token when Twitch
// refuses it or it is about to end. However many callers find the token
// refused at once (every channel's moderation, the chat login, the hourly
// validation), Twitch sees one refresh: refresh tokens rotate on use, so a
// second refresh with the same one would be refused and kill the sign-in.
//
// A refresh Twitch refuses is final: the source says so loudly, once,
// hands every caller ErrTokenRefused without asking Twitch again, and
// waits for a new sign-in in its token file.
type TokenSource struct {
	cfg    TokenSourceConfig
	hc     *http.Client
	clock  chat.Clock
	log    *slog.Logger
	flight singleflight.Group

	refreshes atomic.Int64

	mu        sync.Mutex
	tok       Token
	dead      error         // why the token is refused for good; nil while usable
	changed   chan struct{} // closed when tok changes
	validated time.Time     // the last validation Twitch answered 200
	fileStamp fileStamp     // the token file as last read or written
	// After a renewal that failed but may work later, none is tried
	// before retryAt: callers get lastErr. failures counts them in a row.
	retryAt  time.Time
	lastErr  error
	failures int
}

// fileStamp tells whether a file changed since it was last seen.
type fileStamp struct {
	mod  time.Time
	size int64
}

// NewTokenSource returns a source; it does not contact Twitch.
func NewTokenSource(cfg TokenSourceConfig) *TokenSource {
	s := &TokenSource{cfg: cfg, hc: cfg.HTTP, clock: cfg.Clock, log: cfg.Log, tok: cfg.Token, changed: make(chan struct{})}
	s.tok.AccessToken = BareToken(s.tok.AccessToken)
	if s.hc == nil {
		s.hc = &http.Client{Timeout: 10 * time.Second}
	}
	if s.clock == nil {
		s.clock = chat.SystemClock
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.cfg.ValidateEvery <= 0 {
		s.cfg.ValidateEvery = DefaultValidateEvery
	}
	if s.cfg.RefreshBefore <= 0 {
		s.cfg.RefreshBefore = DefaultRefreshBefore
	}
	if s.cfg.PollEvery <= 0 {
		s.cfg.PollEvery = DefaultPollEvery
	}
	if cfg.File != "" {
		// A file already there at start is not news: only a later
		// write (bot login, while the bot runs) is picked up.
		s.fileStamp, _ = stampOf(cfg.File)
	}
	return s
}

// Format and LogValue name no token: a source printed or logged by
// mistake shows none (fmt would print the fields of a struct it holds).
func (s *TokenSource) Format(f fmt.State, _ rune) { fmt.Fprint(f, "twitch token source") }

// LogValue implements slog.LogValuer; see Format.
func (s *TokenSource) LogValue() slog.Value { return slog.StringValue("twitch token source") }

// Current returns the access token (without "oauth:"), or ErrTokenRefused
// once it is refused for good.
func (s *TokenSource) Current() (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dead != nil {
		return "", ErrTokenRefused
	}
	return s.tok.AccessToken, nil
}

// Changed is closed when the token next changes: renewed, or a new
// sign-in picked up. Take it before Current, so no change is missed.
func (s *TokenSource) Changed() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.changed
}

// Refused is why the token is refused for good, or nil.
func (s *TokenSource) Refused() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dead
}

// Refresh is called with a token Twitch refused, and returns the one to
// use instead. If the token was renewed meanwhile, that one comes back at
// once; else one refresh is made, shared by every caller that asks while
// it runs. A refresh Twitch refuses marks the token refused for good
// (ErrTokenRefused); one that could not reach Twitch is an error that a
// later call may retry.
func (s *TokenSource) Refresh(ctx context.Context, stale string) (string, error) {
	stale = BareToken(stale)
	if tok, done, err := s.renewedSince(stale); done {
		return tok, err
	}
	// The refresh outlives the caller that started it: the others are
	// waiting for it too. The HTTP client's timeout bounds it.
	ch := s.flight.DoChan("refresh", func() (any, error) {
		if tok, done, err := s.renewedSince(stale); done {
			return tok, err
		}
		if err := s.waiting(); err != nil {
			return "", err
		}
		return s.refresh(context.WithoutCancel(ctx))
	})
	select {
	case <-ctx.Done():
		return "", ctx.Err()
	case r := <-ch:
		if r.Err != nil {
			return "", r.Err
		}
		return r.Val.(string), nil
	}
}

// renewedSince reports, done, whether a refresh for stale is needed no
// more: the token changed since, or it is refused for good.
func (s *TokenSource) renewedSince(stale string) (tok string, done bool, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.dead != nil:
		return "", true, ErrTokenRefused
	case s.tok.AccessToken != stale:
		return s.tok.AccessToken, true, nil
	}
	return "", false, nil
}

// refresh trades the refresh token for a new pair and stores it.
func (s *TokenSource) refresh(ctx context.Context) (string, error) {
	s.mu.Lock()
	old := s.tok
	s.mu.Unlock()
	if old.RefreshToken == "" {
		return "", s.die(errors.New("there is no refresh token to renew it with"))
	}
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {old.RefreshToken}, "client_id": {old.ClientID}}
	if s.cfg.ClientSecret != "" {
		form.Set("client_secret", s.cfg.ClientSecret)
	}
	var got struct {
		AccessToken  string   `json:"access_token"`
		RefreshToken string   `json:"refresh_token"`
		ExpiresIn    int      `json:"expires_in"`
		Scope        []string `json:"scope"`
	}
	l := DeviceLogin{AuthURL: s.cfg.AuthURL, HTTP: s.hc}
	_, err := l.post(ctx, "/token", form, &got)
	var apiErr *APIError
	switch {
	case errors.As(err, &apiErr) && apiErr.Status >= 400 && apiErr.Status < 500 && apiErr.Status != http.StatusTooManyRequests:
		// Twitch's answer to a refresh token that was revoked, used
		// already or lapsed, or a wrong client secret: trying again
		// gets the same.
		return "", s.die(fmt.Errorf("twitch refused the refresh token: %w", err))
	case err != nil:
		return "", s.retryLater(fmt.Errorf("renew the twitch token: %w", err))
	case got.AccessToken == "":
		return "", s.retryLater(errors.New("renew the twitch token: twitch sent no token"))
	}
	tok := old
	tok.AccessToken, tok.RefreshToken = got.AccessToken, cmp.Or(got.RefreshToken, old.RefreshToken)
	tok.Expiry = time.Time{}
	if got.ExpiresIn > 0 {
		tok.Expiry = s.clock.Now().Add(time.Duration(got.ExpiresIn) * time.Second)
	}
	if len(got.Scope) > 0 {
		tok.Scopes = got.Scope
	}
	n := s.refreshes.Add(1)
	s.mu.Lock()
	s.retryAt, s.lastErr, s.failures = time.Time{}, nil, 0
	s.tok = tok
	s.notifyLocked()
	s.mu.Unlock()
	s.log.Info("renewed the twitch token", "user", tok.Login, "refreshes", n, "expires", tok.Expiry.UTC().Format(time.RFC3339))
	s.store(tok)
	return tok.AccessToken, nil
}

// waiting returns the last renewal's error while its pause lasts, nil
// once another may be tried.
func (s *TokenSource) waiting() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lastErr == nil || !s.clock.Now().Before(s.retryAt) {
		return nil
	}
	return fmt.Errorf("%w (next try in %s)", s.lastErr, s.retryAt.Sub(s.clock.Now()).Round(time.Second))
}

// retryLater records a renewal that failed but may work later, and the
// pause before the next: 5 s, doubling up to 2 minutes.
func (s *TokenSource) retryLater(err error) error {
	s.mu.Lock()
	s.failures++
	wait := retryRefreshMost
	if s.failures <= 5 {
		wait = min(retryRefreshFirst<<(s.failures-1), retryRefreshMost)
	}
	s.retryAt, s.lastErr = s.clock.Now().Add(wait), err
	failures := s.failures
	s.mu.Unlock()
	s.log.Warn("could not renew the twitch token; will try again", "in", wait, "failures", failures, "err", err)
	return err
}

// store writes a renewed token to the token file at once: the refresh
// token it replaced no longer works, so a restart must find the new one.
func (s *TokenSource) store(tok Token) {
	if s.cfg.File == "" {
		return
	}
	if err := WriteTokenFile(s.cfg.File, tok); err != nil {
		s.log.Error("could not store the renewed twitch token; after a restart run bot login again", "file", s.cfg.File, "err", err)
		return
	}
	st, _ := stampOf(s.cfg.File)
	s.mu.Lock()
	s.fileStamp = st
	s.mu.Unlock()
}

// die marks the token refused for good, saying so loudly the first time,
// and returns ErrTokenRefused.
func (s *TokenSource) die(why error) error {
	s.mu.Lock()
	first := s.dead == nil
	if first {
		s.dead = why
	}
	login := s.tok.Login
	s.mu.Unlock()
	if first {
		s.log.Error("TWITCH TOKEN REFUSED: Twitch no longer accepts the bot's token and it could not be renewed; "+
			"the bot no longer moderates and does not reconnect to chat until it is signed in again "+
			"(run bot login, which the running bot picks up, or restart it with a new CHATDESK_TWITCH_TOKEN and CHATDESK_TWITCH_REFRESH_TOKEN)",
			"user", login, "err", why)
	}
	return ErrTokenRefused
}

// notifyLocked wakes whoever waits for a new token; s.mu must be held.
func (s *TokenSource) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// learn takes in what a validation said about the current token: whose it
// is, its client id when none was configured, and when it ends.
func (s *TokenSource) learn(token string, info TokenInfo) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tok.AccessToken != BareToken(token) {
		return
	}
	s.validated = s.clock.Now()
	s.tok.ClientID = cmp.Or(s.tok.ClientID, info.ClientID)
	s.tok.Login = cmp.Or(s.tok.Login, info.Login)
	s.tok.UserID = cmp.Or(s.tok.UserID, info.UserID)
	if info.ExpiresIn > 0 {
		s.tok.Expiry = s.validated.Add(time.Duration(info.ExpiresIn) * time.Second)
	}
}

// TokenStatus is the token's state for the health endpoint.
type TokenStatus struct {
	// Refused is set once Twitch refused the token and renewing it failed;
	// Reason says why.
	Refused bool
	Reason  string
	// Refreshes counts renewals since start.
	Refreshes int64
	Expiry    time.Time
	Validated time.Time
}

// Status returns the token's state. Nothing in it is secret.
func (s *TokenSource) Status() TokenStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := TokenStatus{Refreshes: s.refreshes.Load(), Expiry: s.tok.Expiry, Validated: s.validated}
	if s.dead != nil {
		st.Refused, st.Reason = true, s.dead.Error()
	}
	return st
}

// Run validates the token when it starts and then hourly, as Twitch asks
// of apps that keep a sign-in, renews it when validation says it is gone
// or ends within RefreshBefore, and picks up a new sign-in written to the
// token file. It returns when ctx ends.
func (s *TokenSource) Run(ctx context.Context) error {
	next := s.nextValidation(s.clock.Now())
	for {
		// Polling the token file, rather than watching it with inotify,
		// works on every file system a data directory may be on (network
		// and container volumes too) and runs on the injected clock, so
		// tests move it; a stat every ten seconds costs nothing.
		var wake <-chan time.Time
		refused := s.Refused() != nil
		switch {
		case s.cfg.File != "" && refused:
			wake = s.clock.After(s.cfg.PollEvery)
		case s.cfg.File != "":
			wake = s.clock.After(max(min(next.Sub(s.clock.Now()), s.cfg.PollEvery), 0))
		case !refused:
			wake = s.clock.After(max(next.Sub(s.clock.Now()), 0))
		}
		select {
		case <-ctx.Done():
			return nil
		case <-wake:
		}
		now := s.clock.Now()
		if s.pickUp() {
			next = now // a new sign-in is validated at once
		}
		if now.Before(next) || s.Refused() != nil {
			continue
		}
		next = s.validate(ctx)
	}
}

// nextValidation is when the token is next validated: an hour on, or
// sooner if it ends before then, so it is renewed in time.
func (s *TokenSource) nextValidation(now time.Time) time.Time {
	next := now.Add(s.cfg.ValidateEvery)
	s.mu.Lock()
	expiry := s.tok.Expiry
	s.mu.Unlock()
	if !expiry.IsZero() {
		if renew := expiry.Add(-s.cfg.RefreshBefore); renew.Before(next) {
			next = renew
			if soon := now.Add(time.Second); next.Before(soon) {
				next = soon
			}
		}
	}
	return next
}

// validate asks Twitch about the token, renews it when needed, and returns
// when to validate next.
func (s *TokenSource) validate(ctx context.Context) time.Time {
	tok, err := s.Current()
	if err != nil {
		return s.clock.Now().Add(s.cfg.ValidateEvery)
	}
	s.mu.Lock()
	clientID := s.tok.ClientID
	s.mu.Unlock()
	h, err := NewHelix(HelixConfig{APIURL: s.cfg.AuthURL, AuthURL: s.cfg.AuthURL, ClientID: clientID, Token: tok, HTTP: s.hc, Clock: s.clock})
	if err != nil {
		s.log.Error("cannot validate the twitch token", "err", err)
		return s.clock.Now().Add(s.cfg.ValidateEvery)
	}
	info, err := h.Validate(ctx)
	switch {
	case errors.Is(err, ErrUnauthorized):
		s.log.Info("twitch says the token is no longer valid; renewing it")
		if _, err := s.Refresh(ctx, tok); err != nil && !errors.Is(err, ErrTokenRefused) {
			return s.clock.Now().Add(retryValidate)
		}
	case err != nil:
		if ctx.Err() == nil {
			s.log.Warn("could not validate the twitch token; will try again", "in", retryValidate, "err", err)
		}
		return s.clock.Now().Add(retryValidate)
	default:
		s.learn(tok, info)
		s.log.Debug("validated the twitch token", "expires_in", time.Duration(info.ExpiresIn)*time.Second)
		if info.ExpiresIn > 0 && time.Duration(info.ExpiresIn)*time.Second <= s.cfg.RefreshBefore {
			s.log.Info("the twitch token ends soon; renewing it", "expires_in", time.Duration(info.ExpiresIn)*time.Second)
			if _, err := s.Refresh(ctx, tok); err != nil && !errors.Is(err, ErrTokenRefused) {
				return s.clock.Now().Add(retryValidate)
			}
		}
	}
	return s.nextValidation(s.clock.Now())
}

// pickUp adopts a token that bot login (or another bot sharing the data
// directory) wrote to the token file since it was last looked at, and
// reports whether it did.
func (s *TokenSource) pickUp() bool {
	if s.cfg.File == "" {
		return false
	}
	st, err := stampOf(s.cfg.File)
	s.mu.Lock()
	same := st == s.fileStamp
	s.mu.Unlock()
	if err != nil || same {
		return false
	}
	tok, ok, err := ReadTokenFile(s.cfg.File)
	if err != nil || !ok {
		// Half-written files cannot happen (the file is replaced whole);
		// a damaged one is looked at again when it changes.
		s.mu.Lock()
		s.fileStamp = st
		s.mu.Unlock()
		return false
	}
	s.mu.Lock()
	s.fileStamp = st
	if tok.AccessToken == s.tok.AccessToken {
		s.mu.Unlock()
		return false
	}
	wasDead := s.dead != nil
	s.tok, s.dead = tok, nil
	s.retryAt, s.lastErr, s.failures = time.Time{}, nil, 0
	s.notifyLocked()
	s.mu.Unlock()
	if wasDead {
		s.log.Info("picked up the new twitch sign-in from the token file; going back to work", "user", tok.Login, "file", s.cfg.File)
	} else {
		s.log.Info("picked up a new twitch sign-in from the token file", "user", tok.Login, "file", s.cfg.File)
	}
	return true
}

func stampOf(path string) (fileStamp, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return fileStamp{}, err
	}
	return fileStamp{mod: fi.ModTime(), size: fi.Size()}, nil
}

// Credentials are the secrets bot run may find in its environment.
type Credentials struct {
	AccessToken, RefreshToken, ClientID string
}

// StartToken chooses the token bot run goes live with, and whether its
// renewals are kept in file. A token in the environment wins over the one
// bot login stored; with a refresh token beside it, its renewals go to
// file too, marked with the refresh token they started from (a hash, not
// the token), so that after a restart the file's newer pair wins over the
// environment's used-up one. Without a token in the environment, the
// file's is used; ok is false when there is none anywhere.
func StartToken(env Credentials, file string) (tok Token, ok bool, err error) {
	env.AccessToken = BareToken(env.AccessToken)
	stored, have, ferr := ReadTokenFile(file)
	if env.AccessToken == "" {
		if ferr != nil {
			return Token{}, false, ferr
		}
		if have {
			stored.ClientID = cmp.Or(env.ClientID, stored.ClientID)
		}
		return stored, have, nil
	}
	if env.RefreshToken == "" {
		return Token{AccessToken: env.AccessToken, ClientID: env.ClientID}, true, nil
	}
	seed := SeedOf(env.RefreshToken)
	if have && ferr == nil && stored.Seed == seed {
		stored.ClientID = cmp.Or(env.ClientID, stored.ClientID)
		return stored, true, nil
	}
	return Token{AccessToken: env.AccessToken, RefreshToken: env.RefreshToken, ClientID: env.ClientID, Seed: seed}, true, nil
}

// SeedOf names a refresh token without revealing it: the start of its
// SHA-256.
func SeedOf(refreshToken string) string {
	sum := sha256.Sum256([]byte(strings.TrimSpace(refreshToken)))
	return hex.EncodeToString(sum[:8])
}
