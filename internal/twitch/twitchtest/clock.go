package twitchtest

import (
	"slices"
	"sync"
	"time"
)

// Clock is a chat.Clock that only moves when a test says so. Rate limits,
// back-off and Twitch's rate-limit resets all wait on it, so a test can jump
// over half a minute of pacing without waiting for it.
type Clock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*timer
	last   *timer
	added  chan struct{}
}

type timer struct {
	at time.Time
	ch chan time.Time
}

// NewClock returns a clock reading start.
func NewClock(start time.Time) *Clock {
	return &Clock{now: start, added: make(chan struct{}, 1)}
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// After fires once the clock has been moved d on.
func (c *Clock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.now
		return ch
	}
	c.last = &timer{at: c.now.Add(d), ch: ch}
	c.timers = append(c.timers, c.last)
	select {
	case c.added <- struct{}{}:
	default:
	}
	return ch
}

// Advance moves the clock d on and fires the timers that are due.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	c.fire()
}

// AdvanceToNext moves the clock to the earliest waiting timer and fires it.
// It reports false, and does nothing, when no timer waits.
func (c *Clock) AdvanceToNext() (time.Duration, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.timers) == 0 {
		return 0, false
	}
	next := slices.MinFunc(c.timers, func(a, b *timer) int { return a.at.Compare(b.at) })
	d := next.at.Sub(c.now)
	c.now = next.at
	c.fire()
	return d, true
}

// AdvanceToLast moves the clock to the most recently started timer, if it
// still waits, firing it and any due before it. When one goroutine alone
// waits on the clock, its latest timer is the one it is blocked on; older
// ones it gave up when woken some other way.
func (c *Clock) AdvanceToLast() (time.Duration, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.last == nil || !c.last.at.After(c.now) {
		return 0, false
	}
	d := c.last.at.Sub(c.now)
	c.now = c.last.at
	c.fire()
	return d, true
}

// Waiting reports how many timers wait.
func (c *Clock) Waiting() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.timers)
}

// TimerAdded is poked whenever a timer starts waiting.
func (c *Clock) TimerAdded() <-chan struct{} { return c.added }

// fire delivers due timers; c.mu must be held.
func (c *Clock) fire() {
	kept := c.timers[:0]
	for _, t := range c.timers {
		if t.at.After(c.now) {
			kept = append(kept, t)
			continue
		}
		t.ch <- c.now
	}
	clear(c.timers[len(kept):])
	c.timers = kept
}
