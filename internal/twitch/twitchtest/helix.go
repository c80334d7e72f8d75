package twitchtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Helix is a fake of Twitch's auth and Helix APIs on an httptest server:
// /oauth2/validate, the device-code sign-in (/oauth2/device, /oauth2/token,
// /oauth2/revoke; see DeviceFlow), the refresh grant with rotating refresh
// tokens (see Expire, RefuseRefresh, Refreshes), /helix/users and the
// moderation endpoints, checking the token and client id as Twitch does and
// recording every request. With
// RateLimit it also keeps Twitch's points bucket, and Throttle makes it
// answer 429 for a while.
type Helix struct {
	*httptest.Server

	mu       sync.Mutex
	token    string
	clientID string
	login    string
	userID   string
	scopes   []string
	requests []Request
	arrived  chan struct{}
	respond  func(Request) (status int, header http.Header, body string)

	now       func() time.Time
	limit     int       // points a minute; 0 keeps no bucket
	used      int       // points spent in this bucket
	reset     time.Time // when the bucket is full again
	throttled time.Time // every Helix call before then is refused with 429

	device  []string // what /token answers next for a device code (see DeviceFlow)
	revoked []string // tokens /revoke was asked to drop

	expiry    time.Time     // when token stops working; zero: never
	lifetime  time.Duration // of every token handed out; zero: no expiry
	refresh   string        // the one refresh token accepted (see RefreshGrant)
	secret    string        // the client secret a refresh must carry, if set
	refused   bool          // every refresh is refused, as when the user disconnects the app
	refreshes int           // refresh grants answered with a new token
	issued    []string      // every access and refresh token handed out
}

// Request is one request the fake received.
type Request struct {
	Method string
	Path   string // without the /helix or /oauth2 prefix
	Query  url.Values
	Header http.Header
	Body   string
	// At is when it arrived, by the fake's clock (see SetClock); Status is
	// what the fake answered.
	At     time.Time
	Status int
}

// AllScopes are the scopes a well-made chatdesk token has.
var AllScopes = []string{
	"chat:read", "chat:edit", "moderator:manage:banned_users", "moderator:manage:chat_messages",
	"moderator:manage:warnings", "moderator:manage:announcements",
}

// NewHelix starts a fake that accepts token for the bot account login
// (user id "bot-id"), issued to client id "test-client", with every scope.
func NewHelix(t testing.TB, token, login string) *Helix {
	h := &Helix{token: token, clientID: "test-client", login: login, userID: "bot-id", scopes: AllScopes, arrived: make(chan struct{}, 1), now: time.Now,
		refresh: RefreshToken}
	h.Server = httptest.NewServer(http.HandlerFunc(h.serve))
	t.Cleanup(h.Close)
	return h
}

// APIURL is the Helix base URL (twitch.api_url).
func (h *Helix) APIURL() string { return h.URL + "/helix" }

// AuthURL is the OAuth base URL (twitch.auth_url).
func (h *Helix) AuthURL() string { return h.URL + "/oauth2" }

// SetScopes replaces the token's scopes.
func (h *Helix) SetScopes(scopes ...string) {
	h.mu.Lock()
	h.scopes = scopes
	h.mu.Unlock()
}

// SetToken changes the one token accepted: the old one is then refused,
// as when a token is revoked. The new one lasts as SetLifetime said, or
// for ever.
func (h *Helix) SetToken(token string) {
	h.mu.Lock()
	h.token = token
	h.expiry = time.Time{}
	if h.lifetime > 0 {
		h.expiry = h.now().Add(h.lifetime)
	}
	h.mu.Unlock()
}

// Respond lets a test answer requests itself; f returning status 0 leaves
// the request to the fake's usual answer.
func (h *Helix) Respond(f func(Request) (status int, header http.Header, body string)) {
	h.mu.Lock()
	h.respond = f
	h.mu.Unlock()
}

// SetClock makes the fake read the time from c: the bucket's minutes,
// Throttle's end and Request.At then follow a test's clock.
func (h *Helix) SetClock(c interface{ Now() time.Time }) {
	h.mu.Lock()
	h.now = c.Now
	h.mu.Unlock()
}

// RateLimit makes the fake keep Twitch's bucket: limit points a minute,
// one for every Helix call (the auth API is not counted), the state in
// Ratelimit-Limit, Ratelimit-Remaining and Ratelimit-Reset (a Unix time)
// on every answer, and 429 Too Many Requests once the bucket is empty.
// Buckets start on a whole second, so Ratelimit-Reset is exact.
func (h *Helix) RateLimit(limit int) {
	h.mu.Lock()
	h.limit = limit
	h.mu.Unlock()
}

// Throttle answers every Helix call with 429 until the fake's clock reaches
// until, as when something else spends the token's points as soon as the
// bucket refills: Ratelimit-Remaining is 0 and Ratelimit-Reset the end of
// the current bucket, which is then empty again. It implies
// RateLimit(800) unless a limit is set.
func (h *Helix) Throttle(until time.Time) {
	h.mu.Lock()
	h.throttled = until
	if h.limit == 0 {
		h.limit = 800
	}
	h.mu.Unlock()
}

// Client returns an HTTP client that reaches the fake without a network:
// each request is served in the calling goroutine. Tests that run under
// testing/synctest need it (a socket is outside their bubble); create the
// fake outside the bubble and use this client inside it.
func (h *Helix) Client() *http.Client { return &http.Client{Transport: inProcess{h}} }

type inProcess struct{ h *Helix }

func (t inProcess) RoundTrip(r *http.Request) (*http.Response, error) {
	if err := r.Context().Err(); err != nil {
		return nil, err
	}
	r = r.Clone(r.Context())
	if r.Body == nil {
		r.Body = http.NoBody
	}
	rec := httptest.NewRecorder()
	t.h.serve(rec, r)
	resp := rec.Result()
	resp.Request = r
	return resp, nil
}

// bucket spends a point of a Helix call, setting the Ratelimit-* headers,
// and reports false when the call must be refused with 429; h.mu must be
// held.
func (h *Helix) bucket(header http.Header, now time.Time) bool {
	if h.limit == 0 {
		return true
	}
	if h.reset.IsZero() || !now.Before(h.reset) {
		h.reset, h.used = now.Truncate(time.Second).Add(time.Minute), 0
	}
	throttled := now.Before(h.throttled)
	ok := !throttled && h.used < h.limit
	if ok {
		h.used++
	}
	remaining := h.limit - h.used
	if throttled {
		remaining = 0
	}
	header.Set("Ratelimit-Limit", strconv.Itoa(h.limit))
	header.Set("Ratelimit-Remaining", strconv.Itoa(remaining))
	header.Set("Ratelimit-Reset", strconv.FormatInt(h.reset.Unix(), 10))
	return ok
}

// Requests returns the requests received so far.
func (h *Helix) Requests() []Request {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]Request(nil), h.requests...)
}

// WaitRequests waits until n requests whose path starts with prefix have
// arrived, and returns them.
func (h *Helix) WaitRequests(t testing.TB, prefix string, n int) []Request {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		var got []Request
		for _, r := range h.Requests() {
			if strings.HasPrefix(r.Path, prefix) {
				got = append(got, r)
			}
		}
		if len(got) >= n {
			return got
		}
		select {
		case <-h.arrived:
		case <-deadline:
			t.Fatalf("fake helix: %d of %d %s requests within 10s", len(got), n, prefix)
		}
	}
}

func (h *Helix) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	req := Request{Method: r.Method, Query: r.URL.Query(), Header: r.Header.Clone(), Body: string(body)}
	auth := strings.HasPrefix(r.URL.Path, "/oauth2/")
	req.Path = strings.TrimPrefix(strings.TrimPrefix(r.URL.Path, "/helix"), "/oauth2")
	sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	w = sw
	h.mu.Lock()
	req.At = h.now()
	n := len(h.requests)
	h.requests = append(h.requests, req)
	respond, token, clientID := h.respond, h.token, h.clientID
	if !h.expiry.IsZero() && !req.At.Before(h.expiry) {
		token = "\x00expired" // no Authorization header matches it
	}
	allowed := auth || h.bucket(w.Header(), req.At)
	h.mu.Unlock()
	defer func() {
		h.mu.Lock()
		h.requests[n].Status = sw.status
		h.mu.Unlock()
		select {
		case h.arrived <- struct{}{}:
		default:
		}
	}()
	if !allowed {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusTooManyRequests)
		io.WriteString(w, `{"error":"Too Many Requests","status":429,"message":"Too Many Requests"}`)
		return
	}
	if respond != nil {
		if status, header, body := respond(req); status != 0 {
			for k, v := range header {
				w.Header()[k] = v
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			io.WriteString(w, body)
			return
		}
	}
	fail := func(status int, msg string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(map[string]any{"error": http.StatusText(status), "status": status, "message": msg})
	}
	if auth {
		if r.Method == http.MethodPost && h.serveDevice(w, req, fail) {
			return
		}
		if r.URL.Path != "/oauth2/validate" || r.Method != http.MethodGet {
			fail(http.StatusNotFound, "not found")
			return
		}
		if r.Header.Get("Authorization") != "OAuth "+token {
			fail(http.StatusUnauthorized, "invalid access token")
			return
		}
		h.mu.Lock()
		left := 5000000
		if !h.expiry.IsZero() {
			left = int(h.expiry.Sub(req.At) / time.Second)
		}
		info := map[string]any{"client_id": h.clientID, "login": h.login, "user_id": h.userID, "scopes": h.scopes, "expires_in": left}
		h.mu.Unlock()
		json.NewEncoder(w).Encode(info)
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+token {
		fail(http.StatusUnauthorized, "Invalid OAuth token")
		return
	}
	if r.Header.Get("Client-Id") != clientID {
		fail(http.StatusUnauthorized, "Client ID and OAuth token do not match")
		return
	}
	q := r.URL.Query()
	needMod := func() bool {
		if q.Get("broadcaster_id") == "" || q.Get("moderator_id") == "" {
			fail(http.StatusBadRequest, "Missing required parameter")
			return false
		}
		return true
	}
	switch {
	case r.Method == http.MethodGet && req.Path == "/users":
		var data []map[string]string
		for _, l := range q["login"] {
			if strings.HasPrefix(l, "nosuch") {
				continue
			}
			id := RoomID(l)
			if l == h.login {
				id = h.userID
			}
			data = append(data, map[string]string{"id": id, "login": l, "display_name": l})
		}
		if data == nil {
			data = []map[string]string{}
		}
		json.NewEncoder(w).Encode(map[string]any{"data": data})
	case r.Method == http.MethodDelete && req.Path == "/moderation/chat":
		if needMod() {
			w.WriteHeader(http.StatusNoContent)
		}
	case r.Method == http.MethodPost && req.Path == "/moderation/bans":
		if needMod() {
			fmt.Fprintf(w, `{"data":[{"broadcaster_id":%q,"moderator_id":%q,"user_id":"x","created_at":"2025-05-01T18:00:00Z","end_time":null}]}`, q.Get("broadcaster_id"), q.Get("moderator_id"))
		}
	case r.Method == http.MethodDelete && req.Path == "/moderation/bans":
		if needMod() {
			w.WriteHeader(http.StatusNoContent)
		}
	case r.Method == http.MethodPost && req.Path == "/moderation/warnings":
		if needMod() {
			fmt.Fprintf(w, `{"data":[{"broadcaster_id":%q,"moderator_id":%q,"user_id":"x","reason":"r"}]}`, q.Get("broadcaster_id"), q.Get("moderator_id"))
		}
	case r.Method == http.MethodPost && req.Path == "/chat/announcements":
		if needMod() {
			w.WriteHeader(http.StatusNoContent)
		}
	default:
		fail(http.StatusNotFound, "not found")
	}
}

// statusWriter remembers the status a handler answered with.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	w.status = status
	w.ResponseWriter.WriteHeader(status)
}
