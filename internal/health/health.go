// Package health serves the bot's /healthz endpoint: whether it is in chat,
// which channels it has joined and when it last heard from them, so a
// process supervisor (or a streamer with a browser) can tell a bot that
// runs from one that only looks alive.
package health

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// Status is what /healthz reports.
type Status struct {
	// Connected is whether the bot is in chat now; the endpoint answers
	// 503 while it is not.
	Connected bool `json:"connected"`
	// Connects counts logins since start: above one, the bot has
	// reconnected.
	Connects    int       `json:"connects"`
	LastMessage time.Time `json:"last_message,omitzero"`
	Channels    []Channel `json:"channels"`
	// DroppedMessages counts chat messages dropped because the bot fell
	// behind.
	DroppedMessages int64      `json:"dropped_messages"`
	Send            Send       `json:"send"`
	Moderation      Moderation `json:"moderation"`
	// Helix is Twitch's API budget; live only.
	Helix *Helix `json:"helix,omitempty"`
	// Token is the Twitch token's state; live only.
	Token *Token `json:"token,omitempty"`
}

// Token describes the bot's Twitch token, never the token itself.
type Token struct {
	// Refused is set when Twitch refused the token and renewing it
	// failed: the bot no longer moderates nor reconnects to chat until it
	// is signed in again. Reason says why.
	Refused bool   `json:"refused"`
	Reason  string `json:"reason,omitempty"`
	// Refreshes counts renewals since start.
	Refreshes int64     `json:"refreshes"`
	Expiry    time.Time `json:"expires,omitzero"`
	Validated time.Time `json:"validated,omitzero"`
}

// Channel is one channel's health.
type Channel struct {
	Name        string    `json:"name"`
	Joined      bool      `json:"joined"`
	Moderator   bool      `json:"moderator"`
	LastMessage time.Time `json:"last_message,omitzero"`
}

// Send describes the outgoing chat queue.
type Send struct {
	Queued int   `json:"queued"`
	Posted int64 `json:"posted"`
	// Stale replies waited too long and were dropped; Rejected ones found
	// the queue full.
	Stale    int64 `json:"stale"`
	Rejected int64 `json:"rejected"`
}

// Moderation describes moderation through Twitch's API.
type Moderation struct {
	Done    int64 `json:"done"`
	Failed  int64 `json:"failed"`
	Dropped int64 `json:"dropped"`
	// Queued actions wait for Twitch's API budget; Shed counts those
	// dropped (part of Dropped) because the queue was full, least severe
	// first.
	Queued int   `json:"queued"`
	Shed   int64 `json:"shed"`
	// Stopped is set when Twitch refused the token: the bot no longer
	// moderates. Disabled lists actions whose scope the token lacks.
	Stopped  bool     `json:"stopped"`
	Disabled []string `json:"disabled,omitempty"`
}

// Helix describes the token's budget on Twitch's API: points left in the
// bucket until Reset, calls waiting for it, and how often Twitch answered
// 429 Too Many Requests.
type Helix struct {
	Limit       int       `json:"limit"`
	Remaining   int       `json:"remaining"`
	Reset       time.Time `json:"reset,omitzero"`
	Waiting     int       `json:"waiting"`
	Waited      int64     `json:"waited"`
	RateLimited int64     `json:"rate_limited"`
}

// Handler serves status() as JSON: 200 while connected, 503 otherwise.
func Handler(status func() Status) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		st := status()
		if st.Channels == nil {
			st.Channels = []Channel{}
		}
		body, err := json.MarshalIndent(st, "", "  ")
		if err != nil {
			http.Error(w, "encode status", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		if !st.Connected {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		_, _ = w.Write(append(body, '\n'))
	})
}

// Serve serves h on ln until ctx ends, then stops taking connections and
// gives requests in flight a second to finish.
func Serve(ctx context.Context, ln net.Listener, h http.Handler) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		_ = srv.Close()
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("http server: %w", err)
	}
	return nil
}
