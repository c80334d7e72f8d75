package twitch

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strings"
	"sync"

	"github.com/chatdesk/chatdesk/internal/chat"
)

// DefaultModerationQueue is how many moderation actions may wait per
// channel: well over a minute of Twitch's whole budget (800 calls), so a
// spam wave is worked off rather than forgotten, and small enough that
// what waits stays worth doing.
const DefaultModerationQueue = 1024

// modQueue is one channel's moderation actions waiting for Twitch, in the
// order they will be carried out: most severe first (see severity), first
// come first served within a severity.
//
// It is bounded. When it is full, the action that would be carried out
// last is the one dropped: the newest of the least severe kind, which may
// be the one just arriving. A ban therefore always finds room while a
// flood of deletes waits, and what is dropped is counted and logged once
// per wave (when the queue first overflows, and when it has caught up).
type modQueue struct {
	channel string
	size    int
	log     *slog.Logger
	onShed  func()

	mu     sync.Mutex
	lines  [numSeverities][]enforcement
	n      int
	closed bool
	ready  chan struct{}              // poked when an action arrives or the queue closes
	shed   map[chat.PenaltyKind]int64 // this wave's drops; nil when none
}

func newModQueue(channel string, size int, log *slog.Logger, onShed func()) *modQueue {
	return &modQueue{channel: channel, size: size, log: log, onShed: onShed, ready: make(chan struct{}, 1)}
}

// push queues an action behind those of its severity; again puts one back
// at the head of its severity, as a call Twitch refused with a 429 keeps
// its place.
func (q *modQueue) push(job enforcement)  { q.add(job, false) }
func (q *modQueue) again(job enforcement) { q.add(job, true) }

func (q *modQueue) add(job enforcement, front bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	line := &q.lines[job.rank.sev]
	if front {
		*line = slices.Insert(*line, 0, job)
	} else {
		*line = append(*line, job)
	}
	q.n++
	if q.n > q.size {
		q.shedLast()
	}
	select {
	case q.ready <- struct{}{}:
	default:
	}
}

// shedLast drops the action that would be carried out last; q.mu must be
// held.
func (q *modQueue) shedLast() {
	for sev := numSeverities - 1; sev >= 0; sev-- {
		line := q.lines[sev]
		if len(line) == 0 {
			continue
		}
		job := line[len(line)-1]
		line[len(line)-1] = enforcement{}
		q.lines[sev] = line[:len(line)-1]
		q.n--
		if q.shed == nil {
			q.shed = map[chat.PenaltyKind]int64{}
			q.log.Warn("moderation queue full: dropping the least severe actions until Twitch catches up",
				"channel", q.channel, "capacity", q.size, "action", string(job.e.Kind))
		}
		q.shed[job.e.Kind]++
		q.onShed()
		return
	}
}

// top is the rank of the action pop would return. The Budget reads it
// while the worker waits for a point, so a ban that arrives meanwhile
// competes as a ban.
func (q *modQueue) top() rank {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, line := range q.lines {
		if len(line) > 0 {
			return line[0].rank
		}
	}
	return rank{sev: sevOther, seq: math.MaxUint64}
}

// pop takes the most severe action, oldest first.
func (q *modQueue) pop() (enforcement, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for sev, line := range q.lines {
		if len(line) == 0 {
			continue
		}
		job := line[0]
		line[0] = enforcement{}
		q.lines[sev] = line[1:]
		q.n--
		if q.n == 0 && q.shed != nil {
			q.log.Warn("moderation queue caught up; actions were dropped while it was full",
				"channel", q.channel, "dropped", formatShed(q.shed))
			q.shed = nil
		}
		return job, true
	}
	return enforcement{}, false
}

// wait blocks until an action waits, and reports false once the queue is
// closed and empty, or ctx ends.
func (q *modQueue) wait(ctx context.Context) bool {
	for {
		q.mu.Lock()
		n, closed := q.n, q.closed
		q.mu.Unlock()
		switch {
		case n > 0:
			return true
		case closed:
			return false
		}
		select {
		case <-ctx.Done():
			return false
		case <-q.ready:
		}
	}
}

// close lets wait report false once the queue is empty.
func (q *modQueue) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	select {
	case q.ready <- struct{}{}:
	default:
	}
}

// len is how many actions wait.
func (q *modQueue) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.n
}

// abandon empties the queue and says how many actions it held.
func (q *modQueue) abandon() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := q.n
	q.lines, q.n = [numSeverities][]enforcement{}, 0
	return n
}

// formatShed lists drops by kind, most severe kind first: "delete=25 warn=3".
func formatShed(m map[chat.PenaltyKind]int64) string {
	kinds := make([]chat.PenaltyKind, 0, len(m))
	for k := range m {
		kinds = append(kinds, k)
	}
	slices.SortFunc(kinds, func(a, b chat.PenaltyKind) int {
		if d := severityOf(a) - severityOf(b); d != 0 {
			return int(d)
		}
		return strings.Compare(string(a), string(b))
	})
	var b strings.Builder
	for i, k := range kinds {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s=%d", k, m[k])
	}
	return b.String()
}
