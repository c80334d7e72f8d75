package emotes_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/chatdesk/chatdesk/internal/emotes"
)

// fakeAPIs serves the three services' endpoints as they answer, for the
// channel with id "100"; other channels are unknown (404). Each service
// can be made to fail, and extra adds a name to the channel's 7TV set.
type fakeAPIs struct {
	*httptest.Server
	down  sync.Map // service → true
	extra atomic.Value
	hits  atomic.Int64
}

func newFakeAPIs(t *testing.T) *fakeAPIs {
	f := &fakeAPIs{}
	f.extra.Store("")
	mux := http.NewServeMux()
	handle := func(service, path, body string) {
		mux.HandleFunc("GET /"+service+path, func(w http.ResponseWriter, r *http.Request) {
			f.hits.Add(1)
			if _, down := f.down.Load(service); down {
				http.Error(w, "upstream down", http.StatusBadGateway)
				return
			}
			if strings.Contains(r.URL.Path, "/999") {
				http.NotFound(w, r)
				return
			}
			fmt.Fprint(w, strings.ReplaceAll(body, "EXTRA", f.extra.Load().(string)))
		})
	}
	handle("bttv", "/cached/users/twitch/{id}", `{"id":"x","channelEmotes":[{"id":"1","code":"miraHype"}],"sharedEmotes":[{"id":"2","code":"catJAM"},{"id":"3","code":"bad name"}]}`)
	handle("bttv", "/cached/emotes/global", `[{"id":"9","code":"SourPls"},{"id":"8","code":"catJAM"}]`)
	handle("ffz", "/room/id/{id}", `{"room":{"set":55},"sets":{"55":{"id":55,"emoticons":[{"id":1,"name":"miraLove"}]}}}`)
	handle("ffz", "/set/global", `{"default_sets":[3],"sets":{"3":{"emoticons":[{"name":"ZreknarF"}]}}}`)
	handle("7tv", "/users/twitch/{id}", `{"id":"x","emote_set":{"id":"s","emotes":[{"id":"a","name":"mira7"},{"id":"b","name":"EXTRA"}]}}`)
	handle("7tv", "/emote-sets/global", `{"id":"g","emotes":[{"id":"c","name":"EZ"}]}`)
	f.Server = httptest.NewServer(mux)
	t.Cleanup(f.Close)
	return f
}

// inMemory serves requests with a handler, without a network.
type inMemory struct{ h http.Handler }

func (m inMemory) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	m.h.ServeHTTP(rec, r)
	return rec.Result(), nil
}

func (f *fakeAPIs) sources() emotes.Sources {
	return emotes.Sources{BTTV: f.URL + "/bttv", FFZ: f.URL + "/ffz", SevenTV: f.URL + "/7tv"}
}

// TestFetch: the channel's and the global sets of all three services, each
// name once, sorted; names chat cannot show as one word are dropped.
func TestFetch(t *testing.T) {
	f := newFakeAPIs(t)
	names, err := emotes.Fetch(context.Background(), nil, f.sources(), "100")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"EZ", "SourPls", "ZreknarF", "catJAM", "mira7", "miraHype", "miraLove"}
	if !slices.Equal(names, want) {
		t.Errorf("names %q; want %q", names, want)
	}
	// A channel none of them knows has only the global emotes.
	names, err = emotes.Fetch(context.Background(), nil, f.sources(), "999")
	if err != nil || !slices.Equal(names, []string{"EZ", "SourPls", "ZreknarF", "catJAM"}) {
		t.Errorf("unknown channel: %q, %v; want the global sets and no error", names, err)
	}
}

// TestFetchServiceDown: one service down leaves the other two's names and
// an error naming it.
func TestFetchServiceDown(t *testing.T) {
	f := newFakeAPIs(t)
	f.down.Store("ffz", true)
	names, err := emotes.Fetch(context.Background(), nil, f.sources(), "100")
	if err == nil || !strings.Contains(err.Error(), "ffz") || strings.Contains(err.Error(), "bttv:") {
		t.Errorf("error %v; want one naming ffz only", err)
	}
	if slices.Contains(names, "miraLove") || !slices.Contains(names, "miraHype") || !slices.Contains(names, "mira7") {
		t.Errorf("names %q; want BTTV's and 7TV's, not FFZ's", names)
	}
}

// TestKeeper: at start a channel gets the names kept on disk, even with
// every service down; fetched names replace them and are kept; an hour
// later they are fetched again; a channel with no id known is never
// fetched.
func TestKeeper(t *testing.T) {
	f := newFakeAPIs(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "mira.json"), []byte(`{"channel_id":"100","names":["keptEmote"]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, svc := range []string{"bttv", "ffz", "7tv"} {
		f.down.Store(svc, true)
	}
	synctest.Test(t, func(t *testing.T) {
		// In the bubble the fake is called in memory: a socket's
		// goroutines never count as blocked, and time would never pass.
		k := emotes.New(emotes.Config{Sources: f.sources(), Dir: dir, Client: &http.Client{Transport: inMemory{f.Config.Handler}}})
		var mu sync.Mutex
		got := map[string][][]string{}
		apply := func(ch string) func([]string) {
			return func(names []string) {
				mu.Lock()
				got[ch] = append(got[ch], names)
				mu.Unlock()
			}
		}
		k.Watch("mira", apply("mira"))
		k.Watch("sam", apply("sam"))
		k.SetChannelID("mira", "100")
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { done <- k.Run(ctx) }()
		waitFor := func(what string, ok func() bool) {
			t.Helper()
			for range 1000 {
				synctest.Wait()
				mu.Lock()
				done := ok()
				mu.Unlock()
				if done {
					return
				}
				time.Sleep(time.Second)
			}
			t.Fatalf("never: %s; got %q", what, got)
		}
		waitFor("kept names applied", func() bool { return len(got["mira"]) == 1 })
		if !slices.Equal(got["mira"][0], []string{"keptEmote"}) {
			t.Errorf("at start %q; want the kept names", got["mira"][0])
		}
		for _, svc := range []string{"bttv", "ffz", "7tv"} {
			f.down.Delete(svc)
		}
		f.extra.Store("newOne")
		time.Sleep(time.Hour)
		waitFor("fetched names applied", func() bool { return len(got["mira"]) >= 2 })
		last := got["mira"][len(got["mira"])-1]
		if !slices.Contains(last, "newOne") || !slices.Contains(last, "miraHype") {
			t.Errorf("after the hourly refresh %q; want the fetched names", last)
		}
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
		if len(got["sam"]) != 0 {
			t.Errorf("sam, with no id and nothing kept, got %q", got["sam"])
		}
	})
	data, err := os.ReadFile(filepath.Join(dir, "mira.json"))
	if err != nil || !strings.Contains(string(data), "newOne") {
		t.Errorf("kept file %s, %v; want the fetched names", data, err)
	}
}

// TestKeeperServicesDownLogOnce: with the services down, a round of
// fetches for many channels is one warning naming how many failed, not a
// warning a channel.
func TestKeeperServicesDownLogOnce(t *testing.T) {
	f := newFakeAPIs(t)
	for _, svc := range []string{"bttv", "ffz", "7tv"} {
		f.down.Store(svc, true)
	}
	var buf bytes.Buffer
	var mu sync.Mutex
	synctest.Test(t, func(t *testing.T) {
		log := slog.New(slog.NewTextHandler(lockedWriter{&mu, &buf}, nil))
		k := emotes.New(emotes.Config{Sources: f.sources(), Dir: t.TempDir(), Log: log,
			Client: &http.Client{Transport: inMemory{f.Config.Handler}}})
		for i := range 40 {
			ch := fmt.Sprintf("ch%02d", i)
			k.Watch(ch, func([]string) {})
			k.SetChannelID(ch, fmt.Sprint(100+i))
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { done <- k.Run(ctx) }()
		synctest.Wait()
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	mu.Lock()
	defer mu.Unlock()
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], "some not fetched") || !strings.Contains(lines[0], "channels=40") || !strings.Contains(lines[0], "first=ch00") {
		t.Errorf("logged %q; want one warning for the 40 channels, naming the first", lines)
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
