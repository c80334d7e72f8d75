package embedding

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/chatdesk/chatdesk/internal/atomicfile"
)

// ErrUnavailable is returned, without a request, while a remote endpoint
// that just failed is left alone.
var ErrUnavailable = errors.New("embedding endpoint unavailable")

// RemoteConfig says where an OpenAI-compatible embeddings endpoint is.
type RemoteConfig struct {
	// URL is the API's base ("http://localhost:11434/v1"); /embeddings is
	// appended unless it is already there.
	URL string
	// Model is the model name the endpoint serves.
	Model string
	// Timeout bounds one request; a question waits no longer for its
	// vector.
	Timeout time.Duration
	// CacheDir keeps vectors by model and text between runs; empty keeps
	// none.
	CacheDir string
	// Retry is how long a failed endpoint is left alone before it is tried
	// again, so an endpoint that is down costs one timeout, not one per
	// message. Zero means 30 seconds.
	Retry time.Duration
	// Client sends the requests; nil means a plain http.Client.
	Client *http.Client
	// Now is the clock for Retry; nil means time.Now.
	Now func() time.Time
}

// Remote gets sentence vectors from an OpenAI-compatible /v1/embeddings
// endpoint (Ollama, llama.cpp's server, text-embeddings-inference, vLLM). It
// is safe for concurrent use.
type Remote struct {
	cfg      RemoteConfig
	endpoint string

	mu        sync.Mutex
	downUntil time.Time
	lastErr   error
}

// NewRemote returns a client for cfg; it sends nothing until asked.
func NewRemote(cfg RemoteConfig) *Remote {
	if cfg.Client == nil {
		cfg.Client = &http.Client{}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Retry == 0 {
		cfg.Retry = 30 * time.Second
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = time.Second
	}
	ep := strings.TrimRight(cfg.URL, "/")
	if !strings.HasSuffix(ep, "/embeddings") {
		ep += "/embeddings"
	}
	return &Remote{cfg: cfg, endpoint: ep}
}

// Name says which model the vectors come from, for diagnostics.
func (r *Remote) Name() string { return r.cfg.Model + " at " + r.endpoint }

// Embed returns unit vectors for texts (the FAQ's examples), from the disk
// cache where it has them and from the endpoint for the rest, in one request
// bounded by the timeout.
func (r *Remote) Embed(ctx context.Context, texts []string) ([]Vector, error) {
	out := make([]Vector, len(texts))
	var missing []int
	for i, t := range texts {
		if v := r.cached(t); v != nil {
			out[i] = v
		} else {
			missing = append(missing, i)
		}
	}
	if len(missing) == 0 {
		return out, nil
	}
	if err := r.available(); err != nil {
		return nil, err
	}
	ask := make([]string, len(missing))
	for j, i := range missing {
		ask[j] = texts[i]
	}
	vecs, err := r.request(ctx, ask)
	if err != nil {
		r.failed(err)
		return nil, err
	}
	for j, i := range missing {
		out[i] = vecs[j]
		r.store(texts[i], vecs[j])
	}
	return out, nil
}

// Query returns one question's vector straight from the endpoint: chat
// lines are not cached, so the cache holds the FAQ, not the chat, and a
// question never waits on the disk.
func (r *Remote) Query(ctx context.Context, text string) (Vector, error) {
	if err := r.available(); err != nil {
		return nil, err
	}
	vs, err := r.request(ctx, []string{text})
	if err != nil {
		r.failed(err)
		return nil, err
	}
	return vs[0], nil
}

// available refuses, without a request, while a failed endpoint is left
// alone.
func (r *Remote) available() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cfg.Now().Before(r.downUntil) {
		return fmt.Errorf("%w: %v", ErrUnavailable, r.lastErr)
	}
	return nil
}

func (r *Remote) failed(err error) {
	r.mu.Lock()
	r.downUntil, r.lastErr = r.cfg.Now().Add(r.cfg.Retry), err
	r.mu.Unlock()
}

func (r *Remote) request(ctx context.Context, texts []string) ([]Vector, error) {
	ctx, cancel := context.WithTimeout(ctx, r.cfg.Timeout)
	defer cancel()
	body, err := json.Marshal(map[string]any{"model": r.cfg.Model, "input": texts})
	if err != nil {
		return nil, fmt.Errorf("embeddings request: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("embeddings request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := r.cfg.Client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("embeddings request: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("embeddings response: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("embeddings endpoint: %s: %.200s", resp.Status, b)
	}
	var res struct {
		Data []struct {
			Index     int       `json:"index"`
			Embedding []float64 `json:"embedding"`
		} `json:"data"`
	}
	if err := json.Unmarshal(b, &res); err != nil {
		return nil, fmt.Errorf("embeddings response: %w", err)
	}
	if len(res.Data) != len(texts) {
		return nil, fmt.Errorf("embeddings response: %d vectors for %d texts", len(res.Data), len(texts))
	}
	out := make([]Vector, len(texts))
	for _, d := range res.Data {
		if d.Index < 0 || d.Index >= len(texts) || out[d.Index] != nil {
			return nil, fmt.Errorf("embeddings response: bad index %d", d.Index)
		}
		v := unitVector(d.Embedding)
		if v == nil {
			return nil, fmt.Errorf("embeddings response: empty vector at %d", d.Index)
		}
		out[d.Index] = v
	}
	return out, nil
}

func unitVector(x []float64) Vector {
	var n float64
	for _, f := range x {
		n += f * f
	}
	if n == 0 || math.IsNaN(n) || math.IsInf(n, 0) {
		return nil
	}
	n = math.Sqrt(n)
	v := make(Vector, len(x))
	for i, f := range x {
		v[i] = float32(f / n)
	}
	return v
}

// cachePath names a vector's file by a hash of model and text, so the cache
// holds no chat text in its names and a model change misses cleanly.
func (r *Remote) cachePath(text string) string {
	h := sha256.Sum256([]byte(r.cfg.Model + "\x00" + text))
	name := hex.EncodeToString(h[:])
	return filepath.Join(r.cfg.CacheDir, name[:2], name+".vec")
}

func (r *Remote) cached(text string) Vector {
	if r.cfg.CacheDir == "" {
		return nil
	}
	b, err := os.ReadFile(r.cachePath(text))
	if err != nil || len(b) == 0 || len(b)%4 != 0 {
		return nil
	}
	v := make(Vector, len(b)/4)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return v
}

// store writes a vector atomically, so a reader never sees half of one; a
// cache that cannot be written is only slower.
func (r *Remote) store(text string, v Vector) {
	if r.cfg.CacheDir == "" {
		return
	}
	p := r.cachePath(text)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return
	}
	b := make([]byte, 4*len(v))
	for i, f := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(f))
	}
	_ = atomicfile.Write(p, b, 0o644)
}
