package twitch

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/chatdesk/chatdesk/internal/chat"
)

// The scopes chatdesk asks a token for, and what each one is needed for.
const (
	ScopeChatRead      = "chat:read"
	ScopeChatEdit      = "chat:edit"
	ScopeBans          = "moderator:manage:banned_users"
	ScopeChatMessages  = "moderator:manage:chat_messages"
	ScopeWarnings      = "moderator:manage:warnings"
	ScopeAnnouncements = "moderator:manage:announcements"
)

// Scopes lists every scope chatdesk uses, with what it is for, in the order
// the README gives them.
var Scopes = []struct{ Name, Use string }{
	{ScopeChatRead, "read chat"},
	{ScopeChatEdit, "post answers"},
	{ScopeBans, "time out, ban and unban"},
	{ScopeChatMessages, "delete messages"},
	{ScopeWarnings, "warn chatters"},
	{ScopeAnnouncements, "post announcements"},
}

// Errors the Helix client returns for callers to branch on. An *APIError
// matches them with errors.Is.
var (
	// ErrUnauthorized: Twitch refused the token (expired, revoked, or
	// missing the scope the call needs).
	ErrUnauthorized = errors.New("twitch refused the token")
	// ErrRateLimited: Twitch still said "too many requests" after the
	// client waited as told.
	ErrRateLimited = errors.New("twitch rate limit")
)

// APIError is an error answer from the Helix or auth API. Message is
// Twitch's own explanation, which is safe to log: it never echoes the token.
type APIError struct {
	Method, Path string
	Status       int
	Message      string
}

func (e *APIError) Error() string {
	msg := e.Message
	if msg == "" {
		msg = http.StatusText(e.Status)
	}
	return fmt.Sprintf("twitch %s %s: %d %s", e.Method, e.Path, e.Status, msg)
}

// Is lets errors.Is match the sentinel errors by status.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrUnauthorized:
		return e.Status == http.StatusUnauthorized
	case ErrRateLimited:
		return e.Status == http.StatusTooManyRequests
	}
	return false
}

// HelixConfig configures a Helix client.
type HelixConfig struct {
	// APIURL is Helix's base, e.g. https://api.twitch.tv/helix; AuthURL is
	// the OAuth base, e.g. https://id.twitch.tv/oauth2.
	APIURL, AuthURL string
	// ClientID may be empty: Validate fills it in from the token.
	ClientID string
	// Token is the user access token, with or without the "oauth:" prefix;
	// Tokens, when set, supplies and renews it instead (share one with the
	// chat connection).
	Token  string
	Tokens *TokenSource
	// HTTP defaults to a client with a 10-second timeout.
	HTTP  *http.Client
	Clock chat.Clock
	Log   *slog.Logger
	// Retries is how many times a call is repeated after a network error,
	// a 5xx or a 429; MaxWait caps one wait for Twitch's rate-limit reset.
	Retries int
	MaxWait time.Duration
	// OnError, when set, sees every failed attempt, retried or not: the
	// method, the endpoint path (no ids: they are in the query) and the
	// HTTP status, 0 when no answer came. Metrics count Helix errors
	// with it; it must not block.
	OnError func(method, path string, status int)
	// Budget paces the Helix calls. Nil makes one for this client; two
	// clients of one token must share one, since Twitch counts per token.
	Budget *Budget
}

// Helix is a small client for the parts of Twitch's API chatdesk uses: token
// validation, user lookup and chat moderation.
//
// It is hand-written rather than built on github.com/nicklaw5/helix. That
// library has the calls chatdesk needs (DeleteAllChatMessages clears chat,
// DropReason decodes a refused message, a RateLimitFunc can wait for
// Ratelimit-Reset), but its calls take no context, so a shutdown or a
// channel's deadline cannot cut one short; it retries nothing, where the
// bot must retry a 5xx a bounded number of times and give up loudly on a
// 401; and its errors come back as a status and message in a response
// struct rather than as wrapped Go errors that name the call. The eight
// calls this bot makes, with those rules, fit in one file that is easy to
// read and test.
//
// A Helix acts as the token's user: Validate must succeed before the
// moderation calls, which send that user as moderator_id.
type Helix struct {
	api, auth *url.URL
	tokens    *TokenSource
	hc        *http.Client
	clock     chat.Clock
	log       *slog.Logger
	retries   int
	maxWait   time.Duration
	onError   func(method, path string, status int)
	budget    *Budget

	mu       sync.RWMutex
	clientID string
	self     TokenInfo
}

// TokenInfo is what Twitch says about a token.
type TokenInfo struct {
	ClientID  string   `json:"client_id"`
	Login     string   `json:"login"`
	UserID    string   `json:"user_id"`
	Scopes    []string `json:"scopes"`
	ExpiresIn int      `json:"expires_in"`
}

// HasScope reports whether the token was granted scope.
func (t TokenInfo) HasScope(scope string) bool { return slices.Contains(t.Scopes, scope) }

// User is a Twitch account.
type User struct {
	ID          string `json:"id"`
	Login       string `json:"login"`
	DisplayName string `json:"display_name"`
}

// NewHelix returns a client; it does not contact Twitch.
func NewHelix(cfg HelixConfig) (*Helix, error) {
	api, err := parseBase(cfg.APIURL)
	if err != nil {
		return nil, fmt.Errorf("twitch api url: %w", err)
	}
	auth, err := parseBase(cfg.AuthURL)
	if err != nil {
		return nil, fmt.Errorf("twitch auth url: %w", err)
	}
	h := &Helix{
		api: api, auth: auth, tokens: cfg.Tokens, clientID: cfg.ClientID,
		hc: cfg.HTTP, clock: cfg.Clock, log: cfg.Log, retries: cfg.Retries, maxWait: cfg.MaxWait,
		onError: cfg.OnError, budget: cfg.Budget,
	}
	if h.hc == nil {
		h.hc = &http.Client{Timeout: 10 * time.Second}
	}
	if h.clock == nil {
		h.clock = chat.SystemClock
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if h.tokens == nil {
		h.tokens = NewTokenSource(TokenSourceConfig{Token: Token{AccessToken: cfg.Token, ClientID: cfg.ClientID}, AuthURL: cfg.AuthURL, Log: h.log})
	}
	if h.retries <= 0 {
		h.retries = 3
	}
	if h.maxWait <= 0 {
		h.maxWait = time.Minute
	}
	if h.onError == nil {
		h.onError = func(string, string, int) {}
	}
	if h.budget == nil {
		h.budget = NewBudget(h.clock, h.log, h.maxWait)
	}
	return h, nil
}

// BareToken strips the "oauth:" prefix IRC uses, which Helix does not want.
func BareToken(token string) string { return strings.TrimPrefix(strings.TrimSpace(token), "oauth:") }

func parseBase(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimRight(raw, "/"))
	if err != nil {
		return nil, err
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("want an http(s) URL, got %q", raw)
	}
	return u, nil
}

// Budget is what paces this client's Helix calls.
func (h *Helix) Budget() *Budget { return h.budget }

// Tokens is where the client's token comes from.
func (h *Helix) Tokens() *TokenSource { return h.tokens }

// Self is the token's user as the last successful Validate saw it.
func (h *Helix) Self() TokenInfo {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.self
}

// Validate asks Twitch whether the token is good, and for whom. A refused
// token is an error matching ErrUnauthorized. A client id left empty in
// the config is taken from the token; one that does not match the token is
// an error, since Helix would refuse every call.
func (h *Helix) Validate(ctx context.Context) (TokenInfo, error) {
	var info TokenInfo
	if err := h.do(ctx, h.auth, http.MethodGet, "/validate", nil, nil, &info); err != nil {
		return TokenInfo{}, err
	}
	if tok, err := h.tokens.Current(); err == nil {
		h.tokens.learn(tok, info)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case h.clientID == "":
		h.clientID = info.ClientID
	case info.ClientID != "" && h.clientID != info.ClientID:
		return info, errors.New("CHATDESK_TWITCH_CLIENT_ID is not the client the token was issued to; leave it unset to use the token's own")
	}
	h.self = info
	return info, nil
}

// Users looks up accounts by login. Logins Twitch does not know are missing
// from the result.
func (h *Helix) Users(ctx context.Context, logins ...string) ([]User, error) {
	var out []User
	for len(logins) > 0 {
		n := min(len(logins), 100) // Helix takes at most 100 per call
		q := url.Values{}
		for _, l := range logins[:n] {
			q.Add("login", strings.ToLower(l))
		}
		logins = logins[n:]
		var resp struct {
			Data []User `json:"data"`
		}
		if err := h.do(ctx, h.api, http.MethodGet, "/users", q, nil, &resp); err != nil {
			return nil, err
		}
		out = append(out, resp.Data...)
	}
	return out, nil
}

// DeleteMessage removes one chat message.
func (h *Helix) DeleteMessage(ctx context.Context, broadcasterID, messageID string) error {
	q, err := h.modQuery(broadcasterID)
	if err != nil {
		return err
	}
	q.Set("message_id", messageID)
	return h.do(ctx, h.api, http.MethodDelete, "/moderation/chat", q, nil, nil)
}

// ClearChat removes every message in the channel's chat.
func (h *Helix) ClearChat(ctx context.Context, broadcasterID string) error {
	q, err := h.modQuery(broadcasterID)
	if err != nil {
		return err
	}
	return h.do(ctx, h.api, http.MethodDelete, "/moderation/chat", q, nil, nil)
}

// MaxTimeout is the longest timeout Twitch allows (two weeks).
const MaxTimeout = 1209600 * time.Second

// Ban bans userID from the channel, or times them out when d > 0 (rounded
// up to whole seconds, at most MaxTimeout). The reason is shown to the user
// and the channel's moderators.
func (h *Helix) Ban(ctx context.Context, broadcasterID, userID string, d time.Duration, reason string) error {
	q, err := h.modQuery(broadcasterID)
	if err != nil {
		return err
	}
	type ban struct {
		UserID   string `json:"user_id"`
		Duration int64  `json:"duration,omitempty"`
		Reason   string `json:"reason,omitempty"`
	}
	b := ban{UserID: userID, Reason: clip(reason, 500)}
	if d > 0 {
		b.Duration = int64(min(d, MaxTimeout)+time.Second-1) / int64(time.Second)
	}
	return h.do(ctx, h.api, http.MethodPost, "/moderation/bans", q, map[string]any{"data": b}, nil)
}

// Unban lifts a ban or a timeout.
func (h *Helix) Unban(ctx context.Context, broadcasterID, userID string) error {
	q, err := h.modQuery(broadcasterID)
	if err != nil {
		return err
	}
	q.Set("user_id", userID)
	return h.do(ctx, h.api, http.MethodDelete, "/moderation/bans", q, nil, nil)
}

// Warn gives userID Twitch's warning, which they must acknowledge before
// they can chat again. Twitch requires a reason.
func (h *Helix) Warn(ctx context.Context, broadcasterID, userID, reason string) error {
	q, err := h.modQuery(broadcasterID)
	if err != nil {
		return err
	}
	if strings.TrimSpace(reason) == "" {
		reason = "please follow the channel's rules"
	}
	body := map[string]any{"data": map[string]string{"user_id": userID, "reason": clip(reason, 500)}}
	return h.do(ctx, h.api, http.MethodPost, "/moderation/warnings", q, body, nil)
}

// Announce posts a highlighted announcement in the channel's chat. color is
// one of blue, green, orange, purple or primary ("" means primary).
func (h *Helix) Announce(ctx context.Context, broadcasterID, message, color string) error {
	q, err := h.modQuery(broadcasterID)
	if err != nil {
		return err
	}
	body := map[string]string{"message": clip(chat.Sanitize(message), 500)}
	if color != "" {
		body["color"] = color
	}
	return h.do(ctx, h.api, http.MethodPost, "/chat/announcements", q, body, nil)
}

// modQuery is the query every moderation call carries: the channel, and the
// token's user as the moderator acting.
func (h *Helix) modQuery(broadcasterID string) (url.Values, error) {
	self := h.Self()
	if self.UserID == "" {
		return nil, errors.New("twitch moderation: the token has not been validated")
	}
	if broadcasterID == "" {
		return nil, errors.New("twitch moderation: no channel id")
	}
	return url.Values{"broadcaster_id": {broadcasterID}, "moderator_id": {self.UserID}}, nil
}

// callOpts carry a queued moderation action's place in line into the
// calls made for it (see Sink): the point the queue already took for it,
// and whether a 429 goes back to the queue instead of being retried here.
type callOpts struct {
	rank    rank
	prepaid atomic.Bool
	requeue bool
}

type callOptsKey struct{}

func withCallOpts(ctx context.Context, o *callOpts) context.Context {
	return context.WithValue(ctx, callOptsKey{}, o)
}

// do sends one request and decodes a JSON answer into out. Helix calls
// (not the auth API's, which Twitch does not count) spend a point of the
// budget for every attempt, waiting for one when the bucket is empty.
// Network errors and 5xx answers are retried with growing pauses; a 429
// empties the budget until the reset Twitch names, and the retry waits for
// it there. Every wait is cut short by ctx.
func (h *Helix) do(ctx context.Context, base *url.URL, method, path string, q url.Values, body, out any) error {
	u := *base
	u.Path += path
	u.RawQuery = q.Encode()
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return fmt.Errorf("twitch %s %s: encode: %w", method, path, err)
		}
	}
	paced := base != h.auth
	opts, _ := ctx.Value(callOptsKey{}).(*callOpts)
	place := rank{sev: sevOther}
	if opts != nil {
		place = opts.rank
	} else if paced {
		place.seq = h.budget.next()
	}
	inLine := func() rank { return place }
	renewed := false
	for attempt := 0; ; attempt++ {
		token, err := h.tokens.Current()
		if err != nil {
			return fmt.Errorf("twitch %s %s: %w", method, path, err)
		}
		if paced && (opts == nil || !opts.prepaid.CompareAndSwap(true, false)) {
			if err := h.budget.take(ctx, inLine); err != nil {
				return fmt.Errorf("twitch %s %s: %w", method, path, err)
			}
		}
		status, header, data, err := h.roundTrip(ctx, !paced, token, method, u.String(), payload)
		if paced {
			h.budget.answered(status, header)
		}
		var wait time.Duration
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return fmt.Errorf("twitch %s %s: %w", method, path, ctx.Err())
			}
			h.onError(method, path, 0)
			err = fmt.Errorf("twitch %s %s: %w", method, path, err)
			wait = backoff(attempt)
		case status >= 200 && status < 300:
			if out == nil || len(data) == 0 {
				return nil
			}
			if err := json.Unmarshal(data, out); err != nil {
				return fmt.Errorf("twitch %s %s: decode answer: %w", method, path, err)
			}
			return nil
		case status == http.StatusUnauthorized && !renewed && renewable(data):
			// The token expired or was revoked: renew it (once, shared
			// with every other caller) and make the call again with the
			// new one.
			renewed = true
			if _, rerr := h.tokens.Refresh(ctx, token); rerr == nil {
				continue
			}
			h.onError(method, path, status)
			return apiError(method, path, status, data)
		case status == http.StatusTooManyRequests:
			h.onError(method, path, status)
			err = apiError(method, path, status, data)
			if opts != nil && opts.requeue {
				return err
			}
		case status >= 500:
			h.onError(method, path, status)
			err = apiError(method, path, status, data)
			wait = backoff(attempt)
		default:
			h.onError(method, path, status)
			return apiError(method, path, status, data)
		}
		if attempt >= h.retries {
			return err
		}
		if wait == 0 {
			h.log.Warn("twitch api call rate-limited; retrying after the reset", "method", method, "path", path, "attempt", attempt+1,
				"reset", h.budget.Stats().Reset.UTC().Format(time.RFC3339), "err", err)
			continue
		}
		h.log.Warn("twitch api call failed; retrying", "method", method, "path", path, "attempt", attempt+1, "wait", wait, "err", err)
		select {
		case <-ctx.Done():
			return fmt.Errorf("twitch %s %s: %w", method, path, ctx.Err())
		case <-h.clock.After(wait):
		}
	}
}

// roundTrip makes one HTTP exchange and reads at most 1 MiB of answer.
func (h *Helix) roundTrip(ctx context.Context, auth bool, token, method, u string, payload []byte) (int, http.Header, []byte, error) {
	var rd io.Reader
	if payload != nil {
		rd = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return 0, nil, nil, err
	}
	if auth {
		req.Header.Set("Authorization", "OAuth "+token)
	} else {
		h.mu.RLock()
		req.Header.Set("Client-Id", h.clientID)
		h.mu.RUnlock()
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := h.hc.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return 0, nil, nil, fmt.Errorf("read answer: %w", err)
	}
	return resp.StatusCode, resp.Header, data, nil
}

// renewable reports whether a 401 is about the token itself, which a
// renewal fixes, rather than a scope it lacks or a client id that does
// not match it, which no renewal does.
func renewable(answer []byte) bool {
	msg := strings.ToLower(apiError("", "", 0, answer).Message)
	return !strings.Contains(msg, "scope") && !strings.Contains(msg, "client id")
}

// backoff is the pause before retry attempt+1: 250 ms, 500 ms, 1 s, … up
// to 8 s.
func backoff(attempt int) time.Duration {
	return min(250*time.Millisecond<<min(attempt, 5), 8*time.Second)
}

func apiError(method, path string, status int, data []byte) *APIError {
	var body struct {
		Message string `json:"message"`
	}
	_ = json.Unmarshal(data, &body)
	return &APIError{Method: method, Path: path, Status: status, Message: clip(body.Message, 200)}
}

// clip cuts s to at most n runes.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}
