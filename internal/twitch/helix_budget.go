package twitch

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chatdesk/chatdesk/internal/chat"
)

// DefaultHelixPoints is Twitch's documented Helix budget for a user token:
// 800 points a minute. Every call chatdesk makes costs one point. It is
// only the starting guess: from the first answer on, the Ratelimit-*
// headers say what the bucket really holds.
const DefaultHelixPoints = 800

// helixWindow is how long a bucket lasts when no Ratelimit-Reset has said.
const helixWindow = time.Minute

// severity ranks the calls waiting for the budget: the lower, the sooner.
// Order matters only when points are short, in a spam wave or after a 429:
// then removing a spammer beats removing one of their lines, a line on
// screen beats a warning, and a warning beats housekeeping.
type severity int

const (
	sevPunish severity = iota // bans and timeouts
	sevDelete                 // deleting a message
	sevWarn                   // Twitch's warnings
	sevOther                  // unbans, announcements, user look-ups
	numSeverities
)

// severityOf is where a moderation action waits.
func severityOf(k chat.PenaltyKind) severity {
	switch k {
	case chat.PenaltyBan, chat.PenaltyTimeout:
		return sevPunish
	case chat.PenaltyDelete:
		return sevDelete
	case chat.PenaltyWarn:
		return sevWarn
	}
	return sevOther
}

// rank orders waiters: by severity, then first come first served.
type rank struct {
	sev severity
	seq uint64
}

func (r rank) before(o rank) bool {
	if r.sev != o.sev {
		return r.sev < o.sev
	}
	return r.seq < o.seq
}

// Budget paces the Helix calls made with one token. Twitch counts points
// per token, not per channel, so every channel's moderation, the user
// look-ups and the announcements draw on one Budget.
//
// It follows Twitch's token bucket: Ratelimit-Remaining points are left
// until Ratelimit-Reset (a Unix time), when the bucket is full again. Until
// Twitch has answered it assumes DefaultHelixPoints a minute. A caller that
// finds the bucket empty waits, by the injected clock, for the reset;
// callers waiting together are served most severe first.
//
// After a 429 the Budget sends one call when the reset comes and waits for
// its answer before sending more: when something else drains the same
// token (another tool of the streamer's, say), a storm of calls that are
// all refused again would only keep the bucket empty.
type Budget struct {
	clock   chat.Clock
	log     *slog.Logger
	maxWait time.Duration
	seq     atomic.Uint64 // shared by every caller: FIFO across channels too

	mu        sync.Mutex
	limit     int       // points in a full bucket
	remaining int       // points that may still be spent before reset
	reset     time.Time // when the bucket is full again; zero before the first call
	heard     bool      // reset came from Twitch, not from our guess
	probing   bool      // after a 429: one call at a time until Twitch accepts one
	inflight  int       // calls sent and not yet answered
	waiters   []*waiter
	changed   chan struct{} // closed, and replaced, whenever waiters should look again

	spent, limited, waited int64
	wave                   waveStats
}

// waveStats describes one stretch in which callers had to wait for the
// bucket, so the log says it once when it starts and once when it ends.
type waveStats struct {
	on              bool
	start           time.Time
	waited, limited int64
}

type waiter struct {
	rank    func() rank // read when a point is handed out: a queue's head may change while it waits
	granted bool
}

// BudgetStats is a snapshot of the Helix budget.
type BudgetStats struct {
	// Limit and Remaining are the bucket's size and what is left of it;
	// Reset is when it is full again.
	Limit, Remaining int
	Reset            time.Time
	// Waiting counts calls waiting for points now.
	Waiting int
	// Spent counts calls sent; Waited those that had to wait for the
	// bucket to refill; RateLimited the 429 answers Twitch gave.
	Spent, Waited, RateLimited int64
}

// NewBudget returns a full budget of DefaultHelixPoints. clock paces the
// waits (nil is the wall clock); maxWait caps how far ahead a reset Twitch
// names is believed, so a skewed clock cannot stall moderation for long
// (0 is a minute).
func NewBudget(clock chat.Clock, log *slog.Logger, maxWait time.Duration) *Budget {
	if clock == nil {
		clock = chat.SystemClock
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if maxWait <= 0 {
		maxWait = time.Minute
	}
	return &Budget{clock: clock, log: log, maxWait: maxWait, limit: DefaultHelixPoints, remaining: DefaultHelixPoints, changed: make(chan struct{})}
}

// Stats returns the budget's state and counters.
func (b *Budget) Stats() BudgetStats {
	b.mu.Lock()
	defer b.mu.Unlock()
	return BudgetStats{Limit: b.limit, Remaining: b.remaining, Reset: b.reset, Waiting: len(b.waiters),
		Spent: b.spent, Waited: b.waited, RateLimited: b.limited}
}

// next numbers a call or a queued action for first-come-first-served.
func (b *Budget) next() uint64 { return b.seq.Add(1) }

// take waits until a point may be spent and spends it; the caller must
// then report the answer with answered, or hand the point back with
// unused. Among waiters the lowest rank goes first; rank is read under the
// budget's lock and must not call back into it.
func (b *Budget) take(ctx context.Context, r func() rank) error {
	w := &waiter{rank: r}
	b.mu.Lock()
	b.waiters = append(b.waiters, w)
	b.dispatch()
	var timer <-chan time.Time
	var timerFor time.Time
	counted := false
	for !w.granted {
		if b.remaining == 0 {
			if !b.wave.on {
				b.startWave("twitch api budget spent: moderation calls wait for the reset, most severe first")
			}
			if !counted {
				counted = true
				b.waited++
				b.wave.waited++
			}
			if !b.reset.Equal(timerFor) {
				timerFor = b.reset
				timer = b.clock.After(b.reset.Sub(b.clock.Now()))
			}
		}
		changed := b.changed
		b.mu.Unlock()
		select {
		case <-ctx.Done():
			b.mu.Lock()
			if w.granted {
				b.giveBack()
			} else {
				b.drop(w)
			}
			b.mu.Unlock()
			return ctx.Err()
		case <-timer:
			timer, timerFor = nil, time.Time{}
		case <-changed:
		}
		b.mu.Lock()
		b.dispatch()
	}
	b.mu.Unlock()
	return nil
}

// unused hands back a point take gave that was never sent.
func (b *Budget) unused() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.giveBack()
}

// answered learns from Twitch's answer to a call take let through: status
// 0 means no answer came. A 429 empties the bucket until the reset it
// names; the Ratelimit-* headers of any other answer are believed, less
// the calls still on their way, which Twitch may not have counted yet.
func (b *Budget) answered(status int, header http.Header) {
	b.mu.Lock()
	defer b.mu.Unlock()
	defer b.wake()
	b.inflight--
	now := b.clock.Now()
	if l, err := strconv.Atoi(header.Get("Ratelimit-Limit")); err == nil && l > 0 {
		b.limit = l
	}
	reset, hasReset := b.resetOf(header, now)
	if status == http.StatusTooManyRequests {
		if !hasReset {
			reset = now.Add(time.Second)
		}
		b.remaining, b.reset, b.heard, b.probing = 0, later(reset, now.Add(time.Second)), hasReset, true
		switch {
		case !b.wave.on:
			b.startWave("twitch api rate limit: Twitch answered 429 Too Many Requests (something else may be using the token); moderation calls wait for the reset, then go one at a time, most severe first")
		case b.wave.limited == 0:
			b.log.Warn("twitch api rate limit: Twitch answered 429 Too Many Requests although the bot kept to its budget (something else may be using the token)",
				"reset", b.reset.UTC().Format(time.RFC3339))
		}
		b.limited++
		b.wave.limited++
		return
	}
	if status == 0 {
		// Twitch may or may not have counted a call that got no answer;
		// after a 429 that was the one probe, so let the retry have
		// another rather than wait a whole minute.
		if b.probing && b.remaining == 0 {
			b.remaining = 1
			b.dispatch()
		}
		return
	}
	rem, err := strconv.Atoi(header.Get("Ratelimit-Remaining"))
	switch {
	case err != nil || !hasReset:
		// No headers (not Twitch itself, or a proxy that strips them):
		// keep counting. Once an answer comes after a 429, assume a
		// fresh bucket rather than probe forever.
		if b.probing {
			b.probing = false
			b.remaining, b.reset, b.heard = max(b.limit-b.inflight, 0), now.Add(helixWindow), false
		}
	case !reset.After(now):
		// About a bucket that is already over.
	case !b.heard || reset.After(b.reset) || b.probing:
		// A new bucket, or the first word from Twitch about this one.
		b.remaining, b.reset, b.heard, b.probing = max(rem-b.inflight, 0), reset, true, false
	case reset.Equal(b.reset):
		// Answers can overtake each other: within one bucket only a
		// lower count is news.
		b.remaining = min(b.remaining, max(rem-b.inflight, 0))
	}
	b.dispatch()
}

// resetOf reads Ratelimit-Reset, believed at most maxWait ahead.
func (b *Budget) resetOf(header http.Header, now time.Time) (time.Time, bool) {
	sec, err := strconv.ParseInt(header.Get("Ratelimit-Reset"), 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	reset := time.Unix(sec, 0)
	if limit := now.Add(b.maxWait); reset.After(limit) {
		reset = limit
	}
	return reset, true
}

// later is the later of two times.
func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// dispatch refills the bucket when its reset has come and hands points to
// the best-ranked waiters; b.mu must be held.
func (b *Budget) dispatch() {
	now := b.clock.Now()
	if b.reset.IsZero() || !now.Before(b.reset) {
		b.remaining = b.limit
		if b.probing {
			b.remaining = 1
		}
		b.reset, b.heard = now.Add(helixWindow), false
	}
	granted := false
	for b.remaining > 0 && len(b.waiters) > 0 {
		best := 0
		rk := b.waiters[0].rank()
		for i, w := range b.waiters[1:] {
			if r := w.rank(); r.before(rk) {
				best, rk = i+1, r
			}
		}
		w := b.waiters[best]
		b.waiters = append(b.waiters[:best], b.waiters[best+1:]...)
		w.granted, granted = true, true
		b.remaining--
		b.inflight++
		b.spent++
	}
	if granted {
		b.wake()
	}
	if b.wave.on && len(b.waiters) == 0 && b.remaining > 0 {
		b.log.Info("twitch api budget: the wait is over, moderation calls go out again",
			"waited", b.clock.Now().Sub(b.wave.start).Round(time.Second), "calls_waited", b.wave.waited, "rate_limited", b.wave.limited)
		b.wave = waveStats{}
	}
}

// startWave notes that callers now wait for the bucket, and says so once;
// dispatch says when it is over. b.mu must be held.
func (b *Budget) startWave(msg string) {
	b.wave = waveStats{on: true, start: b.clock.Now()}
	b.log.Warn(msg, "limit", b.limit, "reset", b.reset.UTC().Format(time.RFC3339), "waiting", len(b.waiters))
}

// giveBack returns a point that was handed out but not spent; b.mu must
// be held.
func (b *Budget) giveBack() {
	b.inflight--
	b.spent--
	b.remaining = min(b.remaining+1, b.limit)
	b.dispatch()
}

// drop removes a waiter that gave up; b.mu must be held.
func (b *Budget) drop(w *waiter) {
	for i, x := range b.waiters {
		if x == w {
			b.waiters = append(b.waiters[:i], b.waiters[i+1:]...)
			return
		}
	}
}

// wake tells every waiter to look again; b.mu must be held.
func (b *Budget) wake() {
	close(b.changed)
	b.changed = make(chan struct{})
}
