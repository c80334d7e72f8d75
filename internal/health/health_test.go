package health_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chatdesk/chatdesk/internal/health"
)

func TestHandler(t *testing.T) {
	last := time.Date(2025, 5, 1, 18, 0, 0, 0, time.UTC)
	tests := []struct {
		name       string
		status     health.Status
		wantCode   int
		wantFields map[string]any
	}{
		{
			name: "connected",
			status: health.Status{Connected: true, Connects: 2, LastMessage: last,
				Channels: []health.Channel{{Name: "mira", Joined: true, Moderator: true, LastMessage: last}}},
			wantCode:   http.StatusOK,
			wantFields: map[string]any{"connected": true, "connects": 2.0, "last_message": "2025-05-01T18:00:00Z"},
		},
		{
			name:       "not connected",
			status:     health.Status{},
			wantCode:   http.StatusServiceUnavailable,
			wantFields: map[string]any{"connected": false, "channels": []any{}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			health.Handler(func() health.Status { return tt.status }).ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
			if rec.Code != tt.wantCode {
				t.Errorf("status %d; want %d", rec.Code, tt.wantCode)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q; want application/json", ct)
			}
			var got map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatalf("body is not JSON: %v\n%s", err, rec.Body)
			}
			for k, want := range tt.wantFields {
				if g, _ := json.Marshal(got[k]); string(g) != mustJSON(want) {
					t.Errorf("%s = %s; want %s", k, g, mustJSON(want))
				}
			}
			if _, ok := got["last_message"]; !ok && !tt.status.LastMessage.IsZero() {
				t.Error("last_message missing")
			}
		})
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestHandlerRefusesPost(t *testing.T) {
	rec := httptest.NewRecorder()
	health.Handler(func() health.Status { return health.Status{Connected: true} }).ServeHTTP(rec, httptest.NewRequest("POST", "/healthz", nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST status %d; want 405", rec.Code)
	}
}

func TestServeStopsWithContext(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	mux := http.NewServeMux()
	mux.Handle("/healthz", health.Handler(func() health.Status { return health.Status{Connected: true} }))
	go func() { done <- health.Serve(ctx, ln, mux) }()
	resp, err := http.Get("http://" + ln.Addr().String() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("status %d; want 200", resp.StatusCode)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Serve = %v; want nil after the context ends", err)
	}
}
