// Package cluster shares channels out among several bot instances through
// the Redis they already use for tickets. Each instance claims channels
// with leases — SET NX PX keys that name the holder and carry a fencing
// token from a per-channel counter — renews what it holds, takes no more
// than its fair share of the channels, and releases them at once when it
// stops cleanly. When an instance dies, its leases run out and the others
// take its channels on their next round.
//
// An instance acts on a channel only while its lease is known to be valid
// locally: until the moment it sent the last successful renewal plus the
// lease's time to live, less a margin for clocks that run at slightly
// different rates. Redis starts the lease's time to live when the renewal
// arrives, which is later, so the local lease always ends first: an
// instance cut off from Redis (a network pause, a long GC) stops acting
// before any other can claim the channel. The fencing token tells a later
// holder's actions from an earlier one's wherever a store can check it.
package cluster

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"math"
	"os"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Defaults of the lease timing. A dead instance's channels are taken over
// within TTL plus one renewal round: under 7 s.
const (
	DefaultTTL   = 5 * time.Second
	DefaultRenew = DefaultTTL / 3
)

// Config is what an instance's leases need.
type Config struct {
	// Client is the Redis the ticket store uses: standalone, Sentinel or
	// Cluster (every key of a channel shares its hash tag).
	Client redis.UniversalClient
	// Prefix comes before every key, as the store's does.
	Prefix string
	// Instance names this instance; it must differ between instances.
	// Empty: the host name and process id.
	Instance string
	// Channels are every channel the instances share.
	Channels []string
	// TTL is how long a lease lasts unrenewed; Renew how often it is
	// renewed and the channels rebalanced. Zero: the defaults.
	TTL, Renew time.Duration
	// Now is the clock of the local lease; nil is time.Now.
	Now func() time.Time
	Log *slog.Logger
}

// Leases are the channels one instance holds. Holds is safe for concurrent
// use and cheap: it is asked for every chat message.
type Leases struct {
	cfg Config
	// order is the channels in this instance's preference (see
	// preference), worked out once.
	order []string

	mu   sync.Mutex
	held map[string]lease
}

type lease struct {
	token int64
	until time.Time // local validity, see the package comment
}

// New returns an instance's leases; Run claims and keeps them.
func New(cfg Config) *Leases {
	cfg.TTL = cmp.Or(cfg.TTL, DefaultTTL)
	cfg.Renew = cmp.Or(cfg.Renew, cfg.TTL/3)
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Instance == "" {
		host, _ := os.Hostname()
		cfg.Instance = fmt.Sprintf("%s-%d", host, os.Getpid())
	}
	cfg.Channels = slices.Clone(cfg.Channels)
	return &Leases{cfg: cfg, order: preference(cfg.Instance, cfg.Channels), held: map[string]lease{}}
}

// Instance is this instance's name.
func (l *Leases) Instance() string { return l.cfg.Instance }

// Holds reports whether this instance may act on channel now.
func (l *Leases) Holds(channel string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	h, ok := l.held[channel]
	return ok && l.cfg.Now().Before(h.until)
}

// Token is channel's fencing token while this instance holds it: it rises
// with every new holder.
func (l *Leases) Token(channel string) (int64, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	h, ok := l.held[channel]
	if !ok || !l.cfg.Now().Before(h.until) {
		return 0, false
	}
	return h.token, true
}

// Held lists the channels this instance holds now, sorted.
func (l *Leases) Held() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.cfg.Now()
	var out []string
	for ch, h := range l.held {
		if now.Before(h.until) {
			out = append(out, ch)
		}
	}
	slices.Sort(out)
	return out
}

// Scripts. Each works on one channel's keys, which share a hash tag.
var (
	// acquire: KEYS lease, fence; ARGV instance, ttl ms → the new
	// fencing token, or 0 when someone holds the lease.
	acquireScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local token = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1] .. ':' .. token, 'NX', 'PX', ARGV[2])
return token`)
	// renew: KEYS lease; ARGV holder value, ttl ms → 1, or 0 when the
	// lease is no longer this holder's.
	renewScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`)
	// release: KEYS lease; ARGV holder value.
	releaseScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`)
	// heartbeat: KEYS instances; ARGV instance, ttl ms → how many
	// instances renewed within the ttl, by the server's clock.
	heartbeatScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
redis.call('PEXPIRE', KEYS[1], ARGV[2] * 4)
return redis.call('ZCARD', KEYS[1])`)
)

func (l *Leases) leaseKey(ch string) string { return l.cfg.Prefix + "{" + ch + "}:lease" }
func (l *Leases) fenceKey(ch string) string { return l.cfg.Prefix + "{" + ch + "}:fence" }
func (l *Leases) instancesKey() string      { return l.cfg.Prefix + "cluster:instances" }

func (l *Leases) value(token int64) string {
	return l.cfg.Instance + ":" + strconv.FormatInt(token, 10)
}

// Run claims and renews channels until ctx ends, then releases every one
// at once, so the other instances take them on their next round.
func (l *Leases) Run(ctx context.Context) error {
	if l.cfg.Instance == "" {
		return errors.New("cluster: no instance name")
	}
	t := time.NewTicker(l.cfg.Renew)
	defer t.Stop()
	for {
		l.round(ctx)
		select {
		case <-ctx.Done():
			l.releaseAll()
			return nil
		case <-t.C:
		}
	}
}

// round renews what is held, then gives up or claims channels until this
// instance holds its fair share.
func (l *Leases) round(ctx context.Context) {
	ttl := l.cfg.TTL.Milliseconds()
	live, err := heartbeatScript.Run(ctx, l.cfg.Client, []string{l.instancesKey()}, l.cfg.Instance, ttl).Int()
	if err != nil {
		// Cut off: renewals would fail too; the local leases run out
		// on their own.
		l.cfg.Log.Warn("cluster: redis does not answer; channels are given up as their leases run out", "err", err)
		return
	}
	for _, ch := range l.heldNames() {
		l.renew(ctx, ch)
	}
	share := int(math.Ceil(float64(len(l.cfg.Channels)) / float64(max(live, 1))))
	held := len(l.Held())
	if held > share {
		// Give up the channels this instance wants least.
		for i := len(l.order) - 1; i >= 0 && held > share; i-- {
			if l.Holds(l.order[i]) {
				l.release(l.order[i])
				held--
			}
		}
		return
	}
	for _, ch := range l.order {
		if held >= share {
			break
		}
		if !l.Holds(ch) && l.acquire(ctx, ch) {
			held++
		}
	}
}

// preference orders channels by rendezvous hashing for instance, so
// instances reach for different channels first and a newcomer's share comes
// from everyone.
func preference(instance string, channels []string) []string {
	score := make(map[string]uint64, len(channels))
	for _, ch := range channels {
		h := fnv.New64a()
		h.Write([]byte(instance))
		h.Write([]byte{0})
		h.Write([]byte(ch))
		score[ch] = h.Sum64()
	}
	out := slices.Clone(channels)
	slices.SortFunc(out, func(a, b string) int { return cmp.Or(cmp.Compare(score[b], score[a]), cmp.Compare(a, b)) })
	return out
}

func (l *Leases) heldNames() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]string, 0, len(l.held))
	for ch := range l.held {
		out = append(out, ch)
	}
	return out
}

// validity is how long a lease renewed at sent may be acted on.
func (l *Leases) validity(sent time.Time) time.Time {
	return sent.Add(l.cfg.TTL - l.cfg.TTL/10)
}

// acquire claims ch if nobody holds it, and reports whether it did.
func (l *Leases) acquire(ctx context.Context, ch string) bool {
	sent := l.cfg.Now()
	token, err := acquireScript.Run(ctx, l.cfg.Client, []string{l.leaseKey(ch), l.fenceKey(ch)}, l.cfg.Instance, l.cfg.TTL.Milliseconds()).Int64()
	if err != nil || token == 0 {
		return false
	}
	l.mu.Lock()
	l.held[ch] = lease{token: token, until: l.validity(sent)}
	l.mu.Unlock()
	l.cfg.Log.Info("cluster: channel taken", "channel", ch, "token", token)
	return true
}

func (l *Leases) renew(ctx context.Context, ch string) {
	l.mu.Lock()
	h := l.held[ch]
	l.mu.Unlock()
	sent := l.cfg.Now()
	ok, err := renewScript.Run(ctx, l.cfg.Client, []string{l.leaseKey(ch)}, l.value(h.token), l.cfg.TTL.Milliseconds()).Int()
	if err != nil {
		return // the local lease runs out unless a later renewal works
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if ok == 0 {
		delete(l.held, ch)
		l.cfg.Log.Warn("cluster: channel lost to another instance", "channel", ch)
		return
	}
	if cur, still := l.held[ch]; still && cur.token == h.token {
		l.held[ch] = lease{token: h.token, until: l.validity(sent)}
	}
}

// release gives ch up now: locally first, so nothing more is done on it.
func (l *Leases) release(ch string) {
	l.mu.Lock()
	h, ok := l.held[ch]
	delete(l.held, ch)
	l.mu.Unlock()
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := releaseScript.Run(ctx, l.cfg.Client, []string{l.leaseKey(ch)}, l.value(h.token)).Err(); err != nil {
		l.cfg.Log.Warn("cluster: release channel; its lease runs out instead", "channel", ch, "err", err)
	}
}

func (l *Leases) releaseAll() {
	for _, ch := range l.heldNames() {
		l.release(ch)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = l.cfg.Client.ZRem(ctx, l.instancesKey(), l.cfg.Instance).Err()
	l.cfg.Log.Info("cluster: every channel released")
}
