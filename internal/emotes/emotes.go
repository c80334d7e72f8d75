// Package emotes fetches the names of a Twitch channel's third-party
// emotes — BetterTTV, FrankerFaceZ and 7TV, the channel's own and each
// service's global ones — from the services' public APIs, keeps them on
// disk, and refreshes them while the bot runs. Chat shows these emotes as
// plain words, so without their names an emote wall of "OMEGALUL" reads as
// shouting. Nothing here needs a token.
package emotes

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/chatdesk/chatdesk/internal/atomicfile"
)

// Sources are the base URLs of the three services' APIs.
type Sources struct {
	BTTV    string // BetterTTV API v3
	FFZ     string // FrankerFaceZ API v1
	SevenTV string // 7TV API v3
}

// Public are the services' public APIs.
var Public = Sources{
	BTTV:    "https://api.betterttv.net/3",
	FFZ:     "https://api.frankerfacez.com/v1",
	SevenTV: "https://7tv.io/v3",
}

// DefaultRefresh is how often a channel's emotes are fetched again.
const DefaultRefresh = time.Hour

// maxBody bounds one answer: a channel's emote list is tens of kilobytes.
const maxBody = 8 << 20

// maxName bounds an emote name; longer ones are not emotes chat can type.
const maxName = 100

// Fetch returns the names of the emotes channelID (a Twitch user id) can
// use in chat from the three services, channel and global sets together,
// sorted, each once. A service that fails is left out, and its error
// joined into err; err is nil only when every service answered. A channel
// a service does not know (404) has no emotes there, which is no error.
func Fetch(ctx context.Context, hc *http.Client, src Sources, channelID string) ([]string, error) {
	if hc == nil {
		hc = http.DefaultClient
	}
	var names []string
	var errs []error
	add := func(service string, got []string, err error) {
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", service, err))
		}
		names = append(names, got...)
	}
	id := url.PathEscape(channelID)
	for _, f := range []struct {
		service string
		url     string
		read    func([]byte) ([]string, error)
	}{
		{"bttv", src.BTTV + "/cached/users/twitch/" + id, bttvChannel},
		{"bttv", src.BTTV + "/cached/emotes/global", bttvGlobal},
		{"ffz", src.FFZ + "/room/id/" + id, ffzSets},
		{"ffz", src.FFZ + "/set/global", ffzSets},
		{"7tv", src.SevenTV + "/users/twitch/" + id, sevenTVUser},
		{"7tv", src.SevenTV + "/emote-sets/global", sevenTVSet},
	} {
		got, err := get(ctx, hc, f.url, f.read)
		add(f.service, got, err)
	}
	return clean(names), errors.Join(errs...)
}

// get fetches one list; a 404 is an empty one.
func get(ctx context.Context, hc *http.Client, u string, read func([]byte) ([]string, error)) ([]string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", u, err)
	}
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return nil, nil
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	names, err := read(body)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", u, err)
	}
	return names, nil
}

func bttvChannel(b []byte) ([]string, error) {
	var v struct {
		Channel []struct{ Code string } `json:"channelEmotes"`
		Shared  []struct{ Code string } `json:"sharedEmotes"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, err
	}
	var out []string
	for _, e := range append(v.Channel, v.Shared...) {
		out = append(out, e.Code)
	}
	return out, nil
}

func bttvGlobal(b []byte) ([]string, error) {
	var v []struct{ Code string }
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, err
	}
	out := make([]string, 0, len(v))
	for _, e := range v {
		out = append(out, e.Code)
	}
	return out, nil
}

// ffzSets reads a room's sets or the global sets: both answers carry
// "sets", keyed by set id.
func ffzSets(b []byte) ([]string, error) {
	var v struct {
		Sets map[string]struct {
			Emoticons []struct{ Name string } `json:"emoticons"`
		} `json:"sets"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, err
	}
	var out []string
	for _, s := range v.Sets {
		for _, e := range s.Emoticons {
			out = append(out, e.Name)
		}
	}
	return out, nil
}

type sevenTVEmotes struct {
	Emotes []struct{ Name string } `json:"emotes"`
}

func sevenTVUser(b []byte) ([]string, error) {
	var v struct {
		Set *sevenTVEmotes `json:"emote_set"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, err
	}
	if v.Set == nil {
		return nil, nil
	}
	return v.Set.names(), nil
}

func sevenTVSet(b []byte) ([]string, error) {
	var v sevenTVEmotes
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, err
	}
	return v.names(), nil
}

func (s *sevenTVEmotes) names() []string {
	out := make([]string, 0, len(s.Emotes))
	for _, e := range s.Emotes {
		out = append(out, e.Name)
	}
	return out
}

// clean sorts names, drops repeats, and drops what chat could not show as
// one word.
func clean(names []string) []string {
	out := names[:0:0]
	for _, n := range names {
		if n != "" && len(n) <= maxName && !strings.ContainsFunc(n, func(r rune) bool { return r <= ' ' }) {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Config configures a Keeper.
type Config struct {
	// Sources are the APIs; the zero value is Public.
	Sources Sources
	// Client makes the requests; nil is a client with a 20-second limit.
	Client *http.Client
	// Dir keeps each channel's names between runs, one file a channel;
	// "" keeps nothing.
	Dir string
	// Refresh is how often names are fetched again (DefaultRefresh).
	Refresh time.Duration
	Log     *slog.Logger
}

// Keeper keeps the third-party emote names of the channels it watches:
// at start the names kept on disk, then fetched ones, refreshed every
// Refresh. A channel whose names were never fetched nor kept gets none,
// and the caller's built-in list stands.
type Keeper struct {
	cfg Config

	mu       sync.Mutex
	channels map[string]*watched
}

type watched struct {
	apply func([]string)
	id    string
}

// New returns a keeper watching no channel.
func New(cfg Config) *Keeper {
	if cfg.Sources == (Sources{}) {
		cfg.Sources = Public
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 20 * time.Second}
	}
	if cfg.Refresh <= 0 {
		cfg.Refresh = DefaultRefresh
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &Keeper{cfg: cfg, channels: map[string]*watched{}}
}

// Watch makes the keeper hand channel's names to apply, from Run's
// goroutine, whenever it has them.
func (k *Keeper) Watch(channel string, apply func(names []string)) {
	k.mu.Lock()
	k.channels[channel] = &watched{apply: apply}
	k.mu.Unlock()
}

// SetChannelID gives the Twitch user id of a watched channel: names are
// fetched only for channels whose id is known (the services key channels
// by it); the others get what was kept on disk.
func (k *Keeper) SetChannelID(channel, id string) {
	k.mu.Lock()
	if w, ok := k.channels[channel]; ok {
		w.id = id
	}
	k.mu.Unlock()
}

// cacheFile is what Dir keeps for a channel.
type cacheFile struct {
	ChannelID string    `json:"channel_id"`
	Fetched   time.Time `json:"fetched"`
	Names     []string  `json:"names"`
}

// Run hands each watched channel its kept names, then fetches fresh ones
// and fetches again every Refresh, until ctx ends.
func (k *Keeper) Run(ctx context.Context) error {
	k.mu.Lock()
	chans := make(map[string]watched, len(k.channels))
	for name, w := range k.channels {
		chans[name] = *w
	}
	k.mu.Unlock()
	for name, w := range chans {
		if c, err := k.load(name); err == nil && len(c.Names) > 0 {
			w.apply(c.Names)
		} else if err != nil && !errors.Is(err, os.ErrNotExist) {
			k.cfg.Log.Warn("kept emote names not read; fetching them again", "channel", name, "err", err)
		}
	}
	t := time.NewTicker(k.cfg.Refresh)
	defer t.Stop()
	for {
		// A service that is down fails every channel alike: one line a
		// round names how many and the first, not a line a channel.
		var failed []string
		var firstErr error
		for _, name := range slices.Sorted(maps.Keys(chans)) {
			w := chans[name]
			if w.id == "" {
				continue
			}
			if err := k.refresh(ctx, name, w); err != nil {
				if firstErr == nil {
					firstErr = err
				}
				failed = append(failed, name)
			}
		}
		if len(failed) > 0 && ctx.Err() == nil {
			k.cfg.Log.Warn("third-party emotes: some not fetched", "channels", len(failed), "first", failed[0], "err", firstErr)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// refresh fetches one channel's names. What came back is applied and
// kept even when a service failed, unless nothing did: then the names
// from before stay. It returns what failed, for Run to report.
func (k *Keeper) refresh(ctx context.Context, channel string, w watched) error {
	names, err := Fetch(ctx, k.cfg.Client, k.cfg.Sources, w.id)
	if err != nil {
		k.cfg.Log.Debug("third-party emotes: some not fetched", "channel", channel, "err", err)
	}
	if len(names) == 0 {
		return err
	}
	w.apply(names)
	k.cfg.Log.Debug("third-party emotes fetched", "channel", channel, "names", len(names))
	if err := k.save(channel, cacheFile{ChannelID: w.id, Fetched: time.Now().UTC(), Names: names}); err != nil {
		k.cfg.Log.Warn("third-party emotes not kept on disk", "channel", channel, "err", err)
	}
	return err
}

func (k *Keeper) path(channel string) string {
	return filepath.Join(k.cfg.Dir, channel+".json")
}

func (k *Keeper) load(channel string) (cacheFile, error) {
	var c cacheFile
	if k.cfg.Dir == "" {
		return c, os.ErrNotExist
	}
	data, err := os.ReadFile(k.path(channel))
	if err != nil {
		return c, err
	}
	if err := json.Unmarshal(data, &c); err != nil {
		return c, fmt.Errorf("%s: %w", k.path(channel), err)
	}
	c.Names = clean(c.Names)
	return c, nil
}

func (k *Keeper) save(channel string, c cacheFile) error {
	if k.cfg.Dir == "" {
		return nil
	}
	data, err := json.MarshalIndent(c, "", " ")
	if err != nil {
		return err
	}
	return atomicfile.Write(k.path(channel), data, 0o644)
}
