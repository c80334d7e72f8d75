package twitchtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// Helix is a fake of Twitch's auth and Helix APIs on an httptest server:
// /oauth2/validate, /helix/users and the moderation endpoints, checking the
// token and client id as Twitch does and recording every request.
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
}

// Request is one request the fake received.
type Request struct {
	Method string
	Path   string // without the /helix or /oauth2 prefix
	Query  url.Values
	Header http.Header
	Body   string
}

// AllScopes are the scopes a well-made chatdesk token has.
var AllScopes = []string{
	"chat:read", "chat:edit", "moderator:manage:banned_users", "moderator:manage:chat_messages",
	"moderator:manage:warnings", "moderator:manage:announcements",
}

// NewHelix starts a fake that accepts token for the bot account login
// (user id "bot-id"), issued to client id "test-client", with every scope.
func NewHelix(t testing.TB, token, login string) *Helix {
	h := &Helix{token: token, clientID: "test-client", login: login, userID: "bot-id", scopes: AllScopes, arrived: make(chan struct{}, 1)}
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
// as when a token is revoked.
func (h *Helix) SetToken(token string) {
	h.mu.Lock()
	h.token = token
	h.mu.Unlock()
}

// Respond lets a test answer requests itself; f returning status 0 leaves
// the request to the fake's usual answer.
func (h *Helix) Respond(f func(Request) (status int, header http.Header, body string)) {
	h.mu.Lock()
	h.respond = f
	h.mu.Unlock()
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
	h.mu.Lock()
	h.requests = append(h.requests, req)
	respond, token, clientID := h.respond, h.token, h.clientID
	h.mu.Unlock()
	defer func() {
		select {
		case h.arrived <- struct{}{}:
		default:
		}
	}()
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
		if r.URL.Path != "/oauth2/validate" || r.Method != http.MethodGet {
			fail(http.StatusNotFound, "not found")
			return
		}
		if r.Header.Get("Authorization") != "OAuth "+token {
			fail(http.StatusUnauthorized, "invalid access token")
			return
		}
		h.mu.Lock()
		info := map[string]any{"client_id": h.clientID, "login": h.login, "user_id": h.userID, "scopes": h.scopes, "expires_in": 5000000}
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
