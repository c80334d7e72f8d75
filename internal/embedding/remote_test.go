package embedding

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeEndpoint is an OpenAI-compatible /v1/embeddings server whose
// behaviour a test sets: vectors from the text's length, a status, or a
// hang until the client gives up.
type fakeEndpoint struct {
	requests atomic.Int32
	mu       sync.Mutex
	status   int
	hang     bool
	release  chan struct{}
}

func (f *fakeEndpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.requests.Add(1)
	f.mu.Lock()
	status, hang := f.status, f.hang
	f.mu.Unlock()
	if r.URL.Path != "/v1/embeddings" || r.Method != http.MethodPost {
		http.NotFound(w, r)
		return
	}
	if hang {
		// The body is read first: only then does the server notice the
		// client hanging up.
		io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-f.release:
		}
		return
	}
	if status != 0 {
		http.Error(w, "model not loaded", status)
		return
	}
	var req struct {
		Model string   `json:"model"`
		Input []string `json:"input"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	type datum struct {
		Index     int       `json:"index"`
		Embedding []float64 `json:"embedding"`
	}
	var data []datum
	// Answered in reverse, so the client must place them by index.
	for i := len(req.Input) - 1; i >= 0; i-- {
		data = append(data, datum{Index: i, Embedding: []float64{float64(len(req.Input[i])), 1, 0}})
	}
	json.NewEncoder(w).Encode(map[string]any{"object": "list", "data": data, "model": req.Model})
}

func (f *fakeEndpoint) set(status int, hang bool) {
	f.mu.Lock()
	f.status, f.hang = status, hang
	f.mu.Unlock()
}

func newFake(t *testing.T) (*fakeEndpoint, string) {
	f := &fakeEndpoint{release: make(chan struct{})}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(f.release) })
	return f, srv.URL + "/v1"
}

func TestRemoteEmbedsAndCaches(t *testing.T) {
	f, url := newFake(t)
	dir := t.TempDir()
	r := NewRemote(RemoteConfig{URL: url, Model: "m1", Timeout: 5 * time.Second, CacheDir: dir})
	got, err := r.Embed(context.Background(), []string{"a", "abc"})
	if err != nil {
		t.Fatal(err)
	}
	// "a" is (1,1,0) and "abc" (3,1,0), each scaled to unit length.
	if got[0][0] != got[0][1] || got[1][0] <= got[1][1] {
		t.Errorf("vectors = %v; want each text's own, in order", got)
	}
	if n := f.requests.Load(); n != 1 {
		t.Fatalf("%d requests for one batch; want 1", n)
	}
	// A new client on the same cache, as after a restart, asks nothing.
	again := NewRemote(RemoteConfig{URL: url, Model: "m1", Timeout: 5 * time.Second, CacheDir: dir})
	if _, err := again.Embed(context.Background(), []string{"abc", "a"}); err != nil {
		t.Fatal(err)
	}
	if n := f.requests.Load(); n != 1 {
		t.Errorf("%d requests after a cached batch; want still 1", n)
	}
	// Another model's vectors are not this model's.
	other := NewRemote(RemoteConfig{URL: url, Model: "m2", Timeout: 5 * time.Second, CacheDir: dir})
	if _, err := other.Embed(context.Background(), []string{"a"}); err != nil {
		t.Fatal(err)
	}
	if n := f.requests.Load(); n != 2 {
		t.Errorf("%d requests after another model's text; want 2", n)
	}
	// Questions are not cached: each asks the endpoint.
	for range 2 {
		if _, err := r.Query(context.Background(), "a question"); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.requests.Load(); n != 4 {
		t.Errorf("%d requests after two queries; want 4", n)
	}
}

func TestRemoteFailures(t *testing.T) {
	tests := []struct {
		name   string
		status int
		hang   bool
	}{
		{"5xx", http.StatusServiceUnavailable, false},
		{"timeout", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, url := newFake(t)
			f.set(tt.status, tt.hang)
			now := time.Unix(1000, 0)
			r := NewRemote(RemoteConfig{URL: url, Model: "m", Timeout: 50 * time.Millisecond, Retry: time.Minute,
				Now: func() time.Time { return now }})
			if _, err := r.Embed(context.Background(), []string{"hi"}); err == nil {
				t.Fatal("Embed succeeded; want an error")
			}
			// Within Retry the endpoint is left alone: no request, no wait.
			_, err := r.Embed(context.Background(), []string{"hi"})
			if !errors.Is(err, ErrUnavailable) {
				t.Errorf("second Embed error = %v; want ErrUnavailable", err)
			}
			if _, err := r.Query(context.Background(), "hi"); !errors.Is(err, ErrUnavailable) {
				t.Errorf("Query error = %v; want ErrUnavailable", err)
			}
			if n := f.requests.Load(); n != 1 {
				t.Errorf("%d requests; want 1", n)
			}
			// After it, the endpoint is tried again, and works once it is back.
			f.set(0, false)
			now = now.Add(2 * time.Minute)
			if _, err := r.Embed(context.Background(), []string{"hi"}); err != nil {
				t.Errorf("Embed after recovery: %v", err)
			}
		})
	}
}

func TestRemoteBadResponses(t *testing.T) {
	tests := []struct{ name, body string }{
		{"not json", "oops"},
		{"too few vectors", `{"data":[]}`},
		{"index out of range", `{"data":[{"index":5,"embedding":[1]}]}`},
		{"zero vector", `{"data":[{"index":0,"embedding":[0,0]}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(tt.body)) }))
			defer srv.Close()
			r := NewRemote(RemoteConfig{URL: srv.URL + "/v1/embeddings", Model: "m", Timeout: 5 * time.Second})
			if _, err := r.Embed(context.Background(), []string{"hi"}); err == nil {
				t.Error("Embed succeeded; want an error")
			}
		})
	}
}
